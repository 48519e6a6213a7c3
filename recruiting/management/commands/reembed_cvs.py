"""Recompute CV embeddings (e.g. after switching the embedding model). Safe to run twice:
CVs already embedded with the current model are skipped unless --force."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from recruiting.management.commands._cv_selection import add_selection_arguments, progress, selected_cvs
from recruiting.services import cvs as cv_services


class Command(BaseCommand):
    help = "Recompute embeddings of parsed CVs."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_selection_arguments(parser)
        parser.add_argument("--force", action="store_true", help="re-embed even CVs that have an embedding")

    def handle(self, *args: Any, **options: Any) -> None:
        cvs = selected_cvs(options).exclude(text="").exclude(parsed_at=None)
        if not options["force"]:
            cvs = cvs.filter(embedded_at=None)
        todo = list(cvs)
        if options["dry_run"]:
            for cv in todo:
                self.stdout.write(f"would re-embed CV #{cv.pk} ({cv.company.slug}, {cv.original_filename})")
            self.stdout.write(f"{len(todo)} CV(s) would be re-embedded.")
            return
        for done, cv in enumerate(todo, start=1):
            if options["sync"]:
                cv_services.cv_reset(cv=cv, steps={"embed"})
                cv_services.cv_process(cv=cv)
            else:
                cv_services.cv_requeue(cv=cv, steps={"embed"})
            progress(done, len(todo), "re-embed")
        self.stdout.write(self.style.SUCCESS(f"{'Re-embedded' if options['sync'] else 'Queued'} {len(todo)} CV(s)."))
