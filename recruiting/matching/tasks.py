"""Celery task: one candidate's LLM assessment for one job. Takes IDs; a redelivery after the
assessment exists for the candidate's current CV does nothing."""

from __future__ import annotations

from celery import shared_task

from recruiting import selectors
from recruiting.models import Candidate, Job, MatchAssessment


@shared_task(
    acks_late=True,
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
)
def assess_candidate_for_job(job_id: int, candidate_id: int, anonymized: bool) -> None:
    from recruiting.services.matching import NoParsedCV, match_assessment_run

    job = Job.objects.select_related("company").filter(pk=job_id).first()
    if job is None:
        return  # deleted meanwhile
    candidate = Candidate.objects.filter(pk=candidate_id, company_id=job.company_id).first()
    if candidate is None:
        return  # deleted or erased meanwhile
    cv = selectors.candidate_latest_cv(candidate=candidate)
    done = MatchAssessment.objects.filter(
        job=job, candidate=candidate, feature=MatchAssessment.Feature.MATCH_CANDIDATE, anonymized=anonymized, cv=cv
    )
    if cv is None or done.exists():
        return
    try:
        match_assessment_run(job=job, candidate=candidate, anonymized=anonymized)
    except NoParsedCV:
        return
