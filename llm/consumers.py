"""`StreamingConsumer`: a Channels base class that runs one `runner.astream` per request and
speaks the streaming protocol of DESIGN.md, as JSON or as HTMX out-of-band fragments.

Client -> server:  {"type": "start", ...fields for build_call}   {"type": "cancel"}
Server -> client (JSON mode): the runner's events (status, chunk, complete, error); a cancel ends
with {"type": "error", "code": "cancelled", ...}; protocol problems are errors with the codes
busy, unknown_type, invalid_message, invalid_request, not_running.
HTMX mode: the same events as fragments, see llm/streaming_html.py.

Subclasses decide who may connect (`authorize`) and what to run (`build_call`); the base keeps to
the protocol.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import ValidationError
from django.db import connection

from llm import runner
from llm.forms import PlaygroundForm
from llm.runner.execute import current_run_id
from llm.runner.types import CallArgs, Overrides, Subject
from llm.streaming_html import event_html, ready_event, started_event

logger = logging.getLogger("llm")

# Close codes in the 4000 range are application-defined; they mirror HTTP 401 and 403.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403

OutputMode = Literal["json", "htmx"]
OUTPUT_MODES: tuple[OutputMode, ...] = ("json", "htmx")
# How long a disconnect waits for the runner to record the cancelled run before giving up.
STOP_TIMEOUT_SECONDS = 10.0

Event = dict[str, Any]
HTMX_ONLY_EVENTS = ("ready", "started")


T = TypeVar("T")


async def in_db_thread(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run a consumer's database work on Django's one sync thread, one hop per step.

    On SQLite that thread keeps its connection (`database_sync_to_async` would close and reopen it
    on every hop: CONN_MAX_AGE is 0 for SQLite), as the runner's hops do. Other databases keep
    `database_sync_to_async`'s connection upkeep (CONN_MAX_AGE applies). The work is not spread
    over a thread pool: measured with the chat on PostgreSQL, that only moved the queue to the
    runner's admission and made the time to first token longer (docs/PERFORMANCE.md).
    """
    if connection.vendor == "sqlite":
        return await sync_to_async(function)(*args, **kwargs)
    return await database_sync_to_async(function)(*args, **kwargs)


@dataclass(frozen=True)
class StreamCall:
    """What `build_call` returns: the arguments of one `runner.astream` call."""

    feature: str
    context: Mapping[str, Any] = field(default_factory=dict)
    tenant: Any = None
    user: Any = None
    subject: Subject = None
    overrides: Overrides | None = None
    json_output: bool | None = None
    cache: bool = True
    memory_scope: tuple[str, Any] | None = None

    def call_args(self) -> CallArgs:
        return CallArgs(
            context=self.context,
            tenant=self.tenant,
            user=self.user,
            subject=self.subject,
            overrides=self.overrides,
            json_output=self.json_output,
            cache=self.cache,
            memory_scope=self.memory_scope,
        )


@dataclass(frozen=True)
class StreamOutcome:
    """How a stream ended, for `on_finished`: `text` is what the client was sent, even if partial."""

    status: Literal["complete", "error", "cancelled", "disconnected"]
    call: StreamCall
    text: str
    final_event: Event | None  # the complete or error event, when the runner got that far
    stopped_run_id: int | None = None  # cancelled or disconnected: the AiRun the runner finished


