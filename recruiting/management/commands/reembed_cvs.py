"""Recompute CV embeddings (e.g. after switching the embedding model). Safe to run twice:
CVs already embedded with the model their company's route now starts with are skipped unless
--force; those without an embedding or embedded by another model are re-embedded."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import QuerySet

from recruiting import ai
from recruiting.management.commands._cv_selection import add_selection_arguments, progress, selected_cvs
from recruiting.models import CV
from recruiting.services import cvs as cv_services


class Command(BaseCommand):
    help = "Recompute embeddings of parsed CVs."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_selection_arguments(parser)
        parser.add_argument("--force", action="store_true", help="re-embed even CVs that have an embedding")

    def handle(self, *args: Any, **options: Any) -> None:
        cvs = selected_cvs(options).exclude(text="").exclude(parsed_at=None)
        todo = list(cvs) if options["force"] else _missing_or_made_by_another_model(cvs)
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


def _missing_or_made_by_another_model(cvs: QuerySet[CV]) -> list[CV]:
    current: dict[int, str] = {}  # company id -> "provider/model"
    todo = []
    for cv in cvs:
        if cv.company_id not in current:
            current[cv.company_id] = ai.embedding_model_for(company=cv.company)
        if cv.embedded_at is None or cv.embedding_model != current[cv.company_id]:
            todo.append(cv)
    return todo
