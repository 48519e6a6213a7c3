"""After the call: settle the budget, record the AiRun, fill the cache, log one line."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

import redis
from django.conf import settings
from django.db import DatabaseError, router, transaction
from django.utils import timezone
from redis.client import Pipeline

from llm.budgets import budget_alert_if_over, budget_close_holds, closing_status
from llm.errors import LLMError, ProviderError, RefusedError
from llm.exact_cache import CachedAnswer, cache_put
from llm.models import AiRun, Budget
from llm.pricing import cost_of
from llm.ratelimits import OutputTokens, rate_limit_record_outputs
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

    def count_interrupted(self, admission: Admission, partial_text: str = "") -> None:
        """A call cancelled or broken off before the provider reported usage: what was sent (and
        `partial_text` received) is estimated. An early request that may be out though the chain
        never took it (attempts.send_early_call_if_admitted) is one attempt on the first target."""
        if admission.early_sent and self.target is None and admission.primary is not None:
            self.target, self.attempts = admission.primary, 1
        if self.target is not None and self.usage.total_tokens == 0:
            self.add_estimated_usage(admission, self.target, partial_text)

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


def _provider_to_reset(admission: Admission, outcome: Outcome) -> Target | None:
    """The provider whose failure streak this call's success ends, if it has one."""
    target = outcome.target or admission.primary
    if (
        outcome.status == Status.SUCCEEDED
        and target is not None
        and not target.is_local
        and target.provider.consecutive_failures > 0  # the catalog's copy; failures refresh it
    ):
        return target
    return None


def _pg_end(admission: Admission, outcome: Outcome, result: RunResult) -> pg.RunEnd:
    return pg.RunEnd(
        run_id=admission.run_id,
        run_fields=_end_fields(admission, outcome, result),
        holds=[(hold.pk, hold.budget_id) for hold in admission.holds],
        reservation_status=closing_status(outcome.cost),
        actual=outcome.cost,
    )


def _record(admission: Admission, outcome: Outcome, result: RunResult) -> None:
    """The database side of the end, in one transaction: the budget holds settle (or are given
    back) together with the AiRun's final state, and a provider that answered leaves its failure
    streak. Without holds it is a single UPDATE."""
    alias = pg.single_database()
    if alias is not None:  # one statement: holds closed and the AiRun finished together
        _record_on_postgres(alias, [AnsweredEnd(admission, outcome, result)])
        return
    target = _provider_to_reset(admission, outcome)
    if not admission.holds and target is None:
        _record_run(admission, outcome, result)
        return
    with transaction.atomic(using=router.db_for_write(Budget)):
        if admission.holds:
            budget_close_holds(holds=admission.holds, actual=outcome.cost)
        _record_run(admission, outcome, result)
        if target is not None:
            provider_record_success(provider_id=target.provider.pk)


def _record_on_postgres(alias: str, ends: Sequence[AnsweredEnd]) -> None:
    """One statement per set of AiRun columns written (the ends of successful calls all write the
    same ones)."""
    by_columns: dict[tuple[str, ...], list[pg.RunEnd]] = {}
    for end in ends:
        run_end = _pg_end(*end)
        by_columns.setdefault(tuple(sorted(run_end.run_fields)), []).append(run_end)
    for same_columns in by_columns.values():
        budget_alert_if_over(pg.finish_statement(alias=alias, ends=same_columns))
    for end in ends:
        target = _provider_to_reset(end.admission, end.outcome)
        if target is not None:
            provider_record_success(provider_id=target.provider.pk)


def _queue_cache_fill(admission: Admission, outcome: Outcome, pipeline: Pipeline | None) -> None:
    """A paid answer into the exact cache, queued on `pipeline` when there is one."""
    target = outcome.target or admission.primary
    cacheable = outcome.status == Status.SUCCEEDED and admission.cache_key and target is admission.primary
    if cacheable and target is not None and not target.is_local:
        answer = CachedAnswer(
            text=outcome.text, usage=outcome.usage, model=target.model.name, provider=target.provider.name
        )
        cache_put(admission.cache_key, answer, pipeline=pipeline)


