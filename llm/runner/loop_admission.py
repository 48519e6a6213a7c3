"""The admission of an async call on its own event loop, when PostgreSQL and Redis serve it.

The same steps as `admission.admit`: prepare (flags, prompt, route, tokens), send the rate-limit
script with the exact cache's lookup riding along (Redis), run the admission statement
(PostgreSQL), then read Redis's verdict. The thread hops are gone: no hand-off to a database
thread and back, and no wait for the interpreter while the loop works through other calls' chunks.
While the statement is in flight the loop builds the first request (attempts.EarlyCall).

A busy loop (more than LLM_ADMIT_ON_LOOP_MAX_CALLS calls under way) leaves the admission to the
database thread, and so does whatever would block the loop, before anything is sent: a stale
catalog (its reload queries), memories and embeddings (queries, a model to load), a prompt that
does not prepare (the refusal is recorded there), a budget whose period turns over, an exact
cache outside the rate limits' Redis. A Redis out of reach refuses the call from here: the
thread records it, without trying Redis again.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.conf import settings
from django.db import DatabaseError

from llm.errors import LLMError
from llm.exact_cache import cache_enabled
from llm.redis_clients import redis_for_cache
from llm.runner import pg, pg_loop
from llm.runner.admission import (
    Admission,
    Lookup,
    StatementPlan,
    admission_failed,
    held_by_statement,
    one_statement_plan,
    prepare,
    refused_before_the_database,
    reserve_on_fresh_budgets_atomically,
    start_rate_limit_and_cache_lookup,
)
from llm.runner.attempts import AsyncIO, drop_early_call, start_early_call
from llm.runner.types import CallSpec
from llm.selectors import catalog_if_fresh

# Runner calls under way on each event loop, from admission to their end.
_calls_in_flight: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, int] = weakref.WeakKeyDictionary()


@contextmanager
def call_in_flight() -> Iterator[None]:
    """Count an async call as under way on its loop while the block runs."""
    loop = asyncio.get_running_loop()
    _calls_in_flight[loop] = _calls_in_flight.get(loop, 0) + 1
    try:
        yield
    finally:
        _calls_in_flight[loop] -= 1


def _loop_is_quiet() -> bool:
    """Few calls under way on this loop (this one included). On a busy loop every step of the
    admission waits its turn behind the other calls' callbacks (chunks), and its statements queue
    on the loop's few connections, so the database thread admits those calls sooner: at 50 calls
    in flight it was 60-200 ms faster at p90 (docs/PERFORMANCE.md, eighth round)."""
    return _calls_in_flight.get(asyncio.get_running_loop(), 0) <= settings.LLM_ADMIT_ON_LOOP_MAX_CALLS


def _loop_database(spec: CallSpec) -> str | None:
    """The database alias to admit `spec` on from the loop, or None when it cannot be."""
    if not settings.LLM_ADMIT_ON_LOOP or spec.embedding_texts is not None or spec.memory_scope is not None:
        return None
    if not _loop_is_quiet():
        return None
    rate_limits = redis_for_cache(settings.LLM_RATE_LIMIT_CACHE)
    if rate_limits is None or (cache_enabled() and redis_for_cache(settings.LLM_EXACT_CACHE) is not rate_limits):
        return None
    return pg.single_database()


def start_admission_on_loop(
    spec: CallSpec, *, started: float, io: AsyncIO
) -> Coroutine[Any, Any, tuple[Admission, LLMError | None]] | None:
    """Begin admitting `spec` on this loop: prepare it and send Redis its part, now; the coroutine
    that finishes the admission (the early call, the statement, the verdict) returns (admission,
    None or the refusal), as `admit` does. None when this call must be admitted in the database
    thread (then nothing was sent anywhere)."""
    alias = _loop_database(spec)
    snapshot = catalog_if_fresh() if alias is not None else None
    if alias is None or snapshot is None:
        return None
    admission = Admission(spec=spec, started=started)
    try:
        prepare(admission, snapshot)
    except LLMError:
        return None
    plan = one_statement_plan(admission, snapshot)
    if plan is None:
        return None
    try:
        lookup = start_rate_limit_and_cache_lookup(admission)
    except LLMError as error:  # Redis out of reach: recorded as refused, not tried again in the thread
        return io.db(refused_before_the_database, admission, error)
    return _admit_in_one_statement(admission, plan, lookup, alias, io)


async def _admit_in_one_statement(
    admission: Admission, plan: StatementPlan, lookup: Lookup, alias: str, io: AsyncIO
) -> tuple[Admission, LLMError | None]:
    try:
        # Started here, in the step that sends the statement: the early call's first step (building
        # the request) then runs while the statement is in flight, not before it is sent.
        admission.early = start_early_call(admission, io)
        return await _statement_and_verdict(admission, plan, lookup, alias, io)
    except BaseException:
        drop_early_call(admission)
        raise


async def _statement_and_verdict(
    admission: Admission, plan: StatementPlan, lookup: Lookup, alias: str, io: AsyncIO
) -> tuple[Admission, LLMError | None]:
    try:
        run_id, reservation_ids = await pg_loop.admit_statement_on_loop(alias=alias, params=plan.params(admission))
        held = held_by_statement(admission, plan, run_id, reservation_ids)
        # Refused on the snapshot's numbers (rare): re-read the budgets and re-route, in the thread.
        refusal = None if held else await io.db(reserve_on_fresh_budgets_atomically, admission, alias)
    except (psycopg.Error, DatabaseError) as error:
        await lookup.ready()
        lookup.discard()
        return await io.db(admission_failed, admission, error)
    await lookup.ready()
    return admission, lookup.refusal_with(refusal)
