"""`run`/`arun` (chat) and `embed`/`aembed`: one pipeline, driven sync or async."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

from llm.errors import LLMError
from llm.models import AiRun
from llm.runner.admission import Admission, admit
from llm.runner.attempts import IO, AsyncIO, SyncIO, call_chain, drive
from llm.runner.finish import Outcome, cached_outcome, finish
from llm.runner.types import CallSpec, Overrides, RunError, RunResult, Subject, build_spec


async def finish_shielded(io: IO, admission: Admission, outcome: Outcome) -> RunResult:
    """Record the end even while the caller is being cancelled: the write runs to completion."""
    if isinstance(io, AsyncIO):
        return await asyncio.shield(io.db(finish, admission, outcome))
    return await io.db(finish, admission, outcome)


def _finish_cancelled(admission: Admission) -> RunResult:
    outcome = Outcome(status=AiRun.Status.CANCELLED, error=LLMError("cancelled while admitted", code="cancelled"))
    return finish(admission, outcome)


async def admit_call(spec: CallSpec, io: IO) -> tuple[Admission, LLMError | None]:
    """Admit; if the caller is cancelled meanwhile, the run the admission creates is still finished."""
    if not isinstance(io, AsyncIO):
        return await io.db(admit, spec, started=time.monotonic())
    admitting = asyncio.ensure_future(io.db(admit, spec, started=time.monotonic()))
    try:
        return await asyncio.shield(admitting)
    except asyncio.CancelledError:

        def close_run(done: asyncio.Future[tuple[Admission, LLMError | None]]) -> None:
            if not done.cancelled() and done.exception() is None:
                _background.add(asyncio.ensure_future(io.db(_finish_cancelled, done.result()[0])))

        admitting.add_done_callback(close_run)
        raise


# Strong references to fire-and-forget finishing tasks (the loop only keeps weak ones).
_background: set[asyncio.Future[Any]] = set()


async def execute(spec: CallSpec, io: IO) -> RunResult:
    admission, refusal = await admit_call(spec, io)
    outcome = Outcome()
    if refusal is not None:
        outcome.fail(refusal)
        raise RunError(await finish_shielded(io, admission, outcome))
    if admission.cached is not None:
        return await finish_shielded(io, admission, cached_outcome(admission, admission.cached))
    try:
        await call_chain(admission, outcome, io)
    except BaseException as error:
        # Cancelled (or a bug in a local handler): still exactly one finished AiRun.
        outcome.status = AiRun.Status.CANCELLED if isinstance(error, asyncio.CancelledError) else AiRun.Status.FAILED
        outcome.error = LLMError(f"{type(error).__name__}: {error}"[:500], code=outcome.status)
        if outcome.target is not None and outcome.usage.total_tokens == 0:
            outcome.add_estimated_usage(admission, outcome.target, "")
        await finish_shielded(io, admission, outcome)
        raise
    result = await finish_shielded(io, admission, outcome)
    if not result.ok:
        raise RunError(result)
    return result


def _spec(**arguments: Any) -> CallSpec:
    return build_spec(**arguments)


def run(
    *,
    feature: str,
    context: Mapping[str, Any] | None = None,
    tenant: Any = None,
    user: Any = None,
    subject: Subject = None,
    request_id: str = "",
    overrides: Overrides | Mapping[str, Any] | None = None,
    json_output: bool | None = None,
    cache: bool = True,
    memory_scope: tuple[str, Any] | None = None,
) -> RunResult:
    """Run `feature`'s prompt with `context`; the RunResult, or RunError once the AiRun is written."""
    spec = _spec(
        feature=feature,
        context=context,
        tenant=tenant,
        user=user,
        subject=subject,
        request_id=request_id,
        overrides=overrides,
        json_output=json_output,
        cache=cache,
        memory_scope=memory_scope,
    )
    return drive(execute(spec, SyncIO()))


async def arun(
    *,
    feature: str,
    context: Mapping[str, Any] | None = None,
    tenant: Any = None,
    user: Any = None,
    subject: Subject = None,
    request_id: str = "",
    overrides: Overrides | Mapping[str, Any] | None = None,
    json_output: bool | None = None,
    cache: bool = True,
    memory_scope: tuple[str, Any] | None = None,
) -> RunResult:
    """`run` for async code (consumers, the API, benchmarks)."""
    spec = _spec(
        feature=feature,
        context=context,
        tenant=tenant,
        user=user,
        subject=subject,
        request_id=request_id,
        overrides=overrides,
        json_output=json_output,
        cache=cache,
        memory_scope=memory_scope,
    )
    return await execute(spec, AsyncIO())


def _embedding_spec(
    feature: str, texts: list[str] | str, tenant: Any, user: Any, subject: Subject, request_id: str, model: str
) -> CallSpec:
    return _spec(
        feature=feature,
        context=None,
        tenant=tenant,
        user=user,
        subject=subject,
        request_id=request_id,
        overrides=Overrides(model=model),
        cache=False,
        embedding_texts=[texts] if isinstance(texts, str) else list(texts),
    )


def embed(
    *,
    texts: list[str] | str,
    feature: str = "embed_cv",
    tenant: Any = None,
    user: Any = None,
    subject: Subject = None,
    request_id: str = "",
    model: str = "",
) -> RunResult:
    """Embed `texts` (one AiRun for the batch); the vectors are in `RunResult.vectors`, in order."""
    return drive(execute(_embedding_spec(feature, texts, tenant, user, subject, request_id, model), SyncIO()))


async def aembed(
    *,
    texts: list[str] | str,
    feature: str = "embed_cv",
    tenant: Any = None,
    user: Any = None,
    subject: Subject = None,
    request_id: str = "",
    model: str = "",
) -> RunResult:
    return await execute(_embedding_spec(feature, texts, tenant, user, subject, request_id, model), AsyncIO())
