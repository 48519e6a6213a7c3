"""Recompute the spend rollups of a date range (or everything) from AiRun."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.services.rollups import rollups_rebuild
from config.cli import parse_moment


class Command(BaseCommand):
    help = "Recompute hourly, daily and per-subject spend rollups for [--since, --until) from AiRun."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="ISO date or datetime (UTC if naive); default: the first run")
        parser.add_argument("--until", help="ISO date or datetime, exclusive; default: after the last run")

    def handle(self, *args: Any, **options: Any) -> None:
        since, until = parse_moment(options["since"]), parse_moment(options["until"])
        if since and until and since >= until:
            raise CommandError("--since must be before --until")
        started = time.perf_counter()
        result = rollups_rebuild(since=since, until=until)
        self.stdout.write(
            f"Rebuilt {result.hours} hours: {result.hourly_rows} hourly, {result.daily_rows} daily, "
            f"{result.subject_rows} subject rows in {time.perf_counter() - started:.1f}s"
        )
