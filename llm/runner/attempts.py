"""Calling the chain: retries with backoff on one model, then fallback along the route.

The loop is written once, as coroutines over a small IO adapter: `AsyncIO` awaits the async
clients and runs database work in a thread; `SyncIO` calls the sync clients directly and never
suspends, so `drive()` can run the same coroutine to completion without an event loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import os
import random
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, Protocol, TypeVar, cast

import jsonschema
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import router

from llm.errors import InvalidOutputError, LLMError, ProviderError
from llm.models import AiRun
from llm.providers import LLMProvider, provider_client
from llm.providers.base import send_gate
from llm.router import Target, provider_record_failure
from llm.runner import pg
from llm.runner.admission import Admission
from llm.runner.finish import Outcome
from llm.types import ChatRequest, ChatResponse, EmbeddingResponse, Message, StreamDelta

T = TypeVar("T")


class IO(Protocol):
    async def db(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T: ...
    async def sleep(self, seconds: float) -> None: ...
    async def chat(self, client: LLMProvider, request: ChatRequest) -> ChatResponse: ...
    async def embed(
        self, client: LLMProvider, *, model: str, texts: list[str], timeout: float
    ) -> EmbeddingResponse: ...


_db_pool: ThreadPoolExecutor | None = None
_db_pool_lock = threading.Lock()


def _db_executor() -> ThreadPoolExecutor | None:
    """The runner's own database threads; None for SQLite (one writer: Django's single thread)."""
    global _db_pool
    if settings.LLM_DB_THREADS <= 0 or pg.vendor_of(router.db_for_write(AiRun)) == "sqlite":
        return None
    if _db_pool is None:
        with _db_pool_lock:
            if _db_pool is None:
                _db_pool = ThreadPoolExecutor(max_workers=settings.LLM_DB_THREADS, thread_name_prefix="llm-db")
    return _db_pool


def _threads_of_its_own_in_a_forked_child() -> None:
    """A fork copies only the thread that forked: the parent's database threads are not in the
    child, and their pool would queue jobs that nothing runs. The child starts its own (the
    parent's unawaited work is the parent's)."""
    global _db_pool, _db_pool_lock, _unawaited_lock
    _db_pool, _db_pool_lock = None, threading.Lock()
    _unawaited.clear()
    _unawaited_lock = threading.Lock()


def _in_db_thread(function: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
    pg.drop_unusable_connections()  # these threads see no request signals to do it
    return function(*args, **kwargs)


def has_db_threads() -> bool:
    return _db_executor() is not None


# Database work handed to the threads without waiting on its future (the ends of calls, the
# admissions handed over), until done.
_unawaited: set[Future[None]] = set()
_unawaited_lock = threading.Lock()


os.register_at_fork(after_in_child=_threads_of_its_own_in_a_forked_child)


def _forget(job: Future[None]) -> None:
    with _unawaited_lock:
        _unawaited.discard(job)


def start_in_db_thread(function: Callable[..., None], /, *args: Any) -> bool:
    """Start `function` in a database thread and return at once; False (nothing started) when
    there are no such threads (SQLite). Nobody reads its outcome: it handles its own errors.
    The work belongs to the thread pool, not to the caller's task or event loop: a cancellation
    or a closing loop cannot stop it, and the interpreter waits for it at exit."""
    executor = _db_executor()
    if executor is None:
        return False
    context = contextvars.copy_context()
    job = executor.submit(context.run, _in_db_thread, function, args, {})
    with _unawaited_lock:
        _unawaited.add(job)
    job.add_done_callback(_forget)
    return True


def started_db_work_done(timeout: float | None) -> bool:
    """Wait for the work `start_in_db_thread` started; True when none is left."""
    with _unawaited_lock:
        pending = list(_unawaited)
    return not wait(pending, timeout).not_done


class Handed(NamedTuple, Generic[T]):
    """Database work handed to a thread by `hand_to_db_thread`."""

    outcome: asyncio.Future[T]  # never cancelled by the caller: who must finish the work awaits it
    waiter: asyncio.Future[T]  # what the caller awaits (a cancellation cancels only this)


def hand_to_db_thread(
    function: Callable[..., T], /, *args: Any, on_result: Callable[[T], None] | None = None
) -> Handed[T] | None:
    """Start `function` in a database thread at once (`start_in_db_thread`), for a caller that
    must not lose its outcome if cancelled: `AsyncIO.db` in a task, shielded. None without
    database threads (SQLite). `on_result` sees a result on the loop before anyone is woken,
    unless the caller was cancelled.

    The outcome reaches the caller in two turns of the event loop: one to deliver it, one to
    wake the caller. A task, `run_in_executor`'s future and a shield around them take five, and
    at 50 calls in flight each turn runs every other call's ready callbacks first."""
    if not has_db_threads():
        return None
    loop = asyncio.get_running_loop()
    handed: Handed[T] = Handed(outcome=loop.create_future(), waiter=loop.create_future())

    def deliver(value: T | None, error: BaseException | None) -> None:
        if error is None and on_result is not None and not handed.waiter.cancelled():
            on_result(cast(T, value))
        for future in handed:
            if future.done():  # (the waiter, cancelled with its caller)
                continue
            if error is None:
                future.set_result(cast(T, value))
            else:
                future.set_exception(error)

    def run() -> None:
        value: T | None = None
        error: BaseException | None = None
        try:
            value = function(*args)
        except BaseException as failure:  # noqa: BLE001 - handed to the loop, raised there
            error = failure
        with suppress(RuntimeError):  # the loop has closed: nobody is left to tell
            loop.call_soon_threadsafe(deliver, value, error)

    start_in_db_thread(run)
    handed.outcome.add_done_callback(_quietly)  # nobody awaits it unless the caller is cancelled
    return handed


