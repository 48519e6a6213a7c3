"""PostgreSQL: the admission and the finish as one statement each (data-modifying CTEs); one
finish statement ends a batch of runs as well as one (answered_ends.py).

Each is one round trip in autocommit, instead of BEGIN, 3-4 statements and COMMIT compiled by
the ORM. Used only when the AiRun and the budgets share one PostgreSQL database; SQLite (the
embedded mode) and a separate log database keep the ORM transactions of admission.py/finish.py.

Atomicity of the budget check is the ORM path's: the budget rows are locked in id order
(`SELECT … ORDER BY id FOR UPDATE` locks after sorting), and READ COMMITTED hands the locking
statement the newest committed version of each row, so the cap is checked on what concurrent
calls have reserved; then the same statement reserves on exactly those rows, or on none.
"""

from __future__ import annotations

import json
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache, partial
from typing import Any, NamedTuple

import psycopg
from django.conf import settings
from django.db import connections, router
from django.db.backends.utils import CursorWrapper
from psycopg import generators, pq
from psycopg._queries import PostgresQuery

from llm.models import AiRun, Budget, BudgetReservation


def drop_unusable_connections() -> None:
    """This thread's connections that failed or outlived CONN_MAX_AGE are closed (the next query
    opens a new one), as close_old_connections() does for requests, without its health ping."""
    for connection in connections.all(initialized_only=True):
        close_at = connection.close_at
        if connection.errors_occurred or (close_at is not None and time.monotonic() >= close_at):
            connection.close_if_unusable_or_obsolete()


@cache
def vendor_of(alias: str) -> str:
    # Several times per call, some on the event loop: `connections[alias]` is a thread-local lookup.
    return connections[alias].vendor


def single_database() -> str | None:
    """The alias when AiRun and budgets live in the same PostgreSQL database, else None."""
    alias = router.db_for_write(AiRun)
    if alias != router.db_for_write(Budget) or vendor_of(alias) != "postgresql":
        return None
    return alias


@cache
def _run_columns() -> tuple[tuple[str, ...], dict[str, Any]]:
    """AiRun's columns (no id) and each one's default, read from the model once."""
    fields = [f for f in AiRun._meta.concrete_fields if not f.primary_key]
    return tuple(f.column for f in fields), {f.attname: f.get_default() for f in fields}


NEVER_AUTOMATICALLY = 2**31


class _PreparingCursor(psycopg.Cursor[Any]):
    """Binds server-side and prepares every statement it runs (once per connection)."""

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: Any = None) -> Any:
        return super().execute(query, params, prepare=True, binary=binary)

    def _send_query_prepared(self, name: bytes, pgq: PostgresQuery, *, binary: bool | None = None) -> None:
        # psycopg only keeps the query of an unprepared execution; Django's query log reads it.
        self._query = pgq
        super()._send_query_prepared(name, pgq, binary=binary)


@contextmanager
def _cursor(alias: str) -> Iterator[CursorWrapper]:
    """A Django cursor (query logging, error wrapping) for the two statements below.

    Django binds parameters client-side, so PostgreSQL would parse and plan these CTEs on every
    call; prepared once per connection they run in a fraction of the time. Turned off by
    LLM_PG_PREPARED_STATEMENTS=0 (a transaction-pooling PgBouncer before 1.21 loses them)."""
    connection = connections[alias]
    if not settings.LLM_PG_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        # Django turns psycopg's preparing off; on, but never automatic: only this cursor prepares.
        connection.connection.prepare_threshold = NEVER_AUTOMATICALLY
    with connection.wrap_database_errors:
        raw: Any = _PreparingCursor(connection.connection)  # (django-stubs want a wrapper here)
    connection.validate_thread_sharing()
    wrapped = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with wrapped as cursor:
        yield cursor


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _json_scalar(value: Any) -> str:
    """The values JSON has no type for, as the text PostgreSQL reads into the column's type
    (numeric reads Decimal's text exactly)."""
    if isinstance(value, date):  # (and datetime)
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} in a statement's JSON parameter")


