"""Candidates: deduplication, merging, profile updates, GDPR erasure, and the audit trail."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import transaction

from llm.services import ai_runs_forget_subject
from recruiting.models import CV, Application, AuditEvent, Candidate, Company, Document, Interview

# Other apps (chat) own data about a candidate that erasure must remove; they register a
# function here in their AppConfig.ready(), so that recruiting never imports them.
CandidateEraser = Callable[[Candidate], None]
_erasers: list[CandidateEraser] = []


def register_candidate_eraser(eraser: CandidateEraser) -> None:
    if eraser not in _erasers:
        _erasers.append(eraser)


def email_key(email: str) -> str:
    return email.strip().lower()


def phone_key(phone: str) -> str:
    """Digits only, with the international 00 prefix and a national trunk (0) folded away, so
    that "+49 (0)30 1234567", "0049 30 1234567" and "+49 30 1234567" compare equal."""
    digits = re.sub(r"\(0\)", "", phone)
    digits = re.sub(r"\D", "", digits)
    if digits.startswith("00"):
        digits = digits[2:]
    return digits if len(digits) >= 7 else ""


@transaction.atomic
def audit_record(*, company: Company, actor: Any, action: str, candidate_id: int | None, detail: str = "") -> None:
    AuditEvent.objects.create(
        company=company,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        action=action,
        candidate_id=candidate_id,
        detail=detail[:300],
    )


@transaction.atomic
def candidate_match_or_create(*, company: Company, full_name: str, email: str, phone: str) -> Candidate:
    """The same email or phone within a company is the same person."""
    keys = {"email_key": email_key(email), "phone_key": phone_key(phone)}
    for field, key in keys.items():
        if key:
            match = (
                Candidate.objects.select_for_update()
                .filter(company=company, merged_into=None, **{field: key})
                .order_by("id")
                .first()
            )
            if match is not None:
                return match
    return Candidate.objects.create(
        company=company, full_name=full_name[:200], email=email[:254], phone=phone[:50], **keys
    )


@transaction.atomic
def candidate_update_from_profile(
    *, candidate: Candidate, profile: dict[str, Any], injection_warnings: list[str]
) -> Candidate:
    """Fill blanks from a parsed profile; never overwrite what a recruiter typed."""
    if not candidate.full_name and profile.get("name"):
        candidate.full_name = str(profile["name"])[:200]
    if not candidate.email and profile.get("email"):
        candidate.email = str(profile["email"])[:254]
        candidate.email_key = email_key(candidate.email)
    if not candidate.phone and profile.get("phone"):
        candidate.phone = str(profile["phone"])[:50]
        candidate.phone_key = phone_key(candidate.phone)
    if not candidate.location and profile.get("location"):
        candidate.location = str(profile["location"])[:200]
    experience = profile.get("experience") or []
    if experience and isinstance(experience[0], dict):
        latest = experience[0]
        headline = " at ".join(part for part in (latest.get("title"), latest.get("employer")) if part)
        candidate.headline = headline[:300]
    skills = [str(skill) for skill in profile.get("skills") or []]
    candidate.skills = list(dict.fromkeys([*candidate.skills, *skills]))[:200]
    years = profile.get("total_years_experience")
    if isinstance(years, int | float):
        candidate.total_years_experience = float(years)
    candidate.injection_warnings = list(dict.fromkeys([*candidate.injection_warnings, *injection_warnings]))
    candidate.save()
    return candidate


@transaction.atomic
def candidate_merge(*, company: Company, keep: Candidate, duplicate: Candidate, actor: Any) -> Candidate:
    """Move everything of `duplicate` onto `keep`; the duplicate stays as a pointer."""
    if keep.pk == duplicate.pk or keep.company_id != company.pk or duplicate.company_id != company.pk:
        raise ValueError("can only merge two different candidates of the same company")
    CV.objects.filter(candidate=duplicate).update(candidate=keep)
    Document.objects.filter(candidate=duplicate).update(candidate=keep)
    Interview.objects.filter(candidate=duplicate).update(candidate=keep)
    for application in Application.objects.filter(candidate=duplicate):
        if Application.objects.filter(candidate=keep, job=application.job_id).exists():
            application.delete()
        else:
            application.candidate = keep
            application.save(update_fields=["candidate"])
    for field in ("full_name", "email", "phone", "location", "headline"):
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
    keep.email_key = keep.email_key or duplicate.email_key
    keep.phone_key = keep.phone_key or duplicate.phone_key
    keep.skills = list(dict.fromkeys([*keep.skills, *duplicate.skills]))
    keep.save()
    duplicate.merged_into = keep
    duplicate.email_key = duplicate.phone_key = ""
    duplicate.save(update_fields=["merged_into", "email_key", "phone_key", "updated_at"])
    audit_record(
        company=company,
        actor=actor,
        action=AuditEvent.Action.MERGED,
        candidate_id=keep.pk,
        detail=f"merged candidate #{duplicate.pk}",
    )
    return keep


@transaction.atomic
def candidate_erase(*, company: Company, candidate: Candidate, actor: Any) -> dict[str, int]:
    """GDPR erasure: files, text, embeddings, documents, interviews, chat history (through the
    registered erasers) and the candidate itself. AI run cost figures stay, anonymous."""
    if candidate.company_id != company.pk:
        raise ValueError("candidate belongs to another company")
    candidate_id = candidate.pk
    for eraser in _erasers:
        eraser(candidate)
    cvs = list(CV.objects.filter(candidate=candidate))
    for cv in cvs:
        if cv.file:
            cv.file.delete(save=False)
    ai_runs_forget_subject(subject_type=CV._meta.label_lower, subject_ids=[str(cv.pk) for cv in cvs])
    ai_runs_forget_subject(subject_type=Candidate._meta.label_lower, subject_ids=[str(candidate_id)])
    counts = {
        "cvs": len(cvs),
        "documents": Document.objects.filter(candidate=candidate).count(),
        "interviews": Interview.objects.filter(candidate=candidate).count(),
    }
    Candidate.objects.filter(merged_into=candidate).delete()
    candidate.delete()  # cascades to CVs (text, profile, embedding), documents, applications, interviews
    audit_record(
        company=company,
        actor=actor,
        action=AuditEvent.Action.ERASED,
        candidate_id=candidate_id,
        detail=f"erased {counts['cvs']} CV(s), {counts['documents']} document(s)",
    )
    return counts
