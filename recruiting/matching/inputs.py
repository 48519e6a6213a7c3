"""What a match reads from the database records: the job's prompt text, the CV text a model may
see (without instructions aimed at it, and anonymized on request), and the keyword match."""

from __future__ import annotations

from recruiting.ai import cv_text_for_prompt
from recruiting.matching.anonymize import anonymize_cv_text
from recruiting.matching.assessment import job_prompt_text, strip_injected_lines
from recruiting.matching.keywords import KeywordMatch, compute_keyword_match
from recruiting.models import CV, Candidate, Job


def job_text_for(*, job: Job) -> str:
    return job_prompt_text(
        title=job.title,
        location=job.location,
        skills=list(job.skills or []),
        qualifications=list(job.qualifications or []),
        responsibilities=list(job.responsibilities or []),
        description=job.description,
    )


def cv_text_for(*, cv: CV, candidate: Candidate, anonymized: bool) -> tuple[str, list[str]]:
    """The CV text for the prompt and the injection findings removed from it."""
    cleaned, findings = strip_injected_lines(cv.text)
    if anonymized:
        names = [candidate.full_name, str((cv.profile or {}).get("name") or "")]
        cleaned = anonymize_cv_text(cleaned, candidate_id=candidate.pk, names=names)
    return cv_text_for_prompt(cleaned)[0], findings


def keyword_match_for(*, job: Job, cv: CV) -> KeywordMatch:
    cleaned, _ = strip_injected_lines(cv.text)
    return compute_keyword_match(
        job_skills=list(job.skills or []),
        job_required_text="\n".join(job.qualifications or []),
        job_text="\n".join([*(job.responsibilities or []), job.description]),
        cv_text=cleaned,
        cv_skills=list((cv.profile or {}).get("skills") or []),
    )