# A statement's values go as one JSON text each: psycopg adapts one string instead of a value (or
# an array) per column, which cost the database thread more than PostgreSQL's reading the JSON.
# (DjangoJSONEncoder would cut the timestamps to milliseconds.)
_to_json = json.JSONEncoder(default=_json_scalar, separators=(",", ":"), check_circular=False).encode


@cache
def admit_sql() -> str:
    columns, _ = _run_columns()
    run_table, budget_table = _q(AiRun._meta.db_table), _q(Budget._meta.db_table)
    reservation_table = _q(BudgetReservation._meta.db_table)
    names = ", ".join(_q(c) for c in columns)
    # Identifiers come from the models' metadata, values are all in the one JSON parameter. The
    # planner guesses 100 rows for a JSON record set, enough to hash a whole table rather than
    # look its rows up: `id = ANY(ARRAY(…))` keeps each table's lookup on its primary key. A
    # budget never rolled (period start NULL) refuses, where `=` would give a NULL bool_and skips.
    return f"""
WITH call AS (
    SELECT %(call)s::json AS doc
), terms AS (
    SELECT (doc->>'amount')::numeric AS amount, (doc->>'now')::timestamptz AS now,
           (doc->>'expires_at')::timestamptz AS expires_at FROM call
), wanted AS (
    SELECT w.* FROM call, json_to_recordset(doc->'budgets') AS w(id bigint, start date)
), locked AS (
    SELECT b.id, b.hard, b.enabled, b.spent, b.reserved, b.cap_usd, b.period_start, w.start
    FROM {budget_table} b JOIN wanted w ON w.id = b.id WHERE b.id = ANY(ARRAY(SELECT id FROM wanted))
    ORDER BY b.id FOR UPDATE OF b
), verdict AS (
    SELECT count(*) = (SELECT count(*) FROM wanted) AND coalesce(bool_and(
        enabled AND period_start IS NOT DISTINCT FROM start
        AND (NOT hard OR spent + reserved + (SELECT amount FROM terms) <= cap_usd)
    ), true) AS admitted FROM locked
), run AS (
    INSERT INTO {run_table} ({names})
    SELECT {names} FROM call, json_populate_record(NULL::{run_table}, doc->'run') RETURNING id
), held AS (
    UPDATE {budget_table} b SET reserved = b.reserved + (SELECT amount FROM terms) FROM wanted w
    WHERE b.id = w.id AND b.id = ANY(ARRAY(SELECT id FROM wanted)) AND (SELECT admitted FROM verdict)
    RETURNING b.id, w.start
), reservations AS (
    INSERT INTO {reservation_table} (budget_id, period_start, amount, actual, status, run_id, created_at, expires_at)
    SELECT held.id, held.start, terms.amount, NULL, %(open)s, run.id, terms.now, terms.expires_at FROM held, run, terms
    RETURNING id, budget_id
)
SELECT (SELECT id FROM run), (SELECT admitted FROM verdict),
       coalesce((SELECT array_agg(id ORDER BY budget_id) FROM reservations), '{{}}')
"""  # noqa: S608


def admit_params(
    *, run_fields: dict[str, Any], budgets: list[tuple[int, date]], amount: Decimal, now: datetime
) -> dict[str, Any]:
    """The parameters of the admission statement (`admit_sql()`); `budgets` are (id, the period
    start the caller expects)."""
    _, defaults = _run_columns()
    call = {
        "run": {**defaults, "created_at": now, **run_fields},
        "budgets": [{"id": budget_id, "start": start} for budget_id, start in sorted(budgets)],
        "amount": amount,
        "now": now,
        "expires_at": now + timedelta(seconds=settings.LLM_RESERVATION_TTL),
    }
    return {"call": _to_json(call), "open": BudgetReservation.Status.OPEN}


_ADMIT_STATEMENT_NAME = b"headhunter_admit"
# The psycopg connections (of the database threads) that have the statement prepared under that name.
_admit_prepared_on: weakref.WeakSet[psycopg.Connection[Any]] = weakref.WeakSet()


@cache
def _admit_sql_numbered() -> bytes:
    """admit_sql() with libpq's numbered placeholders, for sending it without a cursor."""
    return admit_sql().replace("%(call)s", "$1").replace("%(open)s", "$2").encode()


