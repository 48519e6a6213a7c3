"""One pooled Redis client per cache alias, for the gateway's hot path.

Django's RedisCache builds a new `redis.Redis` object for every operation (about 0.1 ms of
Python each, several per call); the rate-limit counters and the exact cache use one long-lived
client per cache instead (it is thread-safe; its pool reuses connections).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

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


def shared_pipeline(*aliases: str) -> Pipeline | None:
    """A pipeline on the Redis that every one of the cache `aliases` shares (send it with
    send_pipeline), or None when they do not share one (each then makes its own call)."""
    clients = {id(client): client for client in (redis_for_cache(alias) for alias in aliases)}
    client = next(iter(clients.values())) if len(clients) == 1 else None
    return client.pipeline(transaction=False) if client is not None else None


class SentCommands:
    """Commands already written to Redis, their replies read later by `replies()` (exactly once):
    the caller waits on another server (PostgreSQL) meanwhile, so both work at the same time
    instead of one after the other."""

    def __init__(self, client: redis.Redis | None = None, commands: Sequence[Sequence[Any]] = ()) -> None:
        self._count = len(commands)
        self._pool = client.connection_pool if client is not None and commands else None
        self._connection: Any = None
        if self._pool is None:
            return
        # (the pool hands out a checked connection: one that Redis closed is reconnected first)
        self._connection = self._pool.get_connection()
        try:
            self._connection.send_packed_command(self._connection.pack_commands(commands))
        except BaseException:
            self._close(broken=True)
            raise

    async def replies_ready(self) -> None:
        """Wait on the event loop, not in `replies()`, until the replies have started to arrive
        (the few bytes of a short reply come in one segment)."""
        connection = self._connection
        if connection is None or connection.can_read(timeout=0):
            return
        loop = asyncio.get_running_loop()
        readable: asyncio.Future[None] = loop.create_future()
        descriptor = connection._sock.fileno()

        def on_readable() -> None:
            if not readable.done():
                readable.set_result(None)

        loop.add_reader(descriptor, on_readable)
        try:
            await readable
        finally:
            loop.remove_reader(descriptor)

    def replies(self) -> list[Any]:
        """Each command's reply in order; an error reply stands in its place as the exception."""
        if self._connection is None:
            return []
        answers: list[Any] = []
        try:
            for _ in range(self._count):
                try:
                    answers.append(self._connection.read_response())
                except redis.ResponseError as error:  # the next replies are still on the wire: read on
                    answers.append(error)
        except BaseException:
            self._close(broken=True)
            raise
        self._close(broken=False)
        return answers

    def _close(self, *, broken: bool) -> None:
        connection, self._connection = self._connection, None
        assert self._pool is not None
        if broken:  # unread replies would answer the next caller: drop the connection
            connection.disconnect()
        self._pool.release(connection)


def send_pipeline(pipeline: Pipeline | None) -> SentCommands:
    """Write what `pipeline` queued without waiting for the replies (see SentCommands)."""
    if pipeline is None or not len(pipeline):
        return SentCommands()
    return SentCommands(pipeline, [args for args, _options in pipeline.command_stack])
