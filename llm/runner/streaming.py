"""`astream`: the runner as an async iterator of protocol events (DESIGN.md "Streaming").

    {"type": "status", "status": "thinking" | "generating", "message": str, "progress": int}
    {"type": "chunk", "content": str}
    {"type": "complete", "run_id", "status", "text", "output", "usage", "cost", "cost_saved", "model",
     "provider", "rule_based", "cached", "prompt_version", "latency_ms", "ttft_ms", "fallback_used",
     "repaired"}
    {"type": "error", "run_id", "code", "message", "retryable", "retry_after"}

Exactly one `complete` or `error` ends a stream that is read to the end. Before the first chunk a
failing model is retried and then replaced by the next in the chain; after text was sent a failure
ends the stream with an `error` (the AiRun says failed), never with a silent switch of model.
Closing the iterator or cancelling its task finishes the AiRun as cancelled, with estimated usage,
and drops the provider connection; `current_run_id.get()` then names that AiRun in the task that
read the stream.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, Unpack

from llm.errors import InvalidOutputError, LLMError, ProviderError
from llm.models import AiRun
from llm.router import Target, provider_record_failure
from llm.runner.admission import Admission
from llm.runner.attempts import (
    IO,
    AsyncIO,
    chat_request,
    client_for,
    drop_early_call,
    first_attempt_early,
    open_stream,
    parse_json_output,
    repair_json,
    with_retries,
)
from llm.runner.execute import admit_call, finish_shielded
from llm.runner.finish import Outcome, cached_outcome
from llm.runner.loop_admission import call_in_flight
from llm.runner.types import CallArgs, RunResult, build_spec

Event = dict[str, Any]
_CACHED_PIECE = re.compile(r"\S+\s*|\s+")
CACHED_WORDS_PER_CHUNK = 8


def status_event(status: str, message: str, progress: int) -> Event:
    return {"type": "status", "status": status, "message": message, "progress": progress}


def chunk_event(content: str) -> Event:
    return {"type": "chunk", "content": content}


def complete_event(result: RunResult) -> Event:
    return {
        "type": "complete",
        "run_id": result.run_id,
        "status": result.status,
        "text": result.text,
        "output": result.output,
        "usage": result.usage.as_dict(),
        "cost": f"{result.cost:f}",
        "cost_saved": f"{result.cost_saved:f}",
        "model": result.model,
        "provider": result.provider,
        "rule_based": result.rule_based,
        "cached": result.cached,
        "prompt_version": result.prompt_version,
        "latency_ms": result.latency_ms,
        "ttft_ms": result.ttft_ms,
        "fallback_used": result.fallback_used,
        "repaired": result.repaired,
    }


def error_event(result: RunResult) -> Event:
    return {
        "type": "error",
        "run_id": result.run_id,
        "code": result.error_code or result.status,
        "message": result.error_message or "The AI request failed.",
        "retryable": result.retryable,
        "retry_after": result.retry_after,
    }


async def _stream_target(
    admission: Admission, target: Target, outcome: Outcome, io: IO, sent: list[str]
) -> AsyncGenerator[Event, None]:
    """Stream one target. Raises ProviderError only while nothing has been sent."""
    client = client_for(target)
    request = chat_request(admission, target)
    send = first_attempt_early(admission, target, lambda: open_stream(client, request))
    deltas, delta = await with_retries(send, target=target, outcome=outcome, io=io)
    usage = None
    async with aclosing(deltas):
        try:
            while delta is not None:
                if delta.usage is not None:
                    usage = delta.usage
                elif delta.text:
                    if outcome.ttft_ms is None:
                        outcome.ttft_ms = admission.elapsed_ms
                    sent.append(delta.text)
                    yield chunk_event(delta.text)
                delta = await anext(deltas, None)
        except ProviderError as error:
            if not sent:
                raise
            outcome.add_estimated_usage(admission, target, "".join(sent))
            outcome.fail(LLMError(f"The answer broke off: {error.message}", code="stream_interrupted"))
            return
    text = "".join(sent)
    if usage is None:  # the final usage chunk never came: count it ourselves
        outcome.add_estimated_usage(admission, target, text)
    else:
        outcome.add_usage(usage, target)
    outcome.text = text
    if admission.output_schema is not None:
        try:
            outcome.output = parse_json_output(text, admission.output_schema)
        except InvalidOutputError as problem:
            # The streamed text is already on screen: say so, repair once, and let the complete
            # event (repaired: true, the corrected text and output) replace it.
            yield status_event("generating", f"The answer is not valid JSON ({problem.message}); repairing it", 90)
            try:
                await repair_json(admission, target, outcome, io, problem)
            except InvalidOutputError as still_invalid:
                outcome.fail(still_invalid)
                return
            except ProviderError as error:  # text was sent: no silent switch to another model
                outcome.fail(LLMError(f"The JSON repair failed: {error.message}", code="invalid_output"))
                return
    outcome.status, outcome.error = AiRun.Status.SUCCEEDED, None


async def _stream_chain(admission: Admission, outcome: Outcome, io: IO, sent: list[str]) -> AsyncGenerator[Event, None]:
    outcome.queue_ms = admission.elapsed_ms
    for index, target in enumerate(admission.targets):
        outcome.target, outcome.fallback_used = target, index > 0
        if index:
            yield status_event("generating", f"Retrying with {target.model.name}", 10)
        try:
            async with aclosing(_stream_target(admission, target, outcome, io, sent)) as events:
                async for event in events:
                    yield event
        except ProviderError as error:  # nothing was sent yet: the next target may answer
            outcome.fail(error)
            if not target.is_local:
                await io.db(provider_record_failure, provider_id=target.provider.pk, error=error.message)
            continue
        return


async def astream(*, feature: str, **call: Unpack[CallArgs]) -> AsyncGenerator[Event, None]:
    spec = build_spec(feature=feature, streaming=True, **call)
    io = AsyncIO()
    yield status_event("thinking", "Preparing the request", 0)
    with call_in_flight():  # (a generator dropped unclosed is closed by the loop's finalizer)
        admission, refusal = await admit_call(spec, io)
        outcome = Outcome()
        if refusal is not None:
            outcome.fail(refusal)
            yield error_event(await finish_shielded(io, admission, outcome, answer_first=True))
            return
        if admission.cached is not None:
            result = await finish_shielded(
                io, admission, cached_outcome(admission, admission.cached), answer_first=True
            )
            pieces = _CACHED_PIECE.findall(result.text)
            for start in range(0, len(pieces), CACHED_WORDS_PER_CHUNK):
                yield chunk_event("".join(pieces[start : start + CACHED_WORDS_PER_CHUNK]))
            yield complete_event(result)
            return
        sent: list[str] = []
        try:
            primary = admission.targets[0]
            yield status_event("generating", f"Writing with {primary.model.name}", 10)
            async with aclosing(_stream_chain(admission, outcome, io, sent)) as events:
                async for event in events:
                    yield event
        except BaseException as error:  # cancelled, the client went away, or a bug in a local handler
            drop_early_call(admission)  # closed before the chain took it
            cancelled = isinstance(error, asyncio.CancelledError | GeneratorExit)
            outcome.status = AiRun.Status.CANCELLED if cancelled else AiRun.Status.FAILED
            outcome.error = LLMError(
                "The request was cancelled." if cancelled else repr(error)[:500], code=outcome.status
            )
            outcome.count_interrupted(admission, "".join(sent))
            await finish_shielded(io, admission, outcome)
            raise
        result = await finish_shielded(io, admission, outcome, answer_first=True)
        yield complete_event(result) if result.ok else error_event(result)
