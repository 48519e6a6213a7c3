"""After the call: settle the budget, record the AiRun, fill the cache, log one line."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DatabaseError, router, transaction
from django.utils import timezone

from llm.budgets import budget_alert_if_over, budget_close_holds, closing_status
from llm.errors import LLMError, ProviderError, RefusedError
from llm.exact_cache import CachedAnswer, cache_put
from llm.models import AiRun, Budget
from llm.pricing import cost_of
from llm.ratelimits import rate_limit_record_output
from llm.redis_clients import SentCommands, send_pipeline, shared_pipeline
from llm.router import Target, provider_record_success
from llm.runner import pg
from llm.runner.admission import Admission
from llm.runner.types import RunResult
from llm.tokens import count_text
from llm.types import Usage

logger = logging.getLogger("llm")
Status = AiRun.Status


@dataclass
class Outcome:
    """What happened during the provider calls; usage and cost add up over every attempt that
    reached a model (an invalid answer and its repair are both paid for)."""

    status: str = Status.FAILED
    text: str = ""
    output: Any = None
    vectors: list[list[float]] = field(default_factory=list)
    target: Target | None = None
    usage: Usage = field(default_factory=Usage)
    cost: Decimal = Decimal(0)
    cost_saved: Decimal = Decimal(0)
    attempts: int = 0
    fallback_used: bool = False
    error: LLMError | None = None
    queue_ms: int | None = None
    ttft_ms: int | None = None
    repaired: bool = False  # the JSON answer was invalid and the model's one repair is what stands

    def add_usage(self, usage: Usage, target: Target) -> None:
        self.usage = Usage(
            input_tokens=self.usage.input_tokens + usage.input_tokens,
            cached_input_tokens=self.usage.cached_input_tokens + usage.cached_input_tokens,
            output_tokens=self.usage.output_tokens + usage.output_tokens,
            reasoning_tokens=self.usage.reasoning_tokens + usage.reasoning_tokens,
            estimated=self.usage.estimated or usage.estimated,
        )
        self.cost += cost_of(usage, target.price)

    def add_estimated_usage(self, admission: Admission, target: Target, partial_text: str) -> None:
        """An interrupted stream or a cancelled call: count what was sent and received ourselves."""
        output_tokens = count_text(partial_text, target.model.name) if partial_text else 0
        self.add_usage(
            Usage(input_tokens=admission.input_estimate, output_tokens=output_tokens, estimated=True), target
        )

    def fail(self, error: LLMError) -> None:
        self.status = Status.REFUSED if isinstance(error, RefusedError) else Status.FAILED
        self.error = error


def cached_outcome(admission: Admission, answer: CachedAnswer) -> Outcome:
    assert admission.primary is not None
    return Outcome(
        status=Status.CACHED,
        text=answer.text,
        target=admission.primary,
        usage=answer.usage,
        cost_saved=cost_of(answer.usage, admission.primary.price),
    )


def _error_fields(error: LLMError | None) -> dict[str, Any]:
    if error is None:
        return {"error_code": "", "error_message": "", "retryable": False, "retry_after": None}
    return {
        "error_code": error.code[:50],
        "error_message": error.message[:500],
        "retryable": bool(getattr(error, "retryable", False)) or isinstance(error, ProviderError),
        "retry_after": getattr(error, "retry_after", None),
    }


def _end_fields(admission: Admission, outcome: Outcome, result: RunResult) -> dict[str, Any]:
    target = outcome.target or admission.primary
    usage = outcome.usage
    reached_model = outcome.attempts > 0 or outcome.status == Status.CACHED
    fields: dict[str, Any] = {
        "status": outcome.status,
        "cost": outcome.cost,
        "cost_saved": outcome.cost_saved,
        "latency_ms": result.latency_ms,
        "ttft_ms": outcome.ttft_ms,
        "queue_ms": outcome.queue_ms,
        "attempts": outcome.attempts,
        "fallback_used": outcome.fallback_used,
        "cache_hit": outcome.status == Status.CACHED,
        "error_code": result.error_code,
        "error_message": result.error_message,
        "finished_at": timezone.now(),
    }
    if target is not None:
        fields.update(provider=target.provider.name, model=target.model.name)
    if reached_model:
        fields.update(
            input_tokens=usage.input_tokens,
            cached_input_tokens=usage.cached_input_tokens,
            output_tokens=usage.output_tokens,
            reasoning_tokens=usage.reasoning_tokens,
            usage_estimated=usage.estimated,
        )
    else:  # refused or failed before any model saw it: nothing was used
        fields.update(input_tokens=0, usage_estimated=False)
    return fields


def _record_run(admission: Admission, outcome: Outcome, result: RunResult) -> None:
    AiRun.objects.filter(pk=admission.run_id).update(**_end_fields(admission, outcome, result))


def _log(admission: Admission, outcome: Outcome, result: RunResult) -> None:
    extra: dict[str, Any] = {
        "run_id": result.run_id,
        "feature": result.feature,
        "provider": result.provider,
        "model": result.model,
        "status": result.status,
        "input_tokens": result.usage.input_tokens,
        "output_tokens": result.usage.output_tokens,
        "cost": f"{result.cost:f}",
        "latency_ms": result.latency_ms,
        "streaming": admission.spec.streaming,
        "attempts": result.attempts,
        "error_code": result.error_code,
        "request_id": result.request_id,
    }
    if settings.LLM_LOG_CONTENT:
        extra.update(messages=admission.messages, answer=outcome.text)
    logger.info("llm call", extra=extra)


def _record(admission: Admission, outcome: Outcome, result: RunResult) -> None:
    """The database side of the end, in one transaction: the budget holds settle (or are given
    back) together with the AiRun's final state, and a provider that answered leaves its failure
    streak. Without holds it is a single UPDATE."""
    target = outcome.target or admission.primary
    reset_provider = (
        outcome.status == Status.SUCCEEDED
        and target is not None
        and not target.is_local
        and target.provider.consecutive_failures > 0  # the catalog's copy; failures refresh it
    )
    alias = pg.single_database()
    if alias is not None:  # one statement: holds closed and the AiRun finished together
        over_cap = pg.finish_statement(
            alias=alias,
            run_id=admission.run_id,
            run_fields=_end_fields(admission, outcome, result),
            holds=[(hold.pk, hold.budget_id) for hold in admission.holds],
            reservation_status=closing_status(outcome.cost),
            actual=outcome.cost,
        )
        budget_alert_if_over(over_cap)
        if reset_provider:
            assert target is not None
            provider_record_success(provider_id=target.provider.pk)
        return
    if not admission.holds and not reset_provider:
        _record_run(admission, outcome, result)
        return
    with transaction.atomic(using=router.db_for_write(Budget)):
        if admission.holds:
            budget_close_holds(holds=admission.holds, actual=outcome.cost)
        _record_run(admission, outcome, result)
        if reset_provider:
            assert target is not None
            provider_record_success(provider_id=target.provider.pk)


def _send_count_and_cache(admission: Admission, outcome: Outcome, target: Target | None) -> SentCommands:
    """Output tokens into the TPM counters and a paid answer into the exact cache: one Redis round
    trip when both live in the same Redis, sent now and read after the database write."""
    spec = admission.spec
    cacheable = outcome.status == Status.SUCCEEDED and admission.cache_key and target is admission.primary
    pipeline = shared_pipeline(settings.LLM_EXACT_CACHE, settings.LLM_RATE_LIMIT_CACHE)
    if cacheable and target is not None and not target.is_local:
        answer = CachedAnswer(
            text=outcome.text, usage=outcome.usage, model=target.model.name, provider=target.provider.name
        )
        cache_put(admission.cache_key, answer, pipeline=pipeline)
    if outcome.usage.output_tokens:
        rate_limit_record_output(
            tenant_id=spec.tenant_id,
            user_id=spec.user_id,
            plan=spec.plan,
            output_tokens=outcome.usage.output_tokens,
            pipeline=pipeline,
        )
    return send_pipeline(pipeline)


def end_result(admission: Admission, outcome: Outcome) -> RunResult:
    """What the caller gets back: the call's end, worked out before (or without) writing it."""
    spec = admission.spec
    target = outcome.target or admission.primary
    return RunResult(
        run_id=admission.run_id,
        feature=spec.feature,
        status=str(outcome.status),
        text=outcome.text,
        output=outcome.output,
        vectors=outcome.vectors,
        provider=target.provider.name if target else "",
        model=target.model.name if target else "",
        prompt_version=admission.prompt_version,
        usage=outcome.usage,
        cost=outcome.cost,
        cost_saved=outcome.cost_saved,
        latency_ms=admission.elapsed_ms,
        ttft_ms=outcome.ttft_ms,
        attempts=outcome.attempts,
        fallback_used=outcome.fallback_used,
        repaired=outcome.repaired,
        cached=outcome.status == Status.CACHED,
        request_id=spec.request_id,
        **_error_fields(outcome.error),
    )


def record_end(admission: Admission, outcome: Outcome, result: RunResult, *, tries: int = 1) -> None:
    """Write the end of the call: settle or release the reservation, record and log the run.

    `tries` > 1: a database error is retried on a fresh connection (the end only closes holds still
    open, so a write that did land is not counted twice)."""
    target = outcome.target or admission.primary
    # Redis and the database work at once: the counters and the cache fill are on the wire while
    # the run is recorded.
    sent = _send_count_and_cache(admission, outcome, target)
    try:
        for tries_left in range(tries - 1, -1, -1):
            try:
                _record(admission, outcome, result)
                break
            except DatabaseError:
                if not tries_left:
                    raise
                pg.drop_unusable_connections()
    finally:
        for reply in sent.replies():
            if isinstance(reply, Exception):  # the answer and its record stand; say what Redis refused
                logger.warning("llm counters or cache fill refused by Redis", extra={"error": str(reply)[:200]})
    _log(admission, outcome, result)


def finish(admission: Admission, outcome: Outcome) -> RunResult:
    """Close the call: settle or release the reservation, then record and log the run. Exactly once."""
    result = end_result(admission, outcome)
    record_end(admission, outcome, result)
    return result
