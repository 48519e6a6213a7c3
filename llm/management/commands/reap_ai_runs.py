from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from llm.services import ai_runs_reap


class Command(BaseCommand):
    help = "Finish AI runs left running by a dead process as lost, and release their budget reservations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=float,
            default=settings.LLM_REAP_AFTER_SECONDS,
            help="Seconds a run may stay running before it counts as lost.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reaped = ai_runs_reap(older_than_seconds=options["older_than"])
        self.stdout.write(f"{reaped} run(s) marked lost")
