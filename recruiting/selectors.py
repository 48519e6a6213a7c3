"""Reads of recruiting data. Every query here is scoped to one company (the tenant)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from recruiting.models import CV, Candidate, Company, Interview, Job


def company_for_user(*, user: Any) -> Company | None:
    if user is None or not user.is_authenticated:
        return None
    membership = getattr(user, "membership", None)
    return membership.company if membership is not None else None


def job_list(*, company: Company, status: str = "") -> QuerySet[Job]:
    jobs = Job.objects.filter(company=company).select_related("department")
    if status:
        jobs = jobs.filter(status=status)
    return jobs


def candidate_list(*, company: Company) -> QuerySet[Candidate]:
    return Candidate.objects.filter(company=company)


def cv_list(*, company: Company) -> QuerySet[CV]:
    return CV.objects.filter(company=company).select_related("candidate")


def interview_list(*, company: Company) -> QuerySet[Interview]:
    return Interview.objects.filter(company=company).select_related("candidate", "job", "interviewer")


def company_name(*, company_id: int) -> str:
    """How analytics names a tenant without importing recruiting models."""
    return Company.objects.filter(pk=company_id).values_list("name", flat=True).first() or f"Company #{company_id}"


def company_names(*, company_ids: list[int] | set[int]) -> dict[int, str]:
    """Names of many tenants in one query (analytics' tables and filter menus)."""
    return dict(Company.objects.filter(pk__in=[pk for pk in company_ids if pk]).values_list("pk", "name"))


def user_names(*, user_ids: list[int] | set[int]) -> dict[int, str]:
    """Display names of many users in one query: full name, else username."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(pk__in=[pk for pk in user_ids if pk])
    return {
        pk: f"{first} {last}".strip() or username
        for pk, username, first, last in users.values_list("pk", "username", "first_name", "last_name")
    }
