"""The one interface every provider implements."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from llm.pricing import cost_of
from llm.tokens import count_text
from llm.types import ChatRequest, ChatResponse, EmbeddingResponse, Price, StreamDelta, Usage


@dataclass(frozen=True)
class ProviderConfig:
    """What a provider client needs from a Provider row, with the base URL resolved."""

    name: str
    kind: str
    base_url: str
    api_key_env: str


# Set in a task that builds a provider request before its call is admitted (llm/runner/attempts.py,
# "early call"): a client that honours the gate holds the request there until it resolves.
send_gate: ContextVar[asyncio.Future[None] | None] = ContextVar("llm_send_gate", default=None)


async def wait_for_send_gate(_request: Any) -> None:
    """An httpx request hook: runs after the request is built and before a connection is taken."""
    gate = send_gate.get()
    if gate is not None:
        await gate


class LLMProvider(ABC):
    # True when the async calls wait for `send_gate` before anything leaves the process.
    honours_send_gate = False

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    @property
    def name(self) -> str:
        return self.config.name

    @abstractmethod
    def chat(self, request: ChatRequest) -> ChatResponse: ...

    @abstractmethod
    async def achat(self, request: ChatRequest) -> ChatResponse: ...

    @abstractmethod
    def astream(self, request: ChatRequest) -> AsyncGenerator[StreamDelta, None]:
        """Text deltas, then one last delta carrying usage when the provider reports it."""

    @abstractmethod
    def embeddings(self, *, model: str, texts: list[str], timeout: float) -> EmbeddingResponse: ...

    @abstractmethod
    async def aembeddings(self, *, model: str, texts: list[str], timeout: float) -> EmbeddingResponse: ...

    def count_tokens(self, text: str, model: str) -> int:
        return count_text(text, model)

    def estimate_cost(self, usage: Usage, price: Price) -> Decimal:
        return cost_of(usage, price)