def _send_admission(raw: psycopg.Connection[Any], values: list[bytes | None]) -> None:
    pgconn = raw.pgconn
    if not settings.LLM_PG_PREPARED_STATEMENTS:
        pgconn.send_query_params(_admit_sql_numbered(), values)
    else:
        if raw not in _admit_prepared_on:
            pgconn.send_prepare(_ADMIT_STATEMENT_NAME, _admit_sql_numbered())
            _only_result(raw, raw.wait(generators.execute(pgconn)), pq.ExecStatus.COMMAND_OK)
            _admit_prepared_on.add(raw)
        pgconn.send_query_prepared(_ADMIT_STATEMENT_NAME, values)
    raw.wait(generators.send(pgconn))


def _only_result(raw: psycopg.Connection[Any], results: list[Any], status: pq.ExecStatus) -> Any:
    for result in results:
        if result.status == pq.ExecStatus.FATAL_ERROR:
            raise psycopg.errors.error_from_result(result, encoding=raw.info.encoding)
    if len(results) != 1 or results[0].status != status:
        raise psycopg.InterfaceError(f"unexpected results from the admission statement: {results!r}")
    return results[0]


def _statement_forgotten(results: list[Any]) -> bool:
    # invalid_sql_statement_name: psycopg sends DEALLOCATE ALL after a ROLLBACK, for one
    return any(result.error_field(pq.DiagnosticField.SQLSTATE) == b"26000" for result in results)


def _int_array(text: bytes) -> list[int]:
    inner = text[1:-1]  # b"{1,2}"
    return [int(item) for item in inner.split(b",")] if inner else []


def _admission_row(raw: psycopg.Connection[Any], values: list[bytes | None]) -> tuple[int, bool, list[int]]:
    results = raw.wait(generators.fetch_many(raw.pgconn))
    if _statement_forgotten(results):  # prepared again, and sent again
        _admit_prepared_on.discard(raw)
        _send_admission(raw, values)
        results = raw.wait(generators.fetch_many(raw.pgconn))
    result = _only_result(raw, results, pq.ExecStatus.TUPLES_OK)
    run_id, admitted, reservation_ids = (result.get_value(0, column) for column in range(3))
    return int(run_id), admitted == b"t", _int_array(reservation_ids)


@contextmanager
def admit_statement_sent(*, alias: str, params: dict[str, Any]) -> Iterator[Callable[[], tuple[int, list[int] | None]]]:
    """`admit_statement`, written to PostgreSQL now: the block runs while PostgreSQL runs it, and
    calls what it is given to wait for the statement's result (once). A block left without
    reading it reads it anyway, so that the connection is clean for the next statement.

    Sent without a cursor (libpq's send, then psycopg's non-blocking wait), as a cursor's execute
    waits for the result. Where a cursor must run it (a transaction open, queries logged for
    DEBUG), it runs when the result is asked for."""
    connection = connections[alias]
    with connection.wrap_database_errors:
        connection.ensure_connection()
    connection.validate_thread_sharing()
    if connection.queries_logged or not connection.get_autocommit():
        yield partial(admit_statement, alias=alias, params=params)
        return
    raw = connection.connection
    encoding = raw.info.encoding
    values: list[bytes | None] = [params["call"].encode(encoding), params["open"].encode(encoding)]
    with connection.wrap_database_errors:
        _send_admission(raw, values)
    read = False

    def result() -> tuple[int, list[int] | None]:
        nonlocal read
        read = True
        with connection.wrap_database_errors:
            return admitted_row(_admission_row(raw, values))

    try:
        yield result
    finally:
        if not read:
            with suppress(Exception):
                result()


def admitted_row(row: tuple[int, bool, list[int]]) -> tuple[int, list[int] | None]:
    """The admission statement's row as (run id, reservation ids in budget-id order or None)."""
    run_id, admitted, reservation_ids = row
    return run_id, (list(reservation_ids) if admitted else None)


