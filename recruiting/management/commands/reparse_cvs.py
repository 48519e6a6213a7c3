"""Reparse CVs through the gateway's parse_cv feature (e.g. after a new prompt version).

Safe to run twice: a CV already parsed with the current production prompt version is skipped,
unless --force.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from llm.selectors import catalog
from recruiting.management.commands._cv_selection import add_selection_arguments, progress, selected_cvs
from recruiting.services import cvs as cv_services


class Command(BaseCommand):
    help = "Reparse CVs with the current parse_cv prompt (only those parsed with an older version, unless --force)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_selection_arguments(parser)
        parser.add_argument("--prompt-version", type=int, help="only CVs parsed with this prompt version")
        parser.add_argument("--force", action="store_true", help="reparse even CVs already on the current version")

    def handle(self, *args: Any, **options: Any) -> None:
        template = catalog().prompt("parse_cv")
        if template is None:
            raise CommandError("no production parse_cv prompt: run migrate")
        current = template.version
        cvs = selected_cvs(options).exclude(text="")
        if options["prompt_version"] is not None:
            cvs = cvs.filter(prompt_version=options["prompt_version"])
        if not options["force"]:
            cvs = cvs.filter(Q(prompt_version__isnull=True) | ~Q(prompt_version=current) | Q(parsed_at__isnull=True))
        todo = list(cvs)
        if options["dry_run"]:
            for cv in todo:
                self.stdout.write(
                    f"would reparse CV #{cv.pk} ({cv.company.slug}, {cv.original_filename}): prompt v{cv.prompt_version or '-'} → v{current}"
                )
            self.stdout.write(f"{len(todo)} CV(s) would be reparsed.")
            return
        for done, cv in enumerate(todo, start=1):
            if options["sync"]:
                cv_services.cv_reset(cv=cv, steps={"parse"})
                try:
                    cv_services.cv_process(cv=cv)
                except Exception as exc:  # noqa: BLE001 - one bad CV must not stop the batch
                    cv_services.cv_mark_failed(cv=cv, message=f"Reparse failed ({type(exc).__name__}).")
                    self.stderr.write(f"\nCV #{cv.pk}: {type(exc).__name__}")
            else:
                cv_services.cv_requeue(cv=cv, steps={"parse"})
            progress(done, len(todo), "reparse")
        verb = "Reparsed" if options["sync"] else "Queued"
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(todo)} CV(s) with parse_cv prompt v{current}."))
