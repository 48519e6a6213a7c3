"""The OpenAI-compatible provider against the fake server through the real SDK: what it sends, how
it reads answers and streams (plain JSON, no SDK models), and how odd answers become errors."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from llm.errors import ProviderError
from llm.providers import ProviderConfig
from llm.providers.openai_compatible import OpenAICompatibleProvider, usage_from_openai
from llm.types import ChatRequest, StreamDelta, Usage
from tests.fakes.openai_server import FakeOpenAIServer, Fault

SCHEMA = {"type": "object", "properties": {"score": {"type": "integer"}}, "required": ["score"]}


def provider_for(server: FakeOpenAIServer) -> OpenAICompatibleProvider:
    return OpenAICompatibleProvider(
        ProviderConfig(name="openai", kind="openai", base_url=server.base_url, api_key_env="OPENAI_API_KEY")
    )


def chat_request(**overrides: Any) -> ChatRequest:
    fields: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Summarise the CV."}],
        "max_tokens": 64,
        "timeout": 5.0,
        "temperature": 0.2,
    }
    return ChatRequest(**(fields | overrides))


async def read_stream(provider: OpenAICompatibleProvider, request: ChatRequest) -> list[StreamDelta]:
    return [delta async for delta in provider.astream(request)]


def test_chat_sends_the_request_and_maps_text_usage_and_details(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Fault.reply("Three jobs in ten years.") | Fault.cached_tokens(8) | Fault.reasoning_tokens(5))

    response = provider_for(fake_openai).chat(chat_request())

    body = fake_openai.requests[-1].body
    assert body == {
        "model": "gpt-4o-mini",
        "messages": chat_request().messages,
        "max_tokens": 64,
        "temperature": 0.2,
    }
    assert response.text == "Three jobs in ten years."
    assert response.finish_reason == "stop"
    usage = response.usage
    assert usage.input_tokens > 8 and usage.cached_input_tokens == 8
    assert usage.reasoning_tokens == 5 and usage.output_tokens == 5 + 6  # six words' tokens plus reasoning


def test_async_chat_asks_for_the_schema_and_returns_its_json(fake_openai: FakeOpenAIServer) -> None:
    response = asyncio.run(provider_for(fake_openai).achat(chat_request(json_schema=SCHEMA, feature="match")))

    response_format = fake_openai.requests[-1].body["response_format"]
    assert response_format == {"type": "json_schema", "json_schema": {"name": "match", "schema": SCHEMA}}
    assert json.loads(response.text) == {"score": 1}  # the fake's minimal instance of the schema
    assert response.usage.output_tokens > 0


def test_stream_yields_the_text_then_the_usage(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Fault.reply("One two three four.") | Fault.cached_tokens(3))

    deltas = asyncio.run(read_stream(provider_for(fake_openai), chat_request()))

    body = fake_openai.requests[-1].body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert "".join(delta.text for delta in deltas) == "One two three four."
    assert all(delta.usage is None for delta in deltas[:-1])
    last = deltas[-1].usage
    assert last is not None and last.cached_input_tokens == 3 and last.output_tokens == 5
    assert fake_openai.stats["streams_completed"] == 1


def test_an_error_event_mid_stream_raises_after_the_text_before_it(fake_openai: FakeOpenAIServer) -> None:
    # Events: the role chunk, "One", " two", then the error in place of the rest.
    fake_openai.script(
        Fault.reply("One two three four.") | Fault.error_mid_stream(after_chunks=3, message="overloaded")
    )
    received: list[str] = []

    async def read() -> None:
        async for delta in provider_for(fake_openai).astream(chat_request()):
            received.append(delta.text)

    with pytest.raises(ProviderError) as raised:
        asyncio.run(read())

    assert received == ["One", " two"]
    assert raised.value.code == "provider_error" and raised.value.retryable
    assert "server_error" in raised.value.message


def test_a_status_error_stays_a_status_error(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script(Fault.status_429(retry_after=2))

    with pytest.raises(ProviderError) as raised:
        asyncio.run(read_stream(provider_for(fake_openai), chat_request()))

    assert (raised.value.code, raised.value.status, raised.value.retry_after) == ("rate_limited", 429, 2.0)


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("<html>Bad gateway</html>", "bad_response"),  # a proxy's page: the SDK hands back its text
        ({"choices": []}, "bad_response"),
        ({"choices": "none"}, "bad_response"),
        ({"choices": [{"message": {"content": "Hi"}}]}, "missing_usage"),
        ({"choices": [{"message": {"content": "Hi"}}], "usage": None}, "missing_usage"),
    ],
)
def test_answers_without_choices_or_usage_are_provider_errors(answer: object, code: str) -> None:
    with pytest.raises(ProviderError) as raised:
        OpenAICompatibleProvider._chat_response(answer)

    assert raised.value.code == code and raised.value.retryable


def test_usage_that_is_not_counts_counts_as_none() -> None:
    usage = usage_from_openai(
        {
            "prompt_tokens": "12",
            "completion_tokens": -3,
            "prompt_tokens_details": None,
            "completion_tokens_details": {"reasoning_tokens": True},
        }
    )
    assert usage == Usage()
    assert usage_from_openai(json.loads('{"prompt_tokens": NaN, "completion_tokens": Infinity}')) == Usage()
    assert usage_from_openai({"prompt_tokens": 12.0, "completion_tokens": 4}) == Usage(input_tokens=12, output_tokens=4)


def test_a_message_without_text_is_an_empty_answer() -> None:
    response = OpenAICompatibleProvider._chat_response(
        {"choices": [{"message": {"content": None}, "finish_reason": "length"}], "usage": {"prompt_tokens": 3}}
    )
    assert (response.text, response.finish_reason, response.usage.input_tokens) == ("", "length", 3)


def test_the_sdk_does_not_log_each_request_and_its_url(
    fake_openai: FakeOpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    # The runner's `llm call` line records each call; the SDK's HTTP client would add a line per
    # request, with the provider's URL (which may carry a key in its query string).
    with caplog.at_level(logging.INFO):
        provider_for(fake_openai).chat(chat_request())

    assert fake_openai.requests and not [r for r in caplog.records if fake_openai.base_url in r.getMessage()]
