"""Documents: recruiters' notes and saved AI outputs, about a candidate and/or a job."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from recruiting.models import Candidate, Company, Document, Job


@transaction.atomic
def document_create(
    *,
    company: Company,
    created_by: Any,
    title: str,
    content: str = "",
    kind: str = Document.Kind.NOTE,
    candidate: Candidate | None = None,
    job: Job | None = None,
    data: dict[str, Any] | None = None,
) -> Document:
    """Save a document of the company. `data` holds structured output (an AI feature's JSON);
    `content` is the readable text, shown escaped."""
    for record in (candidate, job):
        if record is not None and record.company_id != company.pk:
            raise ValueError("documents can only be attached to the company's own candidates and jobs")
    if kind not in Document.Kind.values:
        raise ValueError(f"unknown document kind {kind!r}")
    return Document.objects.create(
        company=company,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        title=title.strip()[:300] or "Untitled",
        content=content,
        kind=kind,
        candidate=candidate,
        job=job,
        data=data or {},
    )
