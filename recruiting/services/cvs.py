"""The CV pipeline's writes: upload, then extract → parse → embed, each step idempotent.

Each step checks whether its result already exists before doing work, so a task that is
redelivered after a worker died (acks_late) finishes the CV without doing a step twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from recruiting import ai
from recruiting.extraction import MAX_UPLOAD_BYTES, detect_file_type, extract_text
from recruiting.extraction.result import ExtractionFailure
from recruiting.models import CV, AuditEvent, Company
from recruiting.parsing.injection import detect_injection
from recruiting.services.candidates import audit_record, candidate_match_or_create, candidate_update_from_profile

FINAL_STATUSES = {CV.Status.DONE, CV.Status.FAILED}


@dataclass(frozen=True)
class UploadOutcome:
    filename: str
    cv: CV | None = None
    duplicate_of: CV | None = None
    error: str = ""

    @property
    def accepted(self) -> bool:
        return self.cv is not None


def cv_upload(*, company: Company, uploaded_by: Any, filename: str, data: bytes) -> UploadOutcome:
    """Store one uploaded file and queue it; returns at once. Size and type are checked by
    content; a file already on record (same bytes) is reported, not stored twice."""
    filename = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255] or "cv"
    if not data:
        return UploadOutcome(filename, error="The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        return UploadOutcome(filename, error=f"The file is larger than the {MAX_UPLOAD_BYTES // 1_048_576} MB limit.")
    try:
        file_type = detect_file_type(data)
    except ExtractionFailure as failure:
        return UploadOutcome(filename, error=failure.message)
    content_hash = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        existing = CV.objects.filter(company=company, content_hash=content_hash).first()
        if existing is not None:
            return UploadOutcome(filename, duplicate_of=existing)
        cv = CV(
            company=company,
            original_filename=filename,
            content_hash=content_hash,
            file_type=file_type,
            size_bytes=len(data),
            uploaded_by=uploaded_by if getattr(uploaded_by, "is_authenticated", False) else None,
        )
        cv.file.save(f"{content_hash[:16]}.{file_type}", ContentFile(data), save=False)
        cv.save()
        audit_record(
            company=company,
            actor=uploaded_by,
            action=AuditEvent.Action.UPLOADED,
            candidate_id=None,
            detail=f"CV #{cv.pk}",
        )
        _enqueue_processing(cv.pk)
    return UploadOutcome(filename, cv=cv)


def _enqueue_processing(cv_id: int) -> None:
    from recruiting.tasks import process_cv  # tasks import services; import late to avoid a cycle

    transaction.on_commit(lambda: process_cv.delay(cv_id))


@transaction.atomic
def cv_reset(*, cv: CV, steps: set[str]) -> CV:
    """Forget the results of the named steps ("parse", "embed") so that processing redoes them;
    a new profile needs a new embedding."""
    if "parse" in steps:
        cv.parsed_at = None
    if steps & {"parse", "embed"}:
        cv.embedded_at = None
    cv.status = CV.Status.QUEUED
    cv.status_message = ""
    cv.save(update_fields=["parsed_at", "embedded_at", "status", "status_message"])
    return cv


@transaction.atomic
def cv_requeue(*, cv: CV, steps: set[str]) -> CV:
    """Reset the named steps and queue the CV for the worker."""
    cv_reset(cv=cv, steps=steps)
    _enqueue_processing(cv.pk)
    return cv


def cv_process(*, cv: CV, user: Any = None) -> bool:
    """Run the steps a CV still needs: extract, parse, embed. False when extraction refused the
    file (the CV is failed with the reason); exceptions are left to the caller."""
    if not cv_extract(cv=cv):
        return False
    cv_parse(cv=cv, user=user)
    cv_embed(cv=cv, user=user)
    _set_status(cv, CV.Status.DONE)
    return True


def _set_status(cv: CV, status: str, message: str = "") -> None:
    cv.status, cv.status_message = status, message[:500]
    CV.objects.filter(pk=cv.pk).update(status=status, status_message=cv.status_message)


def cv_mark_failed(*, cv: CV, message: str) -> None:
    _set_status(cv, CV.Status.FAILED, message)


def cv_extract(*, cv: CV) -> bool:
    """Extract text once. False when the CV cannot go further (status failed, with the reason)."""
    if cv.text:
        return True
    _set_status(cv, CV.Status.EXTRACTING)
    with cv.file.open("rb") as handle:
        data = handle.read()
    result = extract_text(data=data, filename=cv.original_filename)
    if not result.ok:
        cv_mark_failed(cv=cv, message=result.error_message)
        return False
    warnings = list(result.warnings)
    if result.hidden_text:
        warnings.append(f"Hidden text found in the file: “{result.hidden_text[:200]}”")
    cv.text, cv.hidden_text = result.text, result.hidden_text
    cv.file_type, cv.warnings = result.file_type or cv.file_type, warnings
    cv.save(update_fields=["text", "hidden_text", "file_type", "warnings"])
    return True


def cv_parse(*, cv: CV, user: Any = None) -> None:
    """Parse the text into a profile through the gateway, then link the CV to its candidate."""
    if cv.parsed_at is not None:
        return
    _set_status(cv, CV.Status.PARSING)
    parsed = ai.parse_cv(cv=cv, user=user)
    injection = detect_injection(cv.text) + detect_injection(cv.hidden_text)
    if cv.hidden_text:
        injection.append("hidden text (e.g. white-on-white) in the file")
    with transaction.atomic():
        locked = CV.objects.select_for_update().get(pk=cv.pk)
        if locked.parsed_at is not None:  # another delivery of the same task finished first
            return
        profile = parsed.profile
        candidate = locked.candidate or candidate_match_or_create(
            company=locked.company,
            full_name=str(profile.get("name") or ""),
            email=str(profile.get("email") or ""),
            phone=str(profile.get("phone") or ""),
        )
        candidate_update_from_profile(candidate=candidate, profile=profile, injection_warnings=injection)
        locked.candidate = candidate
        locked.profile = profile
        locked.parser_used = parsed.parser_used
        locked.prompt_version = parsed.prompt_version
        locked.parsed_at = timezone.now()
        locked.warnings = list(
            dict.fromkeys([*locked.warnings, *(f"Possible prompt injection: {w}" for w in injection)])
        )
        locked.save()
    cv.refresh_from_db()


def cv_embed(*, cv: CV, user: Any = None) -> None:
    if cv.embedded_at is not None:
        return
    _set_status(cv, CV.Status.EMBEDDING)
    vector, model_name = ai.embed_cv(cv=cv, user=user)
    CV.objects.filter(pk=cv.pk).update(embedding=vector, embedding_model=model_name, embedded_at=timezone.now())
    cv.embedding, cv.embedding_model = vector, model_name


def cv_create_from_text(*, company: Company, filename: str, text: str, uploaded_by: Any = None) -> UploadOutcome:
    """Upload a plain-text CV (demo data and tests go through the same pipeline as files)."""
    return cv_upload(company=company, uploaded_by=uploaded_by, filename=filename, data=text.encode("utf-8"))