class StreamingConsumer(AsyncJsonWebsocketConsumer):
    """Runs one stream at a time per socket; cancel and disconnect finish the run as cancelled."""

    output_mode: ClassVar[OutputMode] = "json"
    allow_mode_param: ClassVar[bool] = True  # `?mode=htmx|json` beats output_mode
    fragment_prefix: ClassVar[str] = "stream"  # HTMX fragment ids: <prefix>-output, -status, …
    # No channel layer: a stream goes to its own socket only, so a socket needs no channel of its
    # own, nor a place in the layer's receive loop (a Redis BZPOPMIN per process) whose failure
    # would close it with 1011 (docs/PERFORMANCE.md, resume chat concurrency).
    channel_layer_alias = None

    stream_task: asyncio.Task[None] | None = None
    mode: OutputMode = "json"
    _stop_reason: Literal["cancelled", "disconnected"] = "cancelled"
    _stopped_run_id: int | None = None  # the AiRun of the stream that was last stopped

    # --- hooks for subclasses -------------------------------------------------------------

    async def authorize(self) -> bool:
        """Tenant and object checks for an authenticated user, before anything runs. False closes with 4403."""
        return True

    async def build_call(self, message: dict[str, Any]) -> StreamCall | None:
        """Turn a start message into a call. Raise ValidationError (or return None) to refuse it."""
        raise NotImplementedError

    async def on_complete(self, event: Event) -> None:
        """Called after the complete event was sent (e.g. to store the answer)."""

    async def on_finished(self, outcome: StreamOutcome) -> None:
        """Called once per stream, however it ended (e.g. to keep a partial answer)."""

    # --- connection -----------------------------------------------------------------------

    @property
    def user(self) -> Any:
        return self.scope.get("user")

    async def connect(self) -> None:
        if self.user is None or not self.user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await self.authorize():
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.mode = self._requested_mode()
        await self.accept()
        if self.mode == "htmx":
            await self.send_event(ready_event())

    async def disconnect(self, code: int) -> None:
        await self._stop_stream("disconnected")

    def _requested_mode(self) -> OutputMode:
        if self.allow_mode_param:
            query = parse_qs(self.scope.get("query_string", b"").decode())
            requested = (query.get("mode") or [""])[0]
            if requested in OUTPUT_MODES:
                return requested
        return self.output_mode

    # --- incoming messages ----------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        try:
            content = json.loads(text_data or "")
        except ValueError:
            await self.send_protocol_error("invalid_message", "Messages are JSON objects.")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self.send_protocol_error("invalid_message", "Messages are JSON objects.")
            return
        kind = content.get("type")
        if kind == "cancel":
            await self._cancel()
        elif kind == "start":
            await self._start(content)
        else:
            await self.send_protocol_error("unknown_type", 'Send {"type": "start", ...} or {"type": "cancel"}.')

    async def _start(self, message: dict[str, Any]) -> None:
        if self.stream_task is not None and not self.stream_task.done():
            await self.send_protocol_error("busy", "A stream is already running on this socket; cancel it first.")
            return
        try:
            call = await self.build_call(message)
        except ValidationError as problem:
            await self.send_protocol_error("invalid_request", " ".join(problem.messages))
            return
        if call is None:
            await self.send_protocol_error("invalid_request", "Nothing to run.")
            return
        self._stop_reason = "cancelled"
        self._stopped_run_id = None
        if self.mode == "htmx":
            await self.send_event(started_event())
        self.stream_task = asyncio.create_task(self._run_stream(call))

    async def _cancel(self) -> None:
        if self.stream_task is None or self.stream_task.done():
            await self.send_protocol_error("not_running", "No stream is running.")
            return
        # A stream that ended on its own meanwhile already sent its complete or error event.
        if await self._stop_stream("cancelled"):
            await self.send_event(
                {
                    "type": "error",
                    "run_id": self._stopped_run_id,
                    "code": "cancelled",
                    "message": "Cancelled.",
                    "retryable": True,
                }
            )

    async def _stop_stream(self, reason: Literal["cancelled", "disconnected"]) -> bool:
        """Cancel the running stream; True when it was still running and is now stopped."""
        task = self.stream_task
        if task is None or task.done():
            return False
        self._stop_reason = reason
        task.cancel()
        # Waiting lets the runner write the cancelled AiRun and hang up on the provider.
        await asyncio.wait({task}, timeout=STOP_TIMEOUT_SECONDS)
        return task.cancelled()

    # --- the stream -----------------------------------------------------------------------

    async def _run_stream(self, call: StreamCall) -> None:
        sent: list[str] = []
        final_event: Event | None = None
        try:
            async with aclosing(runner.astream(feature=call.feature, **call.call_args())) as events:
                async for event in events:
                    if event["type"] == "chunk":
                        sent.append(event["content"])
                    elif event["type"] in ("complete", "error"):
                        final_event = event
                    await self.send_event(event)
                    if event["type"] == "complete":
                        await self.on_complete(event)
        except asyncio.CancelledError:
            # The runner finished the AiRun as cancelled before the cancellation reached here.
            self._stopped_run_id = current_run_id.get()
            logger.info(
                "stream stopped feature=%s reason=%s chars_sent=%d", call.feature, self._stop_reason, len("".join(sent))
            )
            await self.on_finished(
                StreamOutcome(self._stop_reason, call, "".join(sent), final_event, self._stopped_run_id)
            )
            raise
        except Exception:
            # A bug in a hook or a send to a closed socket: the run itself is already recorded.
            logger.exception("stream failed feature=%s", call.feature)
            await self.on_finished(StreamOutcome("error", call, "".join(sent), final_event))
            return
        ended: Literal["complete", "error"] = (
            "complete" if final_event is not None and final_event["type"] == "complete" else "error"
        )
        await self.on_finished(StreamOutcome(ended, call, "".join(sent), final_event))

    # --- output ---------------------------------------------------------------------------

    async def send_event(self, event: Event) -> None:
        if self.mode == "htmx":
            await self.send(text_data=event_html(event, self.fragment_prefix))
        elif event["type"] not in HTMX_ONLY_EVENTS:
            await self.send_json(event)

    async def send_protocol_error(self, code: str, message: str) -> None:
        await self.send_event({"type": "error", "run_id": None, "code": code, "message": message, "retryable": False})


def _validated_playground_call(message: dict[str, Any], user: Any) -> StreamCall:
    form = PlaygroundForm(data=message)
    if not form.is_valid():
        raise ValidationError(
            [f"{name}: {' '.join(str(error) for error in errors)}" for name, errors in form.errors.items()]
        )
    return StreamCall(
        feature=form.cleaned_data["template"].slug,
        context=form.context(),
        user=user,
        overrides=form.overrides(),
        cache=False,  # staff compare models and versions: every press of Run is a real call
    )


class PlaygroundConsumer(StreamingConsumer):
    """`/ws/llm/playground/`: the staff prompt playground, in HTMX mode."""

    output_mode = "htmx"
    fragment_prefix = "playground"

    async def authorize(self) -> bool:
        return bool(self.user.is_active and self.user.is_staff)

    async def build_call(self, message: dict[str, Any]) -> StreamCall | None:
        return await in_db_thread(_validated_playground_call, message, self.user)