def admit_statement(*, alias: str, params: dict[str, Any]) -> tuple[int, list[int] | None]:
    """Insert the `running` AiRun and hold the amount on every budget (all or none), in one
    statement; `params` from admit_params(). Returns the run id and the reservation ids in
    budget-id order (None: a budget refused; the run is inserted all the same)."""
    with _cursor(alias) as cursor:
        cursor.execute(admit_sql(), params)
        return admitted_row(cursor.fetchone())


class RunEnd(NamedTuple):
    """One run's end for `finish_statement`. `holds` are (reservation id, budget id); they are
    settled to `actual` (or released when it is 0) with `reservation_status`."""

    run_id: int
    run_fields: dict[str, Any]
    holds: list[tuple[int, int]]  # (reservation id, budget id)
    reservation_status: str
    actual: Decimal


@cache
def _finish_sql(columns: tuple[str, ...]) -> str:
    run_table, budget_table = _q(AiRun._meta.db_table), _q(Budget._meta.db_table)
    reservation_table = _q(BudgetReservation._meta.db_table)
    assignments = ", ".join(f"{_q(column)} = e.{_q(column)}" for column in columns)
    # The runs' ends come as one JSON array of AiRun rows (only their id and `columns` set), the
    # holds as another. Only holds still open are closed, so a statement run again after it landed
    # changes nothing; a budget held by several of the runs is settled once, by the sum of what
    # was closed on it.
    return f"""
WITH holds AS (
    SELECT * FROM json_to_recordset(%(holds)s::json) AS h(id bigint, budget_id bigint, status text, actual numeric)
), locked AS (
    SELECT id FROM {budget_table} WHERE id = ANY(ARRAY(SELECT budget_id FROM holds)) ORDER BY id FOR UPDATE
), closed AS (
    UPDATE {reservation_table} r SET status = h.status, actual = h.actual FROM holds h
    WHERE r.id = h.id AND r.id = ANY(ARRAY(SELECT id FROM holds)) AND r.status = %(open)s
        AND (SELECT count(*) FROM locked) >= 0
    RETURNING r.budget_id, r.period_start, r.amount, h.actual
), settled AS (
    UPDATE {budget_table} b SET
        reserved = b.reserved - coalesce(
            (SELECT sum(c.amount) FROM closed c WHERE c.budget_id = b.id AND c.period_start = b.period_start), 0
        ),
        spent = b.spent + (SELECT sum(c.actual) FROM closed c WHERE c.budget_id = b.id)
    WHERE b.id IN (SELECT budget_id FROM closed)
    RETURNING b.id, b.spent > b.cap_usd AND b.alerted_at IS NULL AS over
), ends AS (
    SELECT * FROM json_populate_recordset(NULL::{run_table}, %(ends)s::json)
), run AS (
    UPDATE {run_table} r SET {assignments} FROM ends e
    WHERE r.id = e.id AND r.id = ANY(ARRAY(SELECT id FROM ends)) RETURNING r.id
)
SELECT (SELECT count(*) FROM run), coalesce((SELECT array_agg(id) FROM settled WHERE over), '{{}}')
"""  # noqa: S608


def finish_query(ends: Sequence[RunEnd]) -> tuple[str, dict[str, Any]]:
    """The finish statement for `ends` (they all set the same AiRun columns) and its parameters."""
    holds = [
        {"id": reservation_id, "budget_id": budget_id, "status": end.reservation_status, "actual": end.actual}
        for end in ends
        for reservation_id, budget_id in end.holds
    ]
    params = {
        "holds": _to_json(holds),
        "ends": _to_json([{"id": end.run_id, **end.run_fields} for end in ends]),
        "open": BudgetReservation.Status.OPEN,
    }
    return _finish_sql(tuple(sorted(ends[0].run_fields))), params


def finish_statement(*, alias: str, ends: Sequence[RunEnd]) -> list[int]:
    """Close the runs' holds and write their AiRuns' ends, in one statement; every end sets the
    same AiRun columns. Returns the budgets now over their cap and not yet alerted (the caller
    alerts; rare)."""
    with _cursor(alias) as cursor:
        cursor.execute(*finish_query(ends))
        _, over = cursor.fetchone()
    return list(over)
