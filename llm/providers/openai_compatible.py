"""Any OpenAI-compatible API (OpenAI, OpenRouter, Ollama, vLLM, LiteLLM) through the `openai` SDK.

The SDK's own retries are off: the runner retries, so that every attempt is counted and backoff
honours our caps. One client per process (sync) and per event loop (async) keeps connections
pooled.
"""

from __future__ import annotations

import asyncio
import math
import os
import weakref
from collections.abc import AsyncGenerator
from email.utils import parsedate_to_datetime
from typing import Any

import openai
from django.utils import timezone

from llm.errors import ProviderError
from llm.providers.base import LLMProvider, ProviderConfig, wait_for_send_gate
from llm.types import ChatRequest, ChatResponse, EmbeddingResponse, StreamDelta, Usage

# Servers that need no key (Ollama, vLLM) still get a non-empty one: the SDK insists.
KEYLESS_PLACEHOLDER = "not-needed"
RETRYABLE_STATUSES = {408, 409, 425, 429}
# Chat completions go through the SDK's client (auth, base URL, timeouts, error classes, SSE and
# its error events) with the answer left as plain JSON: building the SDK's typed models costs more
# CPU than the gateway's own accounting (docs/PERFORMANCE.md, "Ninth round").
CHAT_COMPLETIONS = "/chat/completions"


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _count(value: object) -> int:
    """A token count as the provider sent it; anything that is not a count is none."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
        return 0  # (Python's JSON parser also reads NaN and Infinity)
    return int(value)


def usage_from_openai(usage: dict[str, Any]) -> Usage:
    """Map OpenAI usage; cached tokens stay inside input tokens and reasoning tokens inside output."""
    return Usage(
        input_tokens=_count(usage.get("prompt_tokens")),
        cached_input_tokens=_count(_mapping(usage.get("prompt_tokens_details")).get("cached_tokens")),
        output_tokens=_count(usage.get("completion_tokens")),
        reasoning_tokens=_count(_mapping(usage.get("completion_tokens_details")).get("reasoning_tokens")),
    )


def _retry_after_seconds(headers: Any) -> float | None:
    if headers is None:
        return None
    if milliseconds := headers.get("retry-after-ms"):
        try:
            return float(milliseconds) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        try:
            return max((parsedate_to_datetime(value) - timezone.now()).total_seconds(), 0.0)
        except (TypeError, ValueError):
            return None


def provider_error(error: Exception) -> ProviderError:
    """Translate an SDK or transport exception into the gateway's retry vocabulary."""
    if isinstance(error, openai.APITimeoutError):
        return ProviderError("the provider timed out", code="timeout", retryable=True)
    if isinstance(error, openai.APIConnectionError):
        return ProviderError("could not reach the provider", code="connection_error", retryable=True)
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        retryable = status in RETRYABLE_STATUSES or status >= 500
        code = "rate_limited" if status == 429 else f"http_{status}"
        return ProviderError(
            f"the provider answered HTTP {status}",
            code=code,
            retryable=retryable,
            retry_after=_retry_after_seconds(error.response.headers),
            status=status,
        )
    if isinstance(error, openai.APIError):  # an error event inside a 200 stream
        kind = error.type or error.code or "unknown"
        return ProviderError(
            f"the provider reported an error mid-answer ({kind})", code="provider_error", retryable=True
        )
    # Truncated bodies, broken SSE lines and resets surface as decode or transport errors.
    return ProviderError(
        f"bad response from the provider ({type(error).__name__})", code="bad_response", retryable=True
    )


