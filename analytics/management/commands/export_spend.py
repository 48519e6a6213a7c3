"""Write the daily spend rollups of a filtered view as CSV (the dashboard's export, from a shell)."""

from __future__ import annotations

import csv
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.forms import SpendFilterForm
from analytics.selectors.exports import spend_export_rows


class Command(BaseCommand):
    help = "Export daily LLM spend as CSV, with the dashboard's filters."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", dest="date_from", help="first day, YYYY-MM-DD (default: 30 days ago)")
        parser.add_argument("--until", dest="date_to", help="last day, inclusive, YYYY-MM-DD (default: today)")
        parser.add_argument("--company", type=int, help="tenant id (0: runs without a company)")
        parser.add_argument("--user", type=int, help="user id (0: runs without a user)")
        parser.add_argument("--feature")
        parser.add_argument("--model")
        parser.add_argument("--provider")
        parser.add_argument("--output", "-o", help="file to write (default: stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        names = ("date_from", "date_to", "company", "user", "feature", "model", "provider")
        form = SpendFilterForm({name: options[name] for name in names if options.get(name) is not None})
        if not form.is_valid():
            raise CommandError(form.errors.as_text())
        filters = form.spend_filters()
        with ExitStack() as stack:
            output = (
                stack.enter_context(Path(options["output"]).open("w", newline="", encoding="utf-8"))
                if options["output"]
                else sys.stdout
            )
            writer = csv.writer(output)
            rows = -1  # the header is not a row of data
            for row in spend_export_rows(filters=filters):
                writer.writerow(row)
                rows += 1
        self.stderr.write(f"Exported {rows} rows for {filters.date_from}..{filters.date_to}")
