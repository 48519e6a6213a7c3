"""Any OpenAI-compatible API (OpenAI, OpenRouter, Ollama, vLLM, LiteLLM) through the `openai` SDK.

The SDK's own retries are off: the runner retries, so that every attempt is counted and backoff
honours our caps. One client per process (sync) and per event loop (async) keeps connections
pooled.
"""

from __future__ import annotations

import asyncio
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


def usage_from_openai(usage: Any) -> Usage:
    """Map OpenAI usage; cached tokens stay inside input tokens and reasoning tokens inside output."""
    prompt_details = getattr(usage, "prompt_tokens_details", None)
    completion_details = getattr(usage, "completion_tokens_details", None)
    return Usage(
        input_tokens=usage.prompt_tokens or 0,
        cached_input_tokens=(getattr(prompt_details, "cached_tokens", 0) or 0),
        output_tokens=getattr(usage, "completion_tokens", 0) or 0,
        reasoning_tokens=(getattr(completion_details, "reasoning_tokens", 0) or 0),
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
    def _chat_arguments(request: ChatRequest) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "model": request.model,
            "messages": request.messages,
            "max_tokens": request.max_tokens,
            "timeout": request.timeout,
        }
        if request.temperature is not None:
            arguments["temperature"] = request.temperature
        if request.json_schema:
            name = request.feature or "answer"
            arguments["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": request.json_schema},
            }
        return arguments

    @staticmethod
    def _chat_response(completion: Any) -> ChatResponse:
        if not completion.choices:
            raise ProviderError("the provider returned no choices", code="bad_response", retryable=True)
        choice = completion.choices[0]
        if completion.usage is None:
            raise ProviderError("the provider reported no usage", code="missing_usage", retryable=True)
        return ChatResponse(
            text=choice.message.content or "",
            usage=usage_from_openai(completion.usage),
            finish_reason=choice.finish_reason or "stop",
        )

    def chat(self, request: ChatRequest) -> ChatResponse:
        try:
            completion = self.sync_client().chat.completions.create(**self._chat_arguments(request))
        except Exception as error:
            raise provider_error(error) from error
        return self._chat_response(completion)

    async def achat(self, request: ChatRequest) -> ChatResponse:
        try:
            completion = await self.async_client().chat.completions.create(**self._chat_arguments(request))
        except Exception as error:
            raise provider_error(error) from error
        return self._chat_response(completion)

    async def astream(self, request: ChatRequest) -> AsyncGenerator[StreamDelta, None]:
        try:
            stream = await self.async_client().chat.completions.create(
                **self._chat_arguments(request), stream=True, stream_options={"include_usage": True}
            )
        except Exception as error:
            raise provider_error(error) from error
        usage: Usage | None = None
        try:
            async for chunk in stream:
                if chunk.usage is not None:
                    usage = usage_from_openai(chunk.usage)
                for choice in chunk.choices:
                    if choice.delta and choice.delta.content:
                        yield StreamDelta(text=choice.delta.content)
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
