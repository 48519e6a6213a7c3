"""Candidates: deduplication, merging, profile updates, GDPR erasure, and the audit trail."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from llm.services import ai_runs_forget_subject
from recruiting.models import CV, Application, AuditEvent, Candidate, Company, Document, Interview
from recruiting.selectors import ContactCollision, candidate_contact_collision

if TYPE_CHECKING:
    from recruiting.services.cvs import UploadOutcome

# What a recruiter types on the create and edit pages.
EDITABLE_FIELDS = ("full_name", "email", "phone", "location")


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


def _live_candidate(*, company: Company, email: str, phone: str) -> Candidate | None:
    collision = candidate_contact_collision(company=company, email=email, phone=phone)
    return collision.candidate if collision is not None else None


@transaction.atomic
def candidate_match_or_create(*, company: Company, full_name: str, email: str, phone: str) -> Candidate:
    """The same email or phone within a company is the same person. The database's unique keys
    settle a race: a concurrent parse that created this person first wins, and is returned."""
    match = _live_candidate(company=company, email=email, phone=phone)
    if match is not None:
        return match
    keys = {"email_key": email_key(email), "phone_key": phone_key(phone)}
    try:
        with transaction.atomic():  # a savepoint: the insert may lose that race
            return Candidate.objects.create(
                company=company, full_name=full_name[:200], email=email[:254], phone=phone[:50], **keys
            )
    except IntegrityError:
        match = _live_candidate(company=company, email=email, phone=phone)
        if match is None:
            raise
        return match


class CandidateCollisionError(Exception):
    """The email or phone belongs to another candidate: the same person, by deduplication."""

    def __init__(self, collision: ContactCollision) -> None:
        super().__init__(f"the {collision.field} belongs to candidate #{collision.candidate.pk}")
        self.collision = collision


def _typed_fields(*, full_name: str, email: str, phone: str, location: str) -> dict[str, str]:
    """A recruiter's input, trimmed to the columns, with the deduplication keys it implies."""
    values = {
        "full_name": full_name.strip()[:200],
        "email": email.strip()[:254],
        "phone": phone.strip()[:50],
        "location": location.strip()[:200],
    }
    return {**values, "email_key": email_key(values["email"]), "phone_key": phone_key(values["phone"])}


def _save_unless_collision(candidate: Candidate, *, company: Company, fields: dict[str, str]) -> None:
    """Save a recruiter's candidate; the database's unique keys refuse an email or phone another
    live candidate holds, and CandidateCollisionError then names that candidate."""
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        collision = candidate_contact_collision(
            company=company, email=fields["email"], phone=fields["phone"], exclude_id=candidate.pk
        )
        if collision is None:
            raise
        raise CandidateCollisionError(collision) from None


@transaction.atomic
def candidate_create(
    *, company: Company, actor: Any, full_name: str, email: str, phone: str, location: str
) -> Candidate:
    """A candidate typed in by a recruiter. Raises CandidateCollisionError when the email or phone
    is already on record, instead of creating the same person twice."""
    fields = _typed_fields(full_name=full_name, email=email, phone=phone, location=location)
    candidate = Candidate(company=company, **fields)
    _save_unless_collision(candidate, company=company, fields=fields)
    filled = [field for field in EDITABLE_FIELDS if fields[field]]
    audit_record(
        company=company,
        actor=actor,
        action=AuditEvent.Action.CHANGED,
        candidate_id=candidate.pk,
        detail="created with " + ", ".join(filled),
    )
    return candidate


@transaction.atomic
def candidate_update(
    *, company: Company, candidate: Candidate, actor: Any, full_name: str, email: str, phone: str, location: str
) -> list[str]:
    """Save a recruiter's edit and return the names of the fields that changed. The audit trail
    records those names only, never the values (they are personal data)."""
    if candidate.company_id != company.pk:
        raise ValueError("candidate belongs to another company")
    fields = _typed_fields(full_name=full_name, email=email, phone=phone, location=location)
    changed = [field for field in EDITABLE_FIELDS if getattr(candidate, field) != fields[field]]
    if not changed:
        return []
    for field, value in fields.items():
        setattr(candidate, field, value)
    _save_unless_collision(candidate, company=company, fields=fields)
    audit_record(
        company=company,
        actor=actor,
        action=AuditEvent.Action.CHANGED,
        candidate_id=candidate.pk,
        detail="changed " + ", ".join(changed),
    )
    return changed


