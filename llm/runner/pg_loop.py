"""PostgreSQL from the event loop: the admission statement (pg.py) without a database thread.

Handing the admission to a database thread costs a call two hops between threads, and under load
the thread waits for the interpreter while the loop works through other calls' chunks (see
docs/PERFORMANCE.md, eighth round). psycopg's async connection runs the same prepared statement
from the loop itself.

Connections belong to the event loop whose selector watches their sockets: each loop keeps its
own few (LLM_LOOP_DB_CONNECTIONS). Those of a loop that has closed are closed when another loop
first asks, or by `close_loop_connections()` (tests, before their database is dropped).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections

from llm.runner import pg


class _LoopConnections:
    def __init__(self, size: int) -> None:
        self.idle: list[psycopg.AsyncConnection[Any]] = []
        self.open: set[psycopg.AsyncConnection[Any]] = set()
        self.slots = asyncio.Semaphore(size)

    def close_all(self) -> None:
        # libpq's own close: needs no event loop (this one may be closed).
        for connection in self.open:
            connection.pgconn.finish()
        self.open.clear()
        self.idle.clear()


_by_loop: dict[tuple[asyncio.AbstractEventLoop, str], _LoopConnections] = {}
_lock = threading.Lock()


def _connections_for(alias: str) -> _LoopConnections:
    loop = asyncio.get_running_loop()
    found = _by_loop.get((loop, alias))
    if found is not None:
        return found
    with _lock:
        for key, old in list(_by_loop.items()):
            if key[0].is_closed():
                old.close_all()
                del _by_loop[key]
        found = _by_loop[(loop, alias)] = _LoopConnections(max(1, settings.LLM_LOOP_DB_CONNECTIONS))
    return found


def _forget_the_parents_connections() -> None:
    # A forked child shares their sockets with the parent: it leaves them alone and opens its own.
    global _lock
    _by_loop.clear()
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_the_parents_connections)


def close_loop_connections() -> None:
    """Close every loop's connections (from any thread, with no loop running on them)."""
    with _lock:
        for pool in _by_loop.values():
            pool.close_all()
        _by_loop.clear()


async def _connect(alias: str) -> psycopg.AsyncConnection[Any]:
    params = connections[alias].get_connection_params()
    params.pop("cursor_factory", None)  # Django's sync cursor class
    # Only the admission statement is prepared, explicitly; nothing automatically (see pg._cursor).
    params["prepare_threshold"] = pg.NEVER_AUTOMATICALLY if settings.LLM_PG_PREPARED_STATEMENTS else None
    return await psycopg.AsyncConnection.connect(**params, autocommit=True)


@asynccontextmanager
async def _connection(alias: str) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    pool = _connections_for(alias)
    async with pool.slots:
        connection = pool.idle.pop() if pool.idle else None
        if connection is None:
            connection = await _connect(alias)
            pool.open.add(connection)
        try:
            yield connection
        except BaseException:
            # Failed or cancelled mid-statement: its state is unknown, so it is not reused.
            pool.open.discard(connection)
            with suppress(Exception):
                connection.pgconn.finish()
            raise
        pool.idle.append(connection)  # (autocommit: a statement that succeeded leaves it idle)


async def admit_statement_on_loop(*, alias: str, params: dict[str, Any]) -> tuple[int, list[int] | None]:
    """pg.admit_statement, on this loop's own connection."""
    async with _connection(alias) as connection:
        cursor = connection.cursor()
        await cursor.execute(pg.admit_sql(), params, prepare=settings.LLM_PG_PREPARED_STATEMENTS or None)
        row = await cursor.fetchone()
    assert row is not None
    return pg.admitted_row(row)
