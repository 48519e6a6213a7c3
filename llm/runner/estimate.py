"""A pre-flight estimate: what a call would send and may cost, without making it (no AiRun)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Unpack

from llm.runner.admission import Admission, prepare, worst_case
from llm.runner.types import CallArgs, build_spec
from llm.selectors import catalog


@dataclass(frozen=True)
class Estimate:
    """What `run(feature=..., **call)` would do now: the first model of its route, the prompt's
    input tokens as rendered (memory included), the output cap, and the worst-case cost the
    budgets would reserve (every model of the chain considered, a JSON repair included)."""

    feature: str
    provider: str
    model: str
    input_tokens: int
    max_output_tokens: int
    worst_case_cost: Decimal
    prompt_version: int | None
    rule_based: bool  # the route starts at the built-in local provider


def estimate(*, feature: str, **call: Unpack[CallArgs]) -> Estimate:
    """Estimate a call with the runner's own steps (flags, prompt, route, render, token count).

    Takes `run`'s keyword arguments. Nothing is written or sent. Raises `llm.errors.RefusedError`
    when the feature is switched off for this tenant/user and `ConfigurationError` when no prompt
    or model can serve it."""
    admission = Admission(spec=build_spec(feature=feature, **call), started=0.0)
    prepare(admission, catalog())
    primary = admission.primary
    return Estimate(
        feature=feature,
        provider=primary.provider.name if primary else "",
        model=primary.model.name if primary else "",
        input_tokens=admission.input_estimate,
        max_output_tokens=admission.max_tokens,
        worst_case_cost=worst_case(admission),
        prompt_version=admission.prompt_version,
        rule_based=bool(primary and primary.is_local),
    )
