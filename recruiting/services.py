"""Writes of recruiting data: keyword-only, one transaction each."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction

from recruiting.models import CV, Candidate, Company, Job, Membership


@transaction.atomic
def company_get_or_create(*, slug: str, name: str, plan: str) -> Company:
    company, _ = Company.objects.get_or_create(slug=slug, defaults={"name": name, "plan": plan})
    return company


@transaction.atomic
def member_create(
    *, company: Company, username: str, email: str, password: str, role: str = Membership.Role.RECRUITER
) -> Any:
    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    Membership.objects.create(user=user, company=company, role=role)
    return user


@transaction.atomic
def job_create(
    *,
    company: Company,
    title: str,
    location: str = "",
    description: str = "",
    status: str = Job.Status.DRAFT,
    created_by: Any = None,
) -> Job:
    return Job.objects.create(
        company=company, title=title, location=location, description=description, status=status, created_by=created_by
    )


@transaction.atomic
def cv_create_from_text(
    *, company: Company, filename: str, text: str, candidate_fields: dict[str, str], uploaded_by: Any = None
) -> CV:
    """Store a plain-text CV with a known candidate (used for demo data)."""
    data = text.encode("utf-8")
    content_hash = hashlib.sha256(data).hexdigest()
    existing = CV.objects.filter(company=company, content_hash=content_hash).first()
    if existing is not None:
        return existing
    candidate = Candidate.objects.create(company=company, **candidate_fields)
    cv = CV(
        company=company,
        candidate=candidate,
        original_filename=filename,
        content_hash=content_hash,
        text=text,
        status=CV.Status.DONE,
        uploaded_by=uploaded_by,
    )
    cv.file.save(filename, ContentFile(data), save=False)
    cv.save()
    return cv
