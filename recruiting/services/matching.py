"""Match assessments: an LLM (or rule-based) assessment of a candidate for a job, stored so the
ranking page stays fast.

The model call happens outside any transaction: the gateway's AiRun row must survive a failure
here, and SQLite must not stay locked while a model thinks. Only the store is atomic.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction

from llm import runner
from recruiting import selectors
from recruiting.matching import assess, combined_score
from recruiting.matching.assessment import INJECTION_WARNING
from recruiting.matching.inputs import cv_text_for, job_text_for, keyword_match_for
from recruiting.models import CV, Candidate, Job, MatchAssessment

TOP_CANDIDATES_TO_ASSESS = 10


class NoParsedCV(Exception):
    """The candidate has no parsed CV to assess."""


@dataclass(frozen=True)
class MatchInputs:
    """What one assessment reads: the prompt's context, and what the stored result is judged against."""

    job: Job
    candidate: Candidate
    cv: CV
    feature: str
    anonymized: bool
    job_text: str
    cv_text: str  # cleaned of text aimed at an AI; identity removed when anonymized
    injected: bool

    @property
    def context(self) -> dict[str, str]:
        return {"job_text": self.job_text, "cv_text": self.cv_text}


def match_assessment_inputs(
    *, job: Job, candidate: Candidate, feature: str = MatchAssessment.Feature.MATCH_CANDIDATE, anonymized: bool = False
) -> MatchInputs:
    """The inputs of one assessment; raises NoParsedCV when there is nothing to assess."""
    if candidate.company_id != job.company_id:
        raise ValueError("The candidate and the job belong to different companies.")
    cv = selectors.candidate_latest_cv(candidate=candidate)
    if cv is None:
        raise NoParsedCV(f"Candidate #{candidate.pk} has no parsed CV.")
    cv_text, injection_findings = cv_text_for(cv=cv, candidate=candidate, anonymized=anonymized)
    return MatchInputs(
        job=job,
        candidate=candidate,
        cv=cv,
        feature=str(feature),
        anonymized=anonymized,
        job_text=job_text_for(job=job),
        cv_text=cv_text,
        injected=bool(injection_findings),
    )


def match_assessment_run(
    *,
    job: Job,
    candidate: Candidate,
    feature: str = MatchAssessment.Feature.MATCH_CANDIDATE,
    anonymized: bool = False,
    user: Any = None,
) -> MatchAssessment:
    """One gateway call (one AiRun, subject = the candidate), then the stored assessment."""
    inputs = match_assessment_inputs(job=job, candidate=candidate, feature=feature, anonymized=anonymized)
    result = runner.run(
        feature=inputs.feature, context=inputs.context, tenant=job.company, user=user, subject=candidate
    )
    return match_assessment_record(
        inputs,
        output=result.output,
        rule_based=result.rule_based,
        model_used=f"{result.provider}/{result.model}",
        run_id=result.run_id,
    )


def match_assessment_record(
    inputs: MatchInputs, *, output: Any, rule_based: bool, model_used: str, run_id: int | None
) -> MatchAssessment:
    """Scores a finished run's output (from `runner.run` or a stream's complete event) and stores it."""
    output = dict(output or {})
    llm_score = _score(output.get("score"))
    injected = inputs.injected
    if injected and not any(str(w).startswith(INJECTION_WARNING) for w in output.get("warnings") or []):
        output["warnings"] = [f"{INJECTION_WARNING}.", *(output.get("warnings") or [])]
    keyword = keyword_match_for(job=inputs.job, cv=inputs.cv)
    # The rule-based score of the same (cleaned) text caps what a flagged CV can get from a model.
    rule_based_score = assess(job_text=inputs.job_text, cv_text=inputs.cv_text).score if injected else None
    return match_assessment_store(
        job=inputs.job,
        candidate=inputs.candidate,
        cv=inputs.cv,
        feature=inputs.feature,
        anonymized=inputs.anonymized,
        keyword_score=keyword.score,
        llm_score=llm_score,
        combined=combined_score(
            keyword_score=keyword.score, llm_score=llm_score, injected=injected, rule_based_score=rule_based_score
        ),
        injection_flagged=injected,
        output=output,
        rule_based=rule_based,
        model_used=model_used,
        run_id=run_id,
    )


@transaction.atomic
def match_assessment_store(
    *,
    job: Job,
    candidate: Candidate,
    cv: CV,
    feature: str,
    anonymized: bool,
    keyword_score: int,
    llm_score: int | None,
    combined: int,
    injection_flagged: bool,
    output: dict[str, Any],
    rule_based: bool,
    model_used: str,
    run_id: int | None,
) -> MatchAssessment:
    assessment, _ = MatchAssessment.objects.update_or_create(
        job=job,
        candidate=candidate,
        feature=feature,
        anonymized=anonymized,
        defaults={
            "company": job.company,
            "cv": cv,
            "keyword_score": keyword_score,
            "llm_score": llm_score,
            "combined_score": combined,
            "injection_flagged": injection_flagged,
            "output": output,
            "rule_based": rule_based,
            "model_used": model_used,
            "run_id": run_id,
        },
    )
    return assessment


def match_assessments_enqueue_top(*, job: Job, anonymized: bool, limit: int = TOP_CANDIDATES_TO_ASSESS) -> list[int]:
    """Queue LLM assessments for the top `limit` candidates by keyword score that lack a current one."""
    from recruiting.matching.tasks import assess_candidate_for_job

    ranked = selectors.job_ranking(job=job, anonymized=anonymized)
    candidate_ids = [row.candidate.pk for row in ranked if row.assessment is None][:limit]
    for candidate_id in candidate_ids:
        transaction.on_commit(partial(assess_candidate_for_job.delay, job.pk, candidate_id, anonymized))
    return candidate_ids


def _score(value: Any) -> int | None:
    try:
        return max(0, min(100, round(float(value))))
    except (TypeError, ValueError):
        return None


ANONYMIZED_REVIEW_SESSION_KEY = "anonymized_review"


def anonymized_review_on(session: Any) -> bool:
    """The recruiter's "anonymized review" switch as the session holds it (the ranking page sets it)."""
    return bool(session.get(ANONYMIZED_REVIEW_SESSION_KEY, False)) if session is not None else False