class AsyncIO:
    async def db(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        executor = _db_executor()
        if executor is None:
            return await sync_to_async(function)(*args, **kwargs)
        # The caller's context (request id for the log line) goes along, as sync_to_async would do.
        context = contextvars.copy_context()
        job = functools.partial(context.run, _in_db_thread, function, args, kwargs)
        return await asyncio.get_running_loop().run_in_executor(executor, job)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def chat(self, client: LLMProvider, request: ChatRequest) -> ChatResponse:
        return await client.achat(request)

    async def embed(self, client: LLMProvider, *, model: str, texts: list[str], timeout: float) -> EmbeddingResponse:
        return await client.aembeddings(model=model, texts=texts, timeout=timeout)


class SyncIO:
    async def db(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        return function(*args, **kwargs)

    async def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def chat(self, client: LLMProvider, request: ChatRequest) -> ChatResponse:
        return client.chat(request)

    async def embed(self, client: LLMProvider, *, model: str, texts: list[str], timeout: float) -> EmbeddingResponse:
        return client.embeddings(model=model, texts=texts, timeout=timeout)


def drive(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine built on SyncIO, which completes without ever waiting on the event loop."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("a SyncIO coroutine suspended; only AsyncIO may await the event loop")


def client_for(target: Target) -> LLMProvider:
    provider = target.provider
    return provider_client(
        name=provider.name, kind=provider.kind, base_url=provider.base_url, api_key_env=provider.api_key_env
    )


def retry_delay(attempt: int, retry_after: float | None) -> float | None:
    """Seconds before attempt `attempt + 1`: exponential with full jitter, or the server's
    Retry-After; None when the server asks for longer than we are willing to wait."""
    if retry_after is not None:
        return retry_after if retry_after <= settings.LLM_RETRY_AFTER_CAP else None
    ceiling = min(settings.LLM_RETRY_BASE_DELAY * 2 ** (attempt - 1), settings.LLM_RETRY_MAX_DELAY)
    return random.uniform(ceiling / 2, ceiling)


async def open_stream(
    client: LLMProvider, request: ChatRequest
) -> tuple[AsyncGenerator[StreamDelta, None], StreamDelta | None]:
    """Start a stream and wait for its first delta, so that failures to start can be retried."""
    deltas = client.astream(request)
    try:
        return deltas, await anext(deltas, None)
    except BaseException:
        await deltas.aclose()
        raise


@dataclass
class EarlyCall:
    """The first attempt on the primary target, started while the call is being admitted.

    Admission waits a millisecond or two on the database and Redis with the event loop idle, and
    the SDK spends about half a millisecond of CPU building a request; so the request is built
    meanwhile, in its own task, and held at the client's send gate (an httpx request hook, before
    any connection is taken). It starts when the database thread hands the prepared call over,
    as it begins to wait on its statement: sooner, the two would take turns at the GIL. Nothing
    reaches the provider until the call is admitted: then the chain takes the task as its first
    attempt and the gate opens. Refused, answered from the cache, re-routed or cancelled, the
    call drops it unsent."""

    target: Target
    gate: asyncio.Future[None]
    task: asyncio.Task[Any]

    def open_gate(self) -> None:
        if not self.gate.done():
            self.gate.set_result(None)


def start_early_call(admission: Admission, io: IO) -> EarlyCall | None:
    """Start the chat's first attempt, held until admitted; None when the call cannot have one
    (embeddings, a client without the gate, such as the local model's, the sync runner)."""
    target = admission.primary
    if target is None or admission.texts or not isinstance(io, AsyncIO):
        return None
    client = client_for(target)
    if not client.honours_send_gate:
        return None
    request = chat_request(admission, target)
    loop = asyncio.get_running_loop()
    gate: asyncio.Future[None] = loop.create_future()
    context = contextvars.copy_context()
    context.run(send_gate.set, gate)
    first = open_stream(client, request) if admission.spec.streaming else io.chat(client, request)
    task = loop.create_task(first, context=context)
    task.add_done_callback(_quietly)
    return EarlyCall(target=target, gate=gate, task=task)


def _quietly(future: asyncio.Future[Any]) -> None:
    # An outcome nobody reads is nobody's error: a dropped call that failed while held (it never
    # reached the provider), an admission whose caller was not cancelled (it read the waiter).
    if not future.cancelled():
        future.exception()


def drop_early_call(admission: Admission) -> None:
    early, admission.early = admission.early, None
    if early is not None:
        early.task.cancel()


def send_early_call_if_admitted(admitted: tuple[Admission, LLMError | None]) -> None:
    """Open the early call's gate as soon as the admission's outcome is on the loop, when the
    chain is sure to take it as its first attempt (admitted, not answered from the cache, its
    target still first): at 50 calls in flight each turn of the loop the chain would take to get
    there costs a millisecond or more. Its request may be out from now on (`early_sent`)."""
    admission, refusal = admitted
    early = admission.early
    if refusal is None and admission.cached is None and early is not None and early.target is admission.primary:
        early.open_gate()
        admission.early_sent = True


def first_attempt_early(
    admission: Admission, target: Target, send: Callable[[], Awaitable[T]]
) -> Callable[[], Awaitable[T]]:
    """`send`, except that the first attempt on `target` is the call started early, if there is one."""
    early = admission.early
    if early is None or early.target is not target:  # re-routed since: that request goes unsent
        drop_early_call(admission)
        return send
    admission.early = None
    early.open_gate()
    pending: list[Awaitable[T]] = [cast(Awaitable[T], early.task)]
    return lambda: pending.pop() if pending else send()


async def with_retries(send: Callable[[], Awaitable[T]], *, target: Target, outcome: Outcome, io: IO) -> T:
    """`send` until it succeeds, retrying retryable errors; the last error propagates."""
    max_attempts = 1 if target.is_local else target.provider.max_retries + 1
    for attempt in range(1, max_attempts + 1):
        outcome.attempts += 1
        try:
            return await send()
        except ProviderError as error:
            delay = retry_delay(attempt, error.retry_after) if error.retryable else None
            if attempt == max_attempts or delay is None:
                raise
            await io.sleep(delay)
    raise AssertionError("unreachable: the last attempt returns or raises")


@functools.lru_cache(maxsize=64)
def _validator(schema_json: str) -> jsonschema.protocols.Validator:
    schema = json.loads(schema_json)
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema)


def parse_json_output(text: str, schema: dict[str, Any]) -> Any:
    """The answer as JSON valid against `schema`, or InvalidOutputError saying what is wrong."""
    body = text.strip()
    if body.startswith("```"):  # some models fence JSON even in JSON mode
        body = body.strip("`").removeprefix("json").strip()
    try:
        value = json.loads(body)
    except json.JSONDecodeError as error:
        raise InvalidOutputError(f"not JSON: {error.msg} at {error.pos}") from error
    problem = jsonschema.exceptions.best_match(_validator(json.dumps(schema, sort_keys=True)).iter_errors(value))
    if problem is not None:
        where = "/".join(str(part) for part in problem.absolute_path) or "the answer"
        raise InvalidOutputError(f"{where}: {problem.message}"[:400])
    return value


def chat_request(admission: Admission, target: Target, messages: list[Message] | None = None) -> ChatRequest:
    return ChatRequest(
        model=target.model.name,
        messages=messages or admission.messages,
        max_tokens=min(admission.max_tokens, target.model.max_output_tokens),
        timeout=target.provider.timeout,
        feature=admission.spec.feature,
        temperature=admission.temperature,
        json_schema=admission.output_schema if target.model.supports_json or target.is_local else None,
        context=admission.spec.context,
    )


def repair_messages(admission: Admission, answer: str, problem: str) -> list[Message]:
    return [
        *admission.messages,
        {"role": "assistant", "content": answer},
        {"role": "user", "content": f"That answer is invalid ({problem}). Reply with the corrected JSON only."},
    ]


async def _answer_from(admission: Admission, target: Target, outcome: Outcome, io: IO) -> None:
    """One target: call (with retries), validate JSON, repair once. Raises when it gives up."""
    client = client_for(target)
    request = chat_request(admission, target)
    send = first_attempt_early(admission, target, lambda: io.chat(client, request))
    response = await with_retries(send, target=target, outcome=outcome, io=io)
    outcome.add_usage(response.usage, target)
    outcome.text = response.text
    schema = admission.output_schema
    if schema is not None:
        try:
            outcome.output = parse_json_output(response.text, schema)
        except InvalidOutputError as problem:
            await repair_json(admission, target, outcome, io, problem)


async def repair_json(
    admission: Admission, target: Target, outcome: Outcome, io: IO, problem: InvalidOutputError
) -> None:
    """The one repair attempt for an answer (`outcome.text`) that is not valid JSON for the schema:
    the model sees its answer and what is wrong with it. Raises InvalidOutputError if the repair is
    invalid too (or ProviderError if the model cannot be reached)."""
    assert admission.output_schema is not None
    client = client_for(target)
    repair = chat_request(admission, target, repair_messages(admission, outcome.text, problem.message))
    response = await with_retries(lambda: io.chat(client, repair), target=target, outcome=outcome, io=io)
    outcome.add_usage(response.usage, target)
    outcome.output = parse_json_output(response.text, admission.output_schema)
    outcome.text, outcome.repaired = response.text, True


async def _embedding_from(admission: Admission, target: Target, outcome: Outcome, io: IO) -> None:
    client = client_for(target)
    response = await with_retries(
        lambda: io.embed(client, model=target.model.name, texts=admission.texts, timeout=target.provider.timeout),
        target=target,
        outcome=outcome,
        io=io,
    )
    if response.usage.estimated and not target.is_local:  # the provider left usage out
        response.usage.input_tokens = admission.input_estimate
    outcome.add_usage(response.usage, target)
    outcome.vectors = response.vectors


async def call_chain(admission: Admission, outcome: Outcome, io: IO) -> None:
    """Try each target in turn until one answers; record the last error if none does."""
    outcome.queue_ms = admission.elapsed_ms
    attempt_target = _embedding_from if admission.texts else _answer_from
    for index, target in enumerate(admission.targets):
        outcome.target, outcome.fallback_used = target, index > 0
        try:
            await attempt_target(admission, target, outcome, io)
        except (ProviderError, InvalidOutputError) as error:
            outcome.fail(error)
            if isinstance(error, ProviderError) and not target.is_local:
                await io.db(provider_record_failure, provider_id=target.provider.pk, error=error.message)
            continue
        outcome.status, outcome.error = AiRun.Status.SUCCEEDED, None
        return
