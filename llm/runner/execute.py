"""`run`/`arun` (chat) and `embed`/`aembed`: one pipeline, driven sync or async."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import time
from collections.abc import Callable, Coroutine
from contextlib import suppress
from typing import Any, TypeVar, Unpack

from llm.errors import LLMError
from llm.models import AiRun
from llm.runner.admission import Admission, admit
from llm.runner.answered_ends import queue_answered_end
from llm.runner.attempts import (
    IO,
    AsyncIO,
    Handed,
    SyncIO,
    call_chain,
    drive,
    drop_early_call,
    hand_to_db_thread,
    send_early_call_if_admitted,
    start_early_call,
)
from llm.runner.finish import AnsweredEnd, Outcome, cached_outcome, end_result, finish, record_end
from llm.runner.loop_admission import call_in_flight, start_admission_on_loop
from llm.runner.types import CallArgs, CallSpec, EmbedArgs, Overrides, RunError, RunResult, build_spec

logger = logging.getLogger("llm")
T = TypeVar("T")


async def finish_shielded(io: IO, admission: Admission, outcome: Outcome, *, answer_first: bool = False) -> RunResult:
    """Record the end even while the caller is being cancelled: the write runs to completion.

    `answer_first`: the call's normal end, whose result carries everything the caller needs. With
    the database threads (PostgreSQL) the caller has it at once, and the end is written with
    others in a batch (answered_ends.py); the `running` row, its hold and the reaper cover a crash
    in between, and `background_db_work_done()` waits for the write. Cancellations wait for
    theirs: their callers read the run (its cost) from the database."""
    result = end_result(admission, outcome)
    if isinstance(io, AsyncIO):
        if not (answer_first and queue_answered_end(AnsweredEnd(admission, outcome, result))):
            await asyncio.shield(io.db(record_end, admission, outcome, result))
        return result
    await io.db(record_end, admission, outcome, result)
    return result


def _finish_cancelled(admission: Admission) -> RunResult:
    outcome = Outcome(status=AiRun.Status.CANCELLED, error=LLMError("cancelled while admitted", code="cancelled"))
    outcome.count_interrupted(admission)
    return finish(admission, outcome)


# The AiRun of the call being run in this task. A stream that is cancelled can no longer yield an
# event naming its run, so whoever cancelled it (the streaming consumer) reads the id from here.
current_run_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("llm_current_run_id", default=None)


async def admit_call(spec: CallSpec, io: IO) -> tuple[Admission, LLMError | None]:
    """Admit; if the caller is cancelled meanwhile, the run the admission creates is still finished."""
    current_run_id.set(None)
    started = time.monotonic()
    if not isinstance(io, AsyncIO):
        admitted = await io.db(admit, spec, started=started)
        current_run_id.set(admitted[0].run_id)
        return admitted
    admitting = _start_admission(spec, io, started)
    try:
        admission, refusal = await admitting.waiter
    except asyncio.CancelledError as cancelled:
        await _finish_cancelled_admission(admitting.outcome, io, cancelled)
        raise
    if refusal is not None or admission.cached is not None:
        drop_early_call(admission)
    current_run_id.set(admission.run_id)
    return admission, refusal


def _start_admission(spec: CallSpec, io: AsyncIO, started: float) -> Handed[tuple[Admission, LLMError | None]]:
    """The admission, on the loop when it can be (loop_admission.py), else in a database thread,
    which hands the prepared call back to the loop as it starts waiting on the database: the first
    attempt is built meanwhile (attempts.EarlyCall), and sent as the outcome arrives. Either way
    it runs to its end if the caller is cancelled. (SQLite has no database threads.)"""
    on_loop = start_admission_on_loop(spec, started=started, io=io)
    if on_loop is not None:
        return _shielded(on_loop, on_result=send_early_call_if_admitted)
    loop = asyncio.get_running_loop()
    started_early: list[Admission] = []

    def start_early(admission: Admission) -> None:
        admission.early = start_early_call(admission, io)
        started_early.append(admission)

    def on_database_wait(admission: Admission) -> None:
        # Runs on the loop before the admission's outcome does: both are queued by this thread. A
        # loop closed meanwhile has nobody to send to, and the admission must go on for its run.
        with suppress(RuntimeError):
            loop.call_soon_threadsafe(start_early, admission)

    def drop_early_calls_if_failed(outcome: asyncio.Future[tuple[Admission, LLMError | None]]) -> None:
        if outcome.cancelled() or outcome.exception() is not None:
            for admission in started_early:
                drop_early_call(admission)

    admitting = functools.partial(admit, spec, started=started, on_database_wait=on_database_wait)
    handed = hand_to_db_thread(admitting, on_result=send_early_call_if_admitted) or _shielded(
        io.db(admitting), on_result=send_early_call_if_admitted
    )
    handed.outcome.add_done_callback(drop_early_calls_if_failed)
    return handed


def _shielded(admitting: Coroutine[Any, Any, T], *, on_result: Callable[[T], None]) -> Handed[T]:
    async def admit_then_tell() -> T:
        result = await admitting
        if not waiter.cancelled():  # (its caller, cancelled, is not sent anything)
            on_result(result)
        return result

    task = asyncio.ensure_future(admit_then_tell())
    waiter = asyncio.shield(task)
    return Handed(outcome=task, waiter=waiter)


async def _finish_cancelled_admission(
    admitting: asyncio.Future[tuple[Admission, LLMError | None]], io: IO, cancelled: asyncio.CancelledError
) -> None:
    """The admission runs to its end in its thread anyway (a few ms): wait for it, so that its run
    is finished as cancelled, and named, before the cancellation goes on."""

    def close_run(done: asyncio.Future[tuple[Admission, LLMError | None]]) -> None:
        if not done.cancelled() and done.exception() is None:
            drop_early_call(done.result()[0])
            closing = asyncio.ensure_future(io.db(_finish_cancelled, done.result()[0]))
            _background.add(closing)
            closing.add_done_callback(_background.discard)

    try:
        admission, _ = await asyncio.shield(admitting)
    except asyncio.CancelledError:  # cancelled again while waiting: finish it in the background
        admitting.add_done_callback(close_run)
        raise cancelled from None
    except Exception:  # noqa: BLE001 - the admission itself failed: there is no run to finish
        raise cancelled from None
    drop_early_call(admission)
    current_run_id.set(admission.run_id)
    await asyncio.shield(io.db(_finish_cancelled, admission))


# Strong references to fire-and-forget finishing tasks (the loop only keeps weak ones).
_background: set[asyncio.Future[Any]] = set()


async def execute(spec: CallSpec, io: IO) -> RunResult:
    if isinstance(io, AsyncIO):
        with call_in_flight():
            return await _execute(spec, io)
    return await _execute(spec, io)


async def _execute(spec: CallSpec, io: IO) -> RunResult:
    admission, refusal = await admit_call(spec, io)
    outcome = Outcome()
    if refusal is not None:
        outcome.fail(refusal)
        raise RunError(await finish_shielded(io, admission, outcome, answer_first=True))
    if admission.cached is not None:
        return await finish_shielded(io, admission, cached_outcome(admission, admission.cached), answer_first=True)
    try:
        await call_chain(admission, outcome, io)
    except BaseException as error:
        # Cancelled (or a bug in a local handler): still exactly one finished AiRun.
        outcome.status = AiRun.Status.CANCELLED if isinstance(error, asyncio.CancelledError) else AiRun.Status.FAILED
        outcome.error = LLMError(f"{type(error).__name__}: {error}"[:500], code=outcome.status)
        outcome.count_interrupted(admission)
        await finish_shielded(io, admission, outcome)
        raise
    result = await finish_shielded(io, admission, outcome, answer_first=True)
    if not result.ok:
        raise RunError(result)
    return result


def run(*, feature: str, **call: Unpack[CallArgs]) -> RunResult:
    """Run `feature`'s prompt on `context`: the RunResult, or RunError once the AiRun is written."""
    return drive(execute(build_spec(feature=feature, **call), SyncIO()))


async def arun(*, feature: str, **call: Unpack[CallArgs]) -> RunResult:
    """`run` for async code (consumers, the API, benchmarks)."""
    return await execute(build_spec(feature=feature, **call), AsyncIO())


def _embedding_spec(texts: list[str] | str, feature: str, model: str, call: EmbedArgs) -> CallSpec:
    batch = [texts] if isinstance(texts, str) else list(texts)
    return build_spec(feature=feature, overrides=Overrides(model=model), cache=False, embedding_texts=batch, **call)


def embed(
    *, texts: list[str] | str, feature: str = "embed_cv", model: str = "", **call: Unpack[EmbedArgs]
) -> RunResult:
    """Embed `texts` (one AiRun for the batch); the vectors are in `RunResult.vectors`, in order."""
    return drive(execute(_embedding_spec(texts, feature, model, call), SyncIO()))


async def aembed(
    *, texts: list[str] | str, feature: str = "embed_cv", model: str = "", **call: Unpack[EmbedArgs]
) -> RunResult:
    return await execute(_embedding_spec(texts, feature, model, call), AsyncIO())
