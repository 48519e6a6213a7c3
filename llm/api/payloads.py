"""Parsing and validation of the request body shared by /run and /stream."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from llm.api.errors import ApiError
from llm.runner import Overrides

FEATURE_PATTERN = re.compile(r"^[a-z0-9_-]{1,80}$")
CALL_FIELDS = {"feature", "context", "overrides"}
OVERRIDE_FIELDS = {"model", "prompt_version", "max_tokens", "temperature"}
MAX_TOKENS_LIMIT = 32_000
MAX_TEMPERATURE = 2.0


@dataclass(frozen=True)
class CallRequest:
    feature: str
    context: dict[str, Any]
    overrides: Overrides


def _bad(message: str) -> ApiError:
    return ApiError(status=400, code="invalid_request", message=message)


def _int_in_range(overrides: Mapping[str, Any], name: str, *, low: int, high: int) -> int | None:
    value = overrides.get(name)
    if value is None:
        return None
    # bool is an int in Python; `true` is not a token count.
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _bad(f"overrides.{name} must be an integer from {low} to {high}.")
    return value


def _parse_overrides(raw: Any) -> Overrides:
    if raw is None:
        return Overrides()
    if not isinstance(raw, dict):
        raise _bad("overrides must be an object.")
    unknown = set(raw) - OVERRIDE_FIELDS
    if unknown:
        raise _bad(f"Unknown overrides: {', '.join(sorted(unknown))}.")
    model = raw.get("model") or ""
    if not isinstance(model, str) or len(model) > 200:
        raise _bad("overrides.model must be a model name.")
    temperature = raw.get("temperature")
    if temperature is not None and (
        not isinstance(temperature, int | float)
        or isinstance(temperature, bool)
        or not 0 <= temperature <= MAX_TEMPERATURE
    ):
        raise _bad(f"overrides.temperature must be a number from 0 to {MAX_TEMPERATURE}.")
    return Overrides(
        model=model,
        prompt_version=_int_in_range(raw, "prompt_version", low=1, high=1_000_000),
        max_tokens=_int_in_range(raw, "max_tokens", low=1, high=MAX_TOKENS_LIMIT),
        temperature=float(temperature) if temperature is not None else None,
    )


def parse_call_request(*, body: bytes) -> CallRequest:
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise _bad("The body must be JSON.") from None
    if not isinstance(data, dict):
        raise _bad("The body must be a JSON object.")
    unknown = set(data) - CALL_FIELDS
    if unknown:
        raise _bad(f"Unknown fields: {', '.join(sorted(unknown))}.")
    feature = data.get("feature")
    if not isinstance(feature, str) or not FEATURE_PATTERN.match(feature):
        raise _bad("feature must be a feature slug, e.g. 'parse_cv'.")
    context = data.get("context", {})
    if not isinstance(context, dict):
        raise _bad("context must be an object of the prompt's variables.")
    return CallRequest(feature=feature, context=context, overrides=_parse_overrides(data.get("overrides")))
