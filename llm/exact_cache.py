"""The exact cache: a SHA-256 of the model, the messages and the parameters keys a stored answer.

Entries live in Redis in production (one pooled client, JSON values) and in the Django cache in
the embedded mode.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from redis.client import Pipeline

from llm.redis_clients import redis_for_cache
from llm.types import Message, Usage


@dataclass(frozen=True)
class CachedAnswer:
    text: str
    usage: Usage
    model: str
    provider: str


def cache_key(*, model: str, messages: list[Message], parameters: dict[str, Any]) -> str:
    material = json.dumps({"model": model, "messages": messages, "parameters": parameters}, sort_keys=True)
    return "llm:exact:" + hashlib.sha256(material.encode()).hexdigest()


def cache_enabled() -> bool:
    return int(settings.LLM_CACHE_TTL) > 0


def cache_read_along_key(key: str) -> str:
    """`key` when the cache lives in the rate limits' Redis, else "": the rate-limit admission can
    then read the entry in its own round trip (see rate_limit_admit_started; decode with cache_decode)."""
    client = redis_for_cache(settings.LLM_EXACT_CACHE)
    return key if client is not None and client is redis_for_cache(settings.LLM_RATE_LIMIT_CACHE) else ""


def cache_decode(raw: bytes | str | None) -> CachedAnswer | None:
    """The entry read from Redis (a JSON object), or None for a miss."""
    return _answer(json.loads(raw) if raw else None)


def cache_get(key: str) -> CachedAnswer | None:
    client = redis_for_cache(settings.LLM_EXACT_CACHE)
    if client is not None:
        return cache_decode(client.get(key))
    return _answer(caches[settings.LLM_EXACT_CACHE].get(key))


def _answer(stored: object) -> CachedAnswer | None:
    if not isinstance(stored, dict):
        return None
    return CachedAnswer(
        text=stored["text"], usage=Usage(**stored["usage"]), model=stored["model"], provider=stored["provider"]
    )


def cache_put(key: str, answer: CachedAnswer, *, pipeline: Pipeline | None = None) -> None:
    """Store `answer`; queued on `pipeline` (the cache's own Redis) when one is given."""
    payload = {"text": answer.text, "usage": asdict(answer.usage), "model": answer.model, "provider": answer.provider}
    client = pipeline if pipeline is not None else redis_for_cache(settings.LLM_EXACT_CACHE)
    if client is not None:
        client.set(key, json.dumps(payload), ex=int(settings.LLM_CACHE_TTL))
    else:
        caches[settings.LLM_EXACT_CACHE].set(key, payload, timeout=int(settings.LLM_CACHE_TTL))
