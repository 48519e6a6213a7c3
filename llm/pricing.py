"""Cost in Decimal USD from token counts and a price per million tokens."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from llm.types import Price, Usage

MILLION = Decimal(1_000_000)
COST_QUANTUM = Decimal("0.00000001")  # AiRun.cost has 8 decimal places


def cost_of(usage: Usage, price: Price) -> Decimal:
    """Cached input tokens are a part of input tokens, priced at the cached rate, never twice."""
    cached = min(usage.cached_input_tokens, usage.input_tokens)
    uncached = usage.input_tokens - cached
    total = uncached * price.input + cached * price.cached_input + usage.output_tokens * price.output
    return (total / MILLION).quantize(COST_QUANTUM, rounding=ROUND_HALF_UP)


def worst_case_cost(*, input_tokens: int, max_output_tokens: int, price: Price) -> Decimal:
    """What a call can cost at most: every input token uncached and the whole output allowance used."""
    return cost_of(Usage(input_tokens=input_tokens, output_tokens=max_output_tokens), price)