class OpenAICompatibleProvider(LLMProvider):
    honours_send_gate = True

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        self._sync_client: openai.OpenAI | None = None
        self._async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, openai.AsyncOpenAI] = (
            weakref.WeakKeyDictionary()
        )

    def _client_options(self) -> dict[str, Any]:
        api_key = os.environ.get(self.config.api_key_env, "") if self.config.api_key_env else ""
        return {"base_url": self.config.base_url, "api_key": api_key or KEYLESS_PLACEHOLDER, "max_retries": 0}

    def sync_client(self) -> openai.OpenAI:
        if self._sync_client is None:
            self._sync_client = openai.OpenAI(**self._client_options())
        return self._sync_client

    def async_client(self) -> openai.AsyncOpenAI:
        loop = asyncio.get_running_loop()
        client = self._async_clients.get(loop)
        if client is None:
            # The SDK's own HTTP client and defaults, plus the hook that holds an early request.
            http_client = openai.DefaultAsyncHttpxClient(event_hooks={"request": [wait_for_send_gate]})
            client = self._async_clients[loop] = openai.AsyncOpenAI(**self._client_options(), http_client=http_client)
        return client

    @staticmethod
    def _chat_body(request: ChatRequest, *, stream: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"model": request.model, "messages": request.messages, "max_tokens": request.max_tokens}
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.json_schema:
            name = request.feature or "answer"
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": request.json_schema},
            }
        if stream:
            body |= {"stream": True, "stream_options": {"include_usage": True}}
        return body

    @staticmethod
    def _chat_response(completion: object) -> ChatResponse:
        # A body that is not JSON comes back as text: no choices either.
        answer = _mapping(completion)
        choices = _items(answer.get("choices"))
        if not choices:
            raise ProviderError("the provider returned no choices", code="bad_response", retryable=True)
        usage = answer.get("usage")
        if not isinstance(usage, dict):
            raise ProviderError("the provider reported no usage", code="missing_usage", retryable=True)
        choice = _mapping(choices[0])
        content = _mapping(choice.get("message")).get("content")
        return ChatResponse(
            text=content if isinstance(content, str) else "",
            usage=usage_from_openai(usage),
            finish_reason=str(choice.get("finish_reason") or "stop"),
        )

    def chat(self, request: ChatRequest) -> ChatResponse:
        try:
            completion = self.sync_client().post(
                CHAT_COMPLETIONS, cast_to=object, body=self._chat_body(request), options={"timeout": request.timeout}
            )
        except Exception as error:
            raise provider_error(error) from error
        return self._chat_response(completion)

    async def achat(self, request: ChatRequest) -> ChatResponse:
        try:
            completion = await self.async_client().post(
                CHAT_COMPLETIONS, cast_to=object, body=self._chat_body(request), options={"timeout": request.timeout}
            )
        except Exception as error:
            raise provider_error(error) from error
        return self._chat_response(completion)

    async def astream(self, request: ChatRequest) -> AsyncGenerator[StreamDelta, None]:
        try:
            stream = await self.async_client().post(
                CHAT_COMPLETIONS,
                cast_to=object,
                body=self._chat_body(request, stream=True),
                options={"timeout": request.timeout},
                stream=True,
                stream_cls=openai.AsyncStream[object],
            )
        except Exception as error:
            raise provider_error(error) from error
        usage: Usage | None = None
        try:
            async for chunk in stream:
                data = _mapping(chunk)
                if isinstance(data.get("usage"), dict):
                    usage = usage_from_openai(data["usage"])
                for choice in _items(data.get("choices")):
                    content = _mapping(_mapping(choice).get("delta")).get("content")
                    if content and isinstance(content, str):
                        yield StreamDelta(text=content)
        except Exception as error:
            raise provider_error(error) from error
        finally:
            # Closing drops the connection when the stream is abandoned: the server sees the hang-up.
            await stream.close()
        if usage is not None:
            yield StreamDelta(usage=usage)

    @staticmethod
    def _embedding_response(response: Any) -> EmbeddingResponse:
        usage = Usage(input_tokens=response.usage.prompt_tokens) if response.usage else Usage(estimated=True)
        return EmbeddingResponse(vectors=[list(item.embedding) for item in response.data], usage=usage)

    def embeddings(self, *, model: str, texts: list[str], timeout: float) -> EmbeddingResponse:
        try:
            response = self.sync_client().embeddings.create(model=model, input=texts, timeout=timeout)
        except Exception as error:
            raise provider_error(error) from error
        return self._embedding_response(response)

    async def aembeddings(self, *, model: str, texts: list[str], timeout: float) -> EmbeddingResponse:
        try:
            response = await self.async_client().embeddings.create(model=model, input=texts, timeout=timeout)
        except Exception as error:
            raise provider_error(error) from error
        return self._embedding_response(response)

    def list_models(self) -> list[str]:
        try:
            return [model.id for model in self.sync_client().models.list(timeout=10)]
        except Exception as error:
            raise provider_error(error) from error
