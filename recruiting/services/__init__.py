"""Writes of recruiting data: keyword-only functions, one transaction each.

Split by entity; everything is re-exported here so callers write `services.job_create(...)`.
"""

from recruiting.services.accounts import company_get_or_create, member_create
from recruiting.services.candidates import (
    CandidateCollisionError,
    audit_record,
    candidate_attach_cvs,
    candidate_create,
    candidate_erase,
    candidate_export,
    candidate_match_or_create,
    candidate_merge,
    candidate_update,
    candidate_update_from_profile,
)
from recruiting.services.cvs import (
    UploadOutcome,
    cv_create_from_text,
    cv_embed,
    cv_extract,
    cv_mark_failed,
    cv_parse,
    cv_process,
    cv_requeue,
    cv_reset,
    cv_upload,
)
from recruiting.services.documents import document_create
from recruiting.services.interviews import interview_create, interview_update
from recruiting.services.jobs import application_move, application_upsert, job_create, job_update
from recruiting.services.matching import match_assessment_run, match_assessment_store, match_assessments_enqueue_top

__all__ = [
    "CandidateCollisionError",
    "UploadOutcome",
    "application_move",
    "application_upsert",
    "audit_record",
    "candidate_attach_cvs",
    "candidate_create",
    "candidate_erase",
    "candidate_export",
    "candidate_match_or_create",
    "candidate_merge",
    "candidate_update",
    "candidate_update_from_profile",
    "company_get_or_create",
    "cv_create_from_text",
    "cv_embed",
    "cv_extract",
    "cv_mark_failed",
    "cv_parse",
    "cv_process",
    "cv_requeue",
    "cv_reset",
    "cv_upload",
    "document_create",
    "interview_create",
    "interview_update",
    "job_create",
    "job_update",
    "match_assessment_run",
    "match_assessment_store",
    "match_assessments_enqueue_top",
    "member_create",
]
