"""Requests and tokens per minute, per user and per tenant, in fixed one-minute windows.

Counters live in Redis in production: admission is one Lua script (one round trip, atomic: every
counter is charged, or none when one passes its limit). In the embedded mode they live in the
Django cache (the database cache). Limits come from settings.LLM_RATE_LIMITS, by tenant plan:

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
from llm.redis_clients import redis_for_cache

WINDOW_SECONDS = 60
COUNTER_TTL = WINDOW_SECONDS * 2

# KEYS: the counters; ARGV: the TTL, then (amount, limit) per key. Returns 0 when admitted, else
# the 1-based index of the counter that would pass its limit (nothing stays charged then).
_ADMIT_SCRIPT = """
for i = 1, #KEYS do
    local amount = tonumber(ARGV[2 * i])
    local total = redis.call('INCRBY', KEYS[i], amount)
    if total == amount then redis.call('EXPIRE', KEYS[i], ARGV[1]) end
    if total > tonumber(ARGV[2 * i + 1]) then
        for j = 1, i do redis.call('DECRBY', KEYS[j], ARGV[2 * j]) end
        return i
    end
end
return 0
"""


@dataclass(frozen=True)
class _Counter:
    key: str
    limit: int
    amount: int

    @property
    def scope(self) -> str:
        return self.key.split(":")[2]

    @property
    def kind(self) -> str:
        return self.key.split(":")[4]


def _limits_for(plan: str) -> dict[str, int | None]:
    configured = settings.LLM_RATE_LIMITS
    return {**configured.get("default", {}), **configured.get(plan, {})}


def _counters(
    *, kind: str, amount: int, tenant_id: int | None, user_id: int | None, plan: str, window: int
) -> list[_Counter]:
    limits = _limits_for(plan)
    counters = []
    for scope, scope_id in (("user", user_id), ("tenant", tenant_id)):
        limit = limits.get(f"{scope}_{kind}")
        if scope_id is not None and limit is not None:
            counters.append(_Counter(key=f"llm:rl:{scope}:{scope_id}:{kind}:{window}", limit=limit, amount=amount))
    return counters


def _cache_add(key: str, amount: int) -> int:
    cache = caches[settings.LLM_RATE_LIMIT_CACHE]
    cache.add(key, 0, timeout=COUNTER_TTL)
    try:
        return cache.incr(key, amount)
    except ValueError:  # expired between add and incr
        cache.set(key, amount, timeout=COUNTER_TTL)
        return amount


def _first_over_limit(counters: list[_Counter]) -> _Counter | None:
    """Charge every counter, or none: the counter that would pass its limit, if any."""
    client = redis_for_cache(settings.LLM_RATE_LIMIT_CACHE)
    if client is not None:
        arguments: list[int] = [COUNTER_TTL]
        for counter in counters:
            arguments += [counter.amount, counter.limit]
        refused = int(client.eval(_ADMIT_SCRIPT, len(counters), *(c.key for c in counters), *arguments))
        return counters[refused - 1] if refused else None
    charged: list[_Counter] = []
    for counter in counters:
        charged.append(counter)
        if _cache_add(counter.key, counter.amount) > counter.limit:
            for done in charged:  # a refused request does not eat into the limit
                _cache_add(done.key, -done.amount)
            return counter
    return None


def fixed_window_admit(*, limits: list[tuple[str, int]]) -> int | None:
    """One request against other callers' per-minute limits (`(name, limit)` pairs, e.g. a
    visitor's IP), with the gateway's atomic counters: every counter is charged, or none. Returns
    the index of the first limit that would be passed, or None when admitted."""
    window = int(time.time() // WINDOW_SECONDS)
    counters = [_Counter(key=f"llm:rl:ext:{name}:{window}", limit=limit, amount=1) for name, limit in limits]
    refused = _first_over_limit(counters)
    return None if refused is None else counters.index(refused)


def window_retry_after() -> int:
    """Seconds until the current one-minute window ends."""
    now = time.time()
    return math.ceil((int(now // WINDOW_SECONDS) + 1) * WINDOW_SECONDS - now)


def rate_limit_admit(*, tenant_id: int | None, user_id: int | None, plan: str, input_tokens: int) -> None:
    """Count one request and its input tokens, or refuse with the seconds until the window turns."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    counters = [
        *_counters(kind="rpm", amount=1, tenant_id=tenant_id, user_id=user_id, plan=plan, window=window),
        *_counters(kind="tpm", amount=input_tokens, tenant_id=tenant_id, user_id=user_id, plan=plan, window=window),
    ]
    if not counters:
        return
    refused = _first_over_limit(counters)
    if refused is not None:
        retry_after = math.ceil((window + 1) * WINDOW_SECONDS - now)
        raise RefusedError(
            f"Too many AI requests for this {refused.scope} ({refused.kind.upper()} limit {refused.limit}); "
            f"retry in {retry_after} s.",
            code="rate_limited",
            retry_after=retry_after,
        )


def rate_limit_record_output(*, tenant_id: int | None, user_id: int | None, plan: str, output_tokens: int) -> None:
    """Output tokens count towards TPM once they are known."""
    if output_tokens <= 0:
        return
    window = int(time.time() // WINDOW_SECONDS)
    counters = _counters(
        kind="tpm", amount=output_tokens, tenant_id=tenant_id, user_id=user_id, plan=plan, window=window
    )
    if not counters:
        return
    client = redis_for_cache(settings.LLM_RATE_LIMIT_CACHE)
    if client is None:
        for counter in counters:
            _cache_add(counter.key, counter.amount)
        return
    pipeline = client.pipeline(transaction=False)
    for counter in counters:
        pipeline.incrby(counter.key, counter.amount)
        pipeline.expire(counter.key, COUNTER_TTL)
    pipeline.execute()
