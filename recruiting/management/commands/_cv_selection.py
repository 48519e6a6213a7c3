"""The CV selection options shared by reparse_cvs and reembed_cvs."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.db.models import QuerySet

from config.cli import parse_moment
from recruiting.models import CV, Company


def add_selection_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--company", help="company slug")
    parser.add_argument("--job", type=int, help="only CVs of candidates in this job's pipeline")
    parser.add_argument("--ids", help="comma-separated CV ids")
    parser.add_argument("--status", choices=[s.value for s in CV.Status], help="only CVs in this status (e.g. failed)")
    parser.add_argument("--since", help="uploaded on or after this date (YYYY-MM-DD or ISO time)")
    parser.add_argument("--until", help="uploaded before this date")
    parser.add_argument("--dry-run", action="store_true", help="list what would be done, change nothing")
    parser.add_argument("--sync", action="store_true", help="run inline instead of queueing Celery tasks")


def selected_cvs(options: dict[str, Any]) -> QuerySet[CV]:
    cvs = CV.objects.select_related("company", "candidate").order_by("id")
    if options.get("company"):
        company = Company.objects.filter(slug=options["company"]).first()
        if company is None:
            raise CommandError(f"no company with slug {options['company']!r}")
        cvs = cvs.filter(company=company)
    if options.get("job"):
        cvs = cvs.filter(candidate__applications__job_id=options["job"])
    if options.get("ids"):
        try:
            ids = [int(part) for part in options["ids"].split(",") if part.strip()]
        except ValueError:
            raise CommandError("--ids takes comma-separated numbers") from None
        cvs = cvs.filter(pk__in=ids)
    if options.get("status"):
        cvs = cvs.filter(status=options["status"])
    if options.get("since"):
        cvs = cvs.filter(created_at__gte=parse_moment(options["since"]))
    if options.get("until"):
        cvs = cvs.filter(created_at__lt=parse_moment(options["until"]))
    return cvs.distinct()


def progress(done: int, total: int, label: str) -> None:
    """A one-line progress bar on stderr (stdout stays clean for the summary)."""
    width = 30
    filled = width * done // total if total else width
    sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()
