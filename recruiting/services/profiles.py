"""Company and department profiles: AI drafts (extract_company_info, generate_department_profile)
that a person reviews, and the writes that save what they confirmed.

The drafting functions only call the gateway (one AiRun each, about the company or department);
nothing is saved until `company_profile_save` / `department_update` run on the reviewed form.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction

from recruiting.drafting.html_text import MAX_TEXT_CHARS, html_to_text, looks_like_html
from recruiting.drafting.safe_fetch import fetch_public_page
from recruiting.models import Company, Department


def company_site_text(*, text: str = "", html: bytes | None = None, url: str = "") -> tuple[str, str]:
    """(site text, source URL) from pasted text, an uploaded HTML page or a public URL. Markup is
    reduced to its visible text; fetching refuses private addresses (safe_fetch.FetchRefused)."""
    source_url = ""
    if url:
        page = fetch_public_page(url)
        text, source_url = page.text, page.url
    elif html is not None:
        text = html.decode("utf-8", "replace")
    if looks_like_html(text) or html is not None or url:
        text = html_to_text(text)
    return text.strip()[:MAX_TEXT_CHARS], source_url


# A read source waits this long for its extraction socket.
COMPANY_SOURCE_TTL_SECONDS = 15 * 60


@dataclass(frozen=True)
class CompanySource:
    """Site text read from a source, waiting to be streamed through extract_company_info."""

    site_text: str
    source_url: str


def _company_source_key(token: str) -> str:
    return f"recruiting:company-source:{token}"


def company_source_store(*, company: Company, user: Any, site_text: str, source_url: str) -> str:
    """Keeps the read text server-side (uploads cannot go over the socket) under an unguessable
    id bound to the company and the user; the extraction socket opens with that id."""
    token = secrets.token_urlsafe(24)
    entry = {"company_id": company.pk, "user_id": user.pk, "site_text": site_text, "source_url": source_url}
    cache.set(_company_source_key(token), entry, COMPANY_SOURCE_TTL_SECONDS)
    return token


def company_source_load(*, token: str, company: Company, user: Any) -> CompanySource | None:
    """The stored source if `token` belongs to this company and user; None otherwise."""
    entry = cache.get(_company_source_key(token))
    if not entry or entry["company_id"] != company.pk or entry["user_id"] != user.pk:
        return None
    return CompanySource(site_text=entry["site_text"], source_url=entry["source_url"])


def company_source_discard(*, token: str) -> None:
    """Spends the id once its extraction completed."""
    cache.delete(_company_source_key(token))


@transaction.atomic
def company_profile_save(
    *,
    company: Company,
    name: str,
    website: str = "",
    industry: str = "",
    size: str = "",
    mission: str = "",
    values: list[str] | None = None,
    profile: dict[str, Any] | None = None,
    new_departments: list[str] | None = None,
) -> list[Department]:
    """Saves the reviewed profile; creates the departments listed that the company lacks."""
    company.name, company.website, company.industry, company.size = name, website, industry, size
    company.mission, company.values = mission, list(values or [])
    company.profile = dict(profile or {})
    company.save(update_fields=["name", "website", "industry", "size", "mission", "values", "profile"])
    existing = {name.casefold() for name in company.departments.values_list("name", flat=True)}
    created = []
    for department_name in new_departments or []:
        if department_name.casefold() not in existing:
            created.append(department_create(company=company, name=department_name))
            existing.add(department_name.casefold())
    return created


@transaction.atomic
def department_create(
    *,
    company: Company,
    name: str,
    description: str = "",
    technologies: list[str] | None = None,
    job_templates: list[str] | None = None,
) -> Department:
    return Department.objects.create(
        company=company,
        name=name[:200],
        description=description,
        technologies=list(technologies or []),
        job_templates=list(job_templates or []),
    )


DEPARTMENT_EDITABLE_FIELDS = ("name", "description", "technologies", "job_templates")


@transaction.atomic
def department_update(*, department: Department, **changes: Any) -> Department:
    unknown = set(changes) - set(DEPARTMENT_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable department fields: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(department, name, value)
    department.save(update_fields=list(changes))
    return department
