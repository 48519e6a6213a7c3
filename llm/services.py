"""Writes outside the runner's hot path: memory, prices, the reaper."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from llm.budgets import budget_reservations_expire
from llm.models import AiMemory, AiRun, LLMModel, ModelPrice, PromptTemplate
from llm.prompt_files import prompt_files
from llm.selectors import catalog_invalidate

logger = logging.getLogger("llm")


@transaction.atomic
def ai_memory_set(
    *, tenant_id: int, scope_type: str, scope_id: str | int, key: str, value: str, user_id: int | None = None
) -> AiMemory:
    memory, _ = AiMemory.objects.update_or_create(
        tenant_id=tenant_id,
        user_id=user_id,
        scope_type=scope_type,
        scope_id=str(scope_id),
        key=key,
        defaults={"value": value},
    )
    return memory


@transaction.atomic
def model_price_add(
    *,
    model: LLMModel,
    effective_from: datetime,
    input_per_million: Decimal,
    cached_input_per_million: Decimal,
    output_per_million: Decimal,
) -> ModelPrice:
    """A new price row from a date; runs already recorded keep the cost they were charged."""
    price, _ = ModelPrice.objects.update_or_create(
        model=model,
        effective_from=effective_from,
        defaults={
            "input_per_million": input_per_million,
            "cached_input_per_million": cached_input_per_million,
            "output_per_million": output_per_million,
        },
    )
    transaction.on_commit(catalog_invalidate)
    return price


def ai_runs_reap(*, older_than_seconds: float | None = None, now: datetime | None = None) -> int:
    """Finish runs left `running` by a dead process as `lost`, and give back what they reserved.

    Their usage stays the input estimate written when the run started (flagged as estimated).
    Returns how many runs were reaped.
    """
    now = now or timezone.now()
    threshold = settings.LLM_REAP_AFTER_SECONDS if older_than_seconds is None else older_than_seconds
    stale = AiRun.objects.filter(status=AiRun.Status.RUNNING, created_at__lt=now - timedelta(seconds=threshold))
    run_ids = list(stale.values_list("pk", flat=True))
    if not run_ids:
        budget_reservations_expire(now=now)
        return 0
    reaped = AiRun.objects.filter(pk__in=run_ids, status=AiRun.Status.RUNNING).update(
        status=AiRun.Status.LOST,
        usage_estimated=True,
        finished_at=now,
        error_code="lost",
        error_message="The process running this call stopped before recording its end.",
    )
    budget_reservations_expire(run_ids=run_ids)
    budget_reservations_expire(now=now)
    logger.warning("llm runs reaped", extra={"reaped": reaped})
    return reaped


def ai_runs_forget_subject(*, subject_type: str, subject_ids: list[str]) -> int:
    """GDPR erasure: unlink runs from the person they were about and drop their error text
    (it may quote the input). Tokens, cost and timing stay, anonymous, for spend figures."""
    if not subject_ids:
        return 0
    return AiRun.objects.filter(subject_type=subject_type, subject_id__in=subject_ids).update(
        subject_type="", subject_id="", error_message=""
    )


def ai_run_attach_subject(
    *, run_id: int, tenant_id: int, user_id: int, feature: str, subject_type: str, subject_id: str
) -> bool:
    """Links a run made before its object existed (a draft on a "new" page) to that object.
    Only an unclaimed run of the same tenant, user and feature qualifies, so a forged id claims
    nothing."""
    unclaimed = AiRun.objects.filter(pk=run_id, tenant_id=tenant_id, user_id=user_id, feature=feature, subject_type="")
    return unclaimed.update(subject_type=subject_type, subject_id=subject_id) == 1


def prompt_files_sync() -> list[PromptTemplate]:
    """Adds each prompt file whose (slug, version) is not in the database yet, labelled production.

    A new file version therefore ships like code: the newest production version is the one the
    runner uses. Rows that exist are never touched, so edits and labels made in admin survive. An
    empty table (a flushed test database) is left to the seed migration, which loads every file.
    """
    if not PromptTemplate.objects.exists():
        return []
    existing = set(PromptTemplate.objects.values_list("slug", "version"))
    added = [
        PromptTemplate.objects.create(
            slug=prompt.slug,
            version=prompt.version,
            label=PromptTemplate.Label.PRODUCTION,
            description=prompt.description,
            system_template=prompt.system_template,
            user_template=prompt.user_template,
            output_schema=prompt.output_schema,
            model_hint=prompt.model_hint,
            parameters=prompt.parameters,
        )
        for prompt in prompt_files()
        if (prompt.slug, prompt.version) not in existing
    ]
    if added:
        catalog_invalidate()
        logger.info("prompt files added", extra={"prompts": [str(p) for p in added]})
    return added