def _output_tokens(admission: Admission, outcome: Outcome) -> OutputTokens:
    spec = admission.spec
    return OutputTokens(spec.tenant_id, spec.user_id, spec.plan, outcome.usage.output_tokens)


def _send_counts_and_cache(ends: Sequence[AnsweredEnd]) -> SentCommands:
    """Output tokens into the TPM counters and paid answers into the exact cache: one Redis round
    trip when both live in the same Redis, sent now and read after the database write. Redis out
    of reach loses these, not the records (the database write goes on)."""
    pipeline = shared_pipeline(settings.LLM_EXACT_CACHE, settings.LLM_RATE_LIMIT_CACHE)
    try:
        for end in ends:
            _queue_cache_fill(end.admission, end.outcome, pipeline)
        rate_limit_record_outputs([_output_tokens(end.admission, end.outcome) for end in ends], pipeline=pipeline)
        return send_pipeline(pipeline)
    except redis.RedisError as error:
        _counts_and_cache_lost(error)
        return SentCommands()


def _read_replies(sent: SentCommands) -> None:
    try:
        replies = sent.replies()
    except redis.RedisError as error:
        _counts_and_cache_lost(error)
        return
    for reply in replies:
        if isinstance(reply, Exception):  # the answers and their records stand; say what Redis refused
            _counts_and_cache_lost(reply)


def _counts_and_cache_lost(error: Exception) -> None:
    logger.warning("llm counters or cache fill not written to Redis", extra={"error": str(error)[:200]})


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


class AnsweredEnd(NamedTuple):
    """A call's end, worked out (`end_result`) and not yet written."""

    admission: Admission
    outcome: Outcome
    result: RunResult


def _with_retries(write: Callable[[], None], tries: int) -> None:
    """`tries` > 1: a database error is retried on a fresh connection (the ends only close holds
    still open, so a write that did land is not counted twice)."""
    for tries_left in range(tries - 1, -1, -1):
        try:
            write()
            return
        except DatabaseError:
            if not tries_left:
                raise
            pg.drop_unusable_connections()


def record_end(admission: Admission, outcome: Outcome, result: RunResult, *, tries: int = 1) -> None:
    """Write the end of the call: settle or release the reservation, record and log the run.
    Raises what kept it from being written."""
    lost = record_ends([AnsweredEnd(admission, outcome, result)], tries=tries)
    if lost:
        raise lost[0][1]


def _record_many(ends: Sequence[AnsweredEnd]) -> None:
    alias = pg.single_database()
    if alias is not None:
        _record_on_postgres(alias, ends)
        return
    with transaction.atomic(using=router.db_for_write(Budget)):
        for end in ends:
            _record(*end)


def record_ends(ends: Sequence[AnsweredEnd], *, tries: int = 2) -> list[tuple[AnsweredEnd, Exception]]:
    """Write the ends of calls, several at once (a group commit): one Redis round trip and one
    statement for all. If that write fails (`tries` times), each end is written
    on its own, so that one bad end does not keep the others out. Returns the ends not written and
    why (nobody is left to raise to: the caller logs them)."""
    sent = _send_counts_and_cache(ends)
    lost: list[tuple[AnsweredEnd, Exception]] = []
    try:
        _with_retries(lambda: _record_many(ends), tries)
    except Exception as error:  # noqa: BLE001 - returned
        lost = [(ends[0], error)] if len(ends) == 1 else _record_each(ends)
    finally:
        _read_replies(sent)
    lost_ids = {id(end) for end, _ in lost}
    for end in ends:
        if id(end) not in lost_ids:
            _log(*end)
    return lost


def _record_each(ends: Sequence[AnsweredEnd]) -> list[tuple[AnsweredEnd, Exception]]:
    lost: list[tuple[AnsweredEnd, Exception]] = []
    for end in ends:
        try:
            _record(*end)
        except Exception as error:  # noqa: BLE001 - returned
            lost.append((end, error))
    return lost


def finish(admission: Admission, outcome: Outcome) -> RunResult:
    """Close the call: settle or release the reservation, then record and log the run. Exactly once."""
    result = end_result(admission, outcome)
    record_end(admission, outcome, result)
    return result
