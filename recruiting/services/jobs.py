from __future__ import annotations

from typing import Any

from django.db import transaction

from recruiting.models import Application, Candidate, Company, Job

JOB_EDITABLE_FIELDS = (
    "title",
    "department",
    "location",
    "description",
    "responsibilities",
    "qualifications",
    "skills",
    "benefits",
    "status",
)


def _check_editable(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(JOB_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable job fields: {sorted(unknown)}")


@transaction.atomic
def job_create(
    *,
    company: Company,
    title: str,
    location: str = "",
    description: str = "",
    status: str = Job.Status.DRAFT,
    created_by: Any = None,
    **structured: Any,
) -> Job:
    _check_editable(structured)
    return Job.objects.create(
        company=company,
        title=title,
        location=location,
        description=description,
        status=status,
        created_by=created_by,
        **structured,
    )


@transaction.atomic
def job_update(*, job: Job, **changes: Any) -> Job:
    _check_editable(changes)
    for name, value in changes.items():
        setattr(job, name, value)
    job.save()
    return job


def job_claim_draft_run(*, job: Job, user: Any, run_id: str) -> bool:
    """Links the AI draft run made on the new-job page (no subject yet) to the job it became."""
    from llm.services import ai_run_attach_subject
    from recruiting.drafting.job_posting import FEATURE

    if not run_id.isdigit():
        return False
    return ai_run_attach_subject(
        run_id=int(run_id),
        tenant_id=job.company_id,
        user_id=user.pk,
        feature=FEATURE,
        subject_type=Job._meta.label_lower,
        subject_id=str(job.pk),
    )


@transaction.atomic
def application_upsert(*, candidate: Candidate, job: Job) -> Application:
    if candidate.company_id != job.company_id:
        raise ValueError("candidate and job belong to different companies")
    application, _ = Application.objects.get_or_create(candidate=candidate, job=job, defaults={"company": job.company})
    return application


@transaction.atomic
def application_move(*, application: Application, stage: str) -> Application:
    if stage not in Application.Stage.values:
        raise ValueError(f"unknown stage {stage!r}")
    application.stage = stage
    application.save(update_fields=["stage", "updated_at"])
    return application
