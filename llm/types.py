"""Value types shared by the runner, the router and the providers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Message = dict[str, str]


@dataclass
class Usage:
    """OpenAI's semantics: cached input tokens are part of input tokens, reasoning tokens part of output."""

    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    estimated: bool = False

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def as_dict(self) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "cached_input_tokens": self.cached_input_tokens,
            "output_tokens": self.output_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "total_tokens": self.total_tokens,
            "estimated": self.estimated,
        }


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: list[Message]
    max_tokens: int
    timeout: float
    feature: str = ""
    temperature: float | None = None
    json_schema: dict[str, Any] | None = None  # set: the answer must be JSON of this shape
    context: Mapping[str, Any] = field(default_factory=dict)  # for the local provider's handlers


@dataclass(frozen=True)
class ChatResponse:
    text: str
    usage: Usage
    finish_reason: str = "stop"


@dataclass(frozen=True)
class StreamDelta:
    """One piece of a stream: text, or (last) the usage the provider reported."""

    text: str = ""
    usage: Usage | None = None


@dataclass(frozen=True)
class EmbeddingResponse:
    vectors: list[list[float]]
    usage: Usage


@dataclass(frozen=True)
class Price:
    """USD per million tokens."""

    input: Decimal = Decimal(0)
    cached_input: Decimal = Decimal(0)
    output: Decimal = Decimal(0)
