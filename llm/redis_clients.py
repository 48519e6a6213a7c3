"""One pooled Redis client per cache alias, for the gateway's hot path.

Django's RedisCache builds a new `redis.Redis` object for every operation (about 0.1 ms of
Python each, several per call); the rate-limit counters and the exact cache use one long-lived
client per cache instead (it is thread-safe; its pool reuses connections).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from django.conf import settings
from redis.client import Pipeline

REDIS_BACKEND_SUFFIX = ".RedisCache"

_clients: dict[str, redis.Redis] = {}
_lock = threading.Lock()


def redis_for_cache(alias: str) -> redis.Redis | None:
    """The Redis behind cache `alias`, or None when that cache is not Redis (the database cache)."""
    config = settings.CACHES.get(alias, {})
    if not str(config.get("BACKEND", "")).endswith(REDIS_BACKEND_SUFFIX):
        return None
    location = config["LOCATION"]
    url = location[0] if isinstance(location, list | tuple) else str(location)
    client = _clients.get(url)
    if client is None:
        with _lock:
            client = _clients.get(url)
            if client is None:
                client = _clients[url] = redis.Redis.from_url(url)
    return client


@contextmanager
def one_round_trip(*aliases: str) -> Iterator[Pipeline | None]:
    """A pipeline on the Redis that every one of the cache `aliases` shares, sent on exit when
    something was queued; None when they do not share one (each then makes its own call)."""
    clients = {id(client): client for client in (redis_for_cache(alias) for alias in aliases)}
    client = next(iter(clients.values())) if len(clients) == 1 else None
    if client is None:
        yield None
        return
    pipeline = client.pipeline(transaction=False)
    yield pipeline
    if len(pipeline):
        pipeline.execute()
