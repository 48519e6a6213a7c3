"""GDPR erasure of one candidate: files, text, embeddings, documents, chat history, and the
content of AI runs about them; anonymous cost figures stay."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from recruiting.models import Candidate
from recruiting.services import candidate_erase


class Command(BaseCommand):
    help = "Erase a candidate and everything about them (GDPR)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("candidate_id", type=int)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        candidate = Candidate.objects.select_related("company").filter(pk=options["candidate_id"]).first()
        if candidate is None:
            raise CommandError(f"no candidate #{options['candidate_id']}")
        if not options["yes"]:
            answer = input(f"Erase candidate #{candidate.pk} of {candidate.company.name} and all their data? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("aborted")
        counts = candidate_erase(company=candidate.company, candidate=candidate, actor=None)
        self.stdout.write(
            self.style.SUCCESS(
                f"Erased candidate #{options['candidate_id']}: {counts['cvs']} CV(s), {counts['documents']} document(s), "
                f"{counts['interviews']} interview(s)."
            )
        )