@transaction.atomic
def candidate_attach_cvs(
    *, company: Company, candidate: Candidate, uploaded_by: Any, files: list[tuple[str, bytes]]
) -> list[UploadOutcome]:
    """Upload CV files for a known candidate. The link is set inside this transaction, before the
    processing task is queued (on commit), so parsing enriches this candidate instead of
    matching one by the CV's contact details."""
    from recruiting.services.cvs import cv_upload  # cvs imports this module

    outcomes = []
    for filename, data in files:
        outcome = cv_upload(company=company, uploaded_by=uploaded_by, filename=filename, data=data)
        if outcome.cv is not None:
            CV.objects.filter(pk=outcome.cv.pk).update(candidate=candidate)
            outcome.cv.candidate = candidate
        outcomes.append(outcome)
    return outcomes


@transaction.atomic
def candidate_export(*, company: Company, candidate: Candidate, actor: Any) -> dict[str, Any]:
    """Everything the company holds about a candidate, as JSON-ready data (a subject access
    request), recorded in the audit trail."""
    if candidate.company_id != company.pk:
        raise ValueError("candidate belongs to another company")
    data = {
        "candidate": {
            "id": candidate.pk,
            **{field: getattr(candidate, field) for field in EDITABLE_FIELDS},
            "headline": candidate.headline,
            "skills": candidate.skills,
            "total_years_experience": candidate.total_years_experience,
            "created_at": candidate.created_at.isoformat(),
            "updated_at": candidate.updated_at.isoformat(),
        },
        "cvs": [
            {
                "id": cv.pk,
                "filename": cv.original_filename,
                "file_type": cv.file_type,
                "uploaded_at": cv.created_at.isoformat(),
                "status": cv.status,
                "parser_used": cv.parser_used,
                "prompt_version": cv.prompt_version,
                "profile": cv.profile,
            }
            for cv in candidate.cvs.order_by("id")
        ],
        "applications": [
            {
                "job_id": application.job_id,
                "job_title": application.job.title,
                "stage": application.stage,
                "applied_at": application.created_at.isoformat(),
                "updated_at": application.updated_at.isoformat(),
            }
            for application in candidate.applications.select_related("job").order_by("id")
        ],
        "documents": [
            {
                "id": document.pk,
                "kind": document.kind,
                "title": document.title,
                "content": document.content,
                "data": document.data,
                "job_id": document.job_id,
                "created_at": document.created_at.isoformat(),
            }
            for document in candidate.documents.order_by("id")
        ],
        "interviews": [
            {
                "job_id": interview.job_id,
                "scheduled_at": interview.scheduled_at.isoformat() if interview.scheduled_at else None,
                "notes": interview.notes,
                "feedback": interview.feedback,
            }
            for interview in candidate.interviews.order_by("id")
        ],
    }
    audit_record(
        company=company,
        actor=actor,
        action=AuditEvent.Action.EXPORTED,
        candidate_id=candidate.pk,
        detail=f"JSON export: {len(data['cvs'])} CV(s), {len(data['documents'])} document(s)",
    )
    return data


@transaction.atomic
def candidate_update_from_profile(
    *, candidate: Candidate, profile: dict[str, Any], injection_warnings: list[str]
) -> Candidate:
    """Fill blanks from a parsed profile; never overwrite what a recruiter typed."""
    if not candidate.full_name and profile.get("name"):
        candidate.full_name = str(profile["name"])[:200]
    if not candidate.email and profile.get("email"):
        candidate.email = str(profile["email"])[:254]
        candidate.email_key = _key_unless_taken(candidate, email=candidate.email)
    if not candidate.phone and profile.get("phone"):
        candidate.phone = str(profile["phone"])[:50]
        candidate.phone_key = _key_unless_taken(candidate, phone=candidate.phone)
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


def _key_unless_taken(candidate: Candidate, *, email: str = "", phone: str = "") -> str:
    """The key of a contact read from a CV, or "" when another live candidate already holds it:
    the contact stays on this candidate, the two are probably one person, the merge page decides."""
    taken = candidate_contact_collision(company=candidate.company, email=email, phone=phone, exclude_id=candidate.pk)
    return "" if taken else (email_key(email) if email else phone_key(phone))


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
    keys = {"email_key": keep.email_key or duplicate.email_key, "phone_key": keep.phone_key or duplicate.phone_key}
    # The duplicate gives its keys up first: a key belongs to one unmerged candidate at a time.
    duplicate.merged_into = keep
    duplicate.email_key = duplicate.phone_key = ""
    duplicate.save(update_fields=["merged_into", "email_key", "phone_key", "updated_at"])
    keep.email_key, keep.phone_key = keys["email_key"], keys["phone_key"]
    keep.skills = list(dict.fromkeys([*keep.skills, *duplicate.skills]))
    keep.save()
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
    """GDPR erasure: files, text, embeddings, documents, interviews, chat history (it cascades with
    the CVs) and the candidate itself. AI run cost figures stay, anonymous."""
    if candidate.company_id != company.pk:
        raise ValueError("candidate belongs to another company")
    candidate_id = candidate.pk
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
