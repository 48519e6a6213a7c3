"""Requests and tokens per minute, per user and per tenant, over a sliding one-minute window.

Each counter counts in one-minute buckets. A request is checked against this minute's bucket plus
the share of the last minute's that is still inside the sliding minute ending now. Fixed windows
would let twice a limit through across the turn of a minute (its last seconds, then the next
one's first); this holds such a burst to the limit, for one more key read per counter.

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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import redis
from django.conf import settings
from django.core.cache import caches
from redis.client import Pipeline
from redis.commands.core import Script
from redis.exceptions import NoScriptError

from llm.errors import LLMError, RefusedError
from llm.redis_clients import SentCommands, redis_for_cache

WINDOW_SECONDS = 60
COUNTER_TTL = WINDOW_SECONDS * 2

# KEYS: (this minute's bucket, the last minute's) per counter, then (when ARGV[2] is 1) a key to
# read along; ARGV: the TTL, the read-along flag, the share of the last minute still in the sliding
# window, then (amount, limit) per counter. Returns {0, the value read along} when admitted, else
# {the 1-based index of the counter that would pass its limit, nil, this minute's count without
# the request, the last minute's count} (nothing stays charged then).
_ADMIT_SCRIPT = """
local counters = (#KEYS - tonumber(ARGV[2])) / 2
local share = tonumber(ARGV[3])
for i = 1, counters do
    local amount = tonumber(ARGV[2 + 2 * i])
    local total = redis.call('INCRBY', KEYS[2 * i - 1], amount)
    if total == amount then redis.call('EXPIRE', KEYS[2 * i - 1], ARGV[1]) end
    local last = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
    if total + last * share > tonumber(ARGV[3 + 2 * i]) then
        for j = 1, i do redis.call('DECRBY', KEYS[2 * j - 1], ARGV[2 + 2 * j]) end
        return {i, false, total - amount, last}
    end
end
if counters * 2 < #KEYS then return {0, redis.call('GET', KEYS[#KEYS])} end
return {0, false}
"""


@dataclass(frozen=True)
class _Counter:
    key: str  # this minute's bucket; the last minute's is `previous_key`
    limit: int
    amount: int

    @property
    def previous_key(self) -> str:
        name, minute = self.key.rsplit(":", 1)
        return f"{name}:{int(minute) - 1}"

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


def _minute_elapsed(now: float) -> float:
    """How far into this minute `now` is (0 to 1). The rest, 1 minus that, is the share of the
    last minute's bucket still inside the sliding minute ending `now`."""
    return (now % WINDOW_SECONDS) / WINDOW_SECONDS


@dataclass(frozen=True)
class _OverLimit:
    """The counter a request would take past its limit, and the counts it was refused on."""

    counter: _Counter
    this_minute: int  # without the refused request
    last_minute: int

    def seconds_until_it_fits(self, now: float) -> int:
        """When the request would fit if nothing else came: once enough of the last minute's
        count (and, when this minute's alone is too many, of this minute's) has slid out."""
        room = self.counter.limit - self.counter.amount
        elapsed = _minute_elapsed(now)
        if room < 0:  # larger than the limit itself: no wait makes it fit
            minutes = 1 - elapsed
        elif self.this_minute <= room:
            needed = 1 - (room - self.this_minute) / self.last_minute if self.last_minute else 0.0
            minutes = needed - elapsed
        else:
            minutes = 1 - elapsed + 1 - room / self.this_minute
        return max(1, math.ceil(minutes * WINDOW_SECONDS))


def _script_call(counters: list[_Counter], read_along: str, *, now: float) -> tuple[list[str], list[float]]:
    """The admission script's KEYS and ARGV."""
    keys = [key for counter in counters for key in (counter.key, counter.previous_key)]
    arguments: list[float] = [COUNTER_TTL, 1 if read_along else 0, 1 - _minute_elapsed(now)]
    for counter in counters:
        arguments += [counter.amount, counter.limit]
    return keys + ([read_along] if read_along else []), arguments


def _over_limit_in_reply(counters: list[_Counter], reply: list[Any]) -> _OverLimit | None:
    refused = int(reply[0])
    if not refused:
        return None
    return _OverLimit(counters[refused - 1], this_minute=int(reply[2]), last_minute=int(reply[3]))


def _first_over_limit(counters: list[_Counter], *, now: float) -> _OverLimit | None:
    """Charge every counter, or none: the counter that would pass its limit, if any."""
    client = redis_for_cache(settings.LLM_RATE_LIMIT_CACHE)
    if client is not None:
        if not counters:
            return None
        keys, arguments = _script_call(counters, read_along="", now=now)
        return _over_limit_in_reply(counters, _admit_script(client)(keys=keys, args=arguments))
    last_minutes = caches[settings.LLM_RATE_LIMIT_CACHE].get_many([counter.previous_key for counter in counters])
    last_minute_share = 1 - _minute_elapsed(now)
    charged: list[_Counter] = []
    for counter in counters:
        charged.append(counter)
        total = _cache_add(counter.key, counter.amount)
        last_minute = int(last_minutes.get(counter.previous_key) or 0)
        if total + last_minute * last_minute_share > counter.limit:
            for done in charged:  # a refused request does not eat into the limit
                _cache_add(done.key, -done.amount)
            return _OverLimit(counter, this_minute=total - counter.amount, last_minute=last_minute)
    return None


_scripts: dict[int, Script] = {}


def _admit_script(client: redis.Redis) -> Script:
    """The admission script, sent by its SHA (the script itself only when Redis lacks it)."""
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(_ADMIT_SCRIPT)
    return script


class LimitRefusal(NamedTuple):
    limit_index: int  # which of the limits the request would pass
    retry_after: int  # seconds


def sliding_window_admit(*, limits: list[tuple[str, int]]) -> LimitRefusal | None:
    """One request against other callers' per-minute limits (`(name, limit)` pairs, e.g. a
    visitor's IP), with the gateway's atomic counters: every counter is charged, or none. None
    when admitted."""
    now = time.time()
    minute = int(now // WINDOW_SECONDS)
    counters = [_Counter(key=f"llm:rl:ext:{name}:{minute}", limit=limit, amount=1) for name, limit in limits]
    refused = _first_over_limit(counters, now=now)
    if refused is None:
        return None
    return LimitRefusal(counters.index(refused.counter), refused.seconds_until_it_fits(now))


def _admission_counters(
    *, tenant_id: int | None, user_id: int | None, plan: str, input_tokens: int, window: int
) -> list[_Counter]:
    return [
        *_counters(kind="rpm", amount=1, tenant_id=tenant_id, user_id=user_id, plan=plan, window=window),
        *_counters(kind="tpm", amount=input_tokens, tenant_id=tenant_id, user_id=user_id, plan=plan, window=window),
    ]


def _refusal(refused: _OverLimit, *, now: float) -> RefusedError:
    retry_after = refused.seconds_until_it_fits(now)
    counter = refused.counter
    return RefusedError(
        f"Too many AI requests for this {counter.scope} ({counter.kind.upper()} limit {counter.limit}); "
        f"retry in {retry_after} s.",
        code="rate_limited",
        retry_after=retry_after,
    )


class PendingVerdict:
    """The admission script's verdict, sent and not yet read (see rate_limit_admit_started)."""

    def __init__(self, sent: SentCommands, read: Callable[[], bytes | None]) -> None:
        self.sent = sent
        self._read = read

    def __call__(self) -> bytes | None:
        return self._read()


@contextmanager
def _unreachable_redis_refuses() -> Iterator[None]:
    """Without its counters the gateway refuses the call (its run is recorded as failed), rather
    than let traffic through uncounted."""
    try:
        yield
    except redis.RedisError as error:
        message = f"The gateway could not reach its rate limiter ({type(error).__name__})."
        raise LLMError(message, code="rate_limiter_unavailable") from error


def rate_limit_admit_started(
    *, tenant_id: int | None, user_id: int | None, plan: str, input_tokens: int, read_along: str = ""
) -> PendingVerdict:
    """Count one request and its input tokens, or refuse with the seconds until it would fit,
    in two halves: the script is sent to Redis now, and the returned verdict reads its answer
    (RefusedError, or the value of `read_along`, a key on the same Redis read in the same round
    trip: the exact cache's lookup rides along this way), so that the caller can wait on another
    server meanwhile (async code awaits `verdict.sent.replies_ready()` first). Without Redis, the
    counters (in the database cache) are charged when the verdict is read: the first half
    touches no database, whose connection may be busy with the caller's statement. A Redis out of
    reach, at either half, raises LLMError `rate_limiter_unavailable`."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    counters = _admission_counters(
        tenant_id=tenant_id, user_id=user_id, plan=plan, input_tokens=input_tokens, window=window
    )
    client = redis_for_cache(settings.LLM_RATE_LIMIT_CACHE)
    if client is None or (not counters and not read_along):
        if read_along and client is None:
            raise ValueError("read_along needs the rate limits in Redis")

        def charged() -> None:
            refused = _first_over_limit(counters, now=now)
            if refused is not None:
                raise _refusal(refused, now=now)

        return PendingVerdict(SentCommands(), charged)
    keys, arguments = _script_call(counters, read_along, now=now)
    script = _admit_script(client)
    with _unreachable_redis_refuses():
        sent = SentCommands(client, [("EVALSHA", script.sha, len(keys), *keys, *arguments)])

    def verdict() -> bytes | None:
        with _unreachable_redis_refuses():
            (reply,) = sent.replies()
            if isinstance(reply, NoScriptError):  # a new or flushed Redis: the script loads itself
                reply = script(keys=keys, args=arguments)
            elif isinstance(reply, Exception):
                raise reply
        refused = _over_limit_in_reply(counters, reply)
        if refused is not None:
            raise _refusal(refused, now=now)
        return cast(bytes | None, reply[1])

    return PendingVerdict(sent, verdict)


class OutputTokens(NamedTuple):
    """One call's output tokens, for the TPM counters of its user and tenant."""

    tenant_id: int | None
    user_id: int | None
    plan: str
    output_tokens: int


def rate_limit_record_outputs(calls: Iterable[OutputTokens], *, pipeline: Pipeline | None = None) -> None:
    """Output tokens count towards TPM once they are known: one INCRBY per counter for all the
    `calls`, queued on `pipeline` (the rate limits' own Redis) when one is given."""
    window = int(time.time() // WINDOW_SECONDS)
    amounts: dict[str, int] = {}
    for call in calls:
        if call.output_tokens <= 0:
            continue
        for counter in _counters(
            kind="tpm",
            amount=call.output_tokens,
            tenant_id=call.tenant_id,
            user_id=call.user_id,
            plan=call.plan,
            window=window,
        ):
            amounts[counter.key] = amounts.get(counter.key, 0) + counter.amount
    if not amounts:
        return
    client = redis_for_cache(settings.LLM_RATE_LIMIT_CACHE)
    if client is None:
        for key, amount in amounts.items():
            _cache_add(key, amount)
        return
    queue = pipeline if pipeline is not None else client.pipeline(transaction=False)
    for key, amount in amounts.items():
        queue.incrby(key, amount)
        queue.expire(key, COUNTER_TTL)
    if pipeline is None:
        queue.execute()
