"""Interviews: schedule one for an application, keep its notes, save its feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from recruiting.models import Application, Interview


def _check_interviewer(*, interviewer: Any, company_id: int) -> None:
    membership = getattr(interviewer, "membership", None) if interviewer is not None else None
    if interviewer is not None and (membership is None or membership.company_id != company_id):
        raise ValueError("the interviewer must be a member of the interview's company")


@transaction.atomic
def interview_create(
    *,
    application: Application,
    interviewer: Any = None,
    scheduled_at: datetime | None = None,
    notes: str = "",
) -> Interview:
    """An interview for the application's candidate and job; the application moves to the
    interview stage if it was still earlier in the pipeline."""
    _check_interviewer(interviewer=interviewer, company_id=application.company_id)
    interview = Interview.objects.create(
        company_id=application.company_id,
        candidate_id=application.candidate_id,
        job_id=application.job_id,
        interviewer=interviewer,
        scheduled_at=scheduled_at,
        notes=notes,
    )
    if application.stage in (Application.Stage.APPLIED, Application.Stage.SCREENING):
        application.stage = Application.Stage.INTERVIEW
        application.save(update_fields=["stage", "updated_at"])
    return interview


@transaction.atomic
def interview_update(
    *,
    interview: Interview,
    notes: str,
    feedback: str,
    recommendation: str,
    interviewer: Any = None,
    scheduled_at: datetime | None = None,
    feedback_run_id: int | None = None,
) -> Interview:
    """Save what the interviewer edited. `feedback_run_id` names the AI run the feedback started
    from; feedback typed by hand (no run) clears it."""
    if recommendation and recommendation not in Interview.Recommendation.values:
        raise ValueError(f"unknown recommendation {recommendation!r}")
    _check_interviewer(interviewer=interviewer, company_id=interview.company_id)
    interview.notes = notes
    interview.feedback = feedback
    interview.recommendation = recommendation
    interview.interviewer = interviewer
    interview.scheduled_at = scheduled_at
    interview.feedback_run_id = feedback_run_id if feedback.strip() else None
    interview.save()
    return interview
