"""Requests and tokens per minute, per user and per tenant, in fixed one-minute windows.

Counters live in the Django cache (Redis in production, where INCR is atomic; the database
cache in the embedded mode). Limits come from settings.LLM_RATE_LIMITS, by tenant plan:

    {"default": {"user_rpm": 60, "user_tpm": 200_000, "tenant_rpm": 300, "tenant_tpm": 1_000_000},
     "enterprise": {...}}

A limit that is missing or None is not enforced.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

from llm.errors import RefusedError

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class _Counter:
    key: str
    limit: int


def _limits_for(plan: str) -> dict[str, int | None]:
    configured = settings.LLM_RATE_LIMITS
    return {**configured.get("default", {}), **configured.get(plan, {})}


def _counters(*, kind: str, tenant_id: int | None, user_id: int | None, plan: str, window: int) -> list[_Counter]:
    limits = _limits_for(plan)
    counters = []
    for scope, scope_id in (("user", user_id), ("tenant", tenant_id)):
        limit = limits.get(f"{scope}_{kind}")
        if scope_id is not None and limit is not None:
            counters.append(_Counter(key=f"llm:rl:{scope}:{scope_id}:{kind}:{window}", limit=limit))
    return counters


def _add(key: str, amount: int) -> int:
    cache = caches[settings.LLM_RATE_LIMIT_CACHE]
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        return cache.incr(key, amount)
    except ValueError:  # expired between add and incr
        cache.set(key, amount, timeout=WINDOW_SECONDS * 2)
        return amount


def rate_limit_admit(*, tenant_id: int | None, user_id: int | None, plan: str, input_tokens: int) -> None:
    """Count one request and its input tokens, or refuse with the seconds until the window turns."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    charged: list[tuple[str, int]] = []
    for kind, amount in (("rpm", 1), ("tpm", input_tokens)):
        for counter in _counters(kind=kind, tenant_id=tenant_id, user_id=user_id, plan=plan, window=window):
            charged.append((counter.key, amount))
            if _add(counter.key, amount) > counter.limit:
                for key, charge in charged:  # a refused request does not eat into the limit
                    _add(key, -charge)
                retry_after = math.ceil((window + 1) * WINDOW_SECONDS - now)
                scope = counter.key.split(":")[2]
                raise RefusedError(
                    f"Too many AI requests for this {scope} ({kind.upper()} limit {counter.limit}); "
                    f"retry in {retry_after} s.",
                    code="rate_limited",
                    retry_after=retry_after,
                )


def rate_limit_record_output(*, tenant_id: int | None, user_id: int | None, plan: str, output_tokens: int) -> None:
    """Output tokens count towards TPM once they are known."""
    if output_tokens <= 0:
        return
    window = int(time.time() // WINDOW_SECONDS)
    for counter in _counters(kind="tpm", tenant_id=tenant_id, user_id=user_id, plan=plan, window=window):
        _add(counter.key, output_tokens)
