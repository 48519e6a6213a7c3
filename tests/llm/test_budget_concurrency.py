"""Promise 4 under concurrency: 200 simultaneous calls against a cap that fits 50 worst cases.

Threads with the sync runner, so that every call has its own database connection: on PostgreSQL
(the integration run) the reservations really race; on SQLite the writers queue up. And on
PostgreSQL, async calls on one event loop, admitted on the loop's own connections or by the
database thread.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone

from llm import runner
from llm.budgets import period_start
from llm.models import AiRun, Budget, BudgetReservation
from llm.selectors import catalog
from tests.fakes.openai_server import Fault
from tests.llm.conftest import Gateway, make_company

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REQUESTS = 200
FITS = 50
MAX_TOKENS = 40
# Long enough that the fake truncates it at MAX_TOKENS: each call costs close to its worst case.
REPLY = "token " * 200
CALL: dict[str, Any] = {
    "feature": "playground",
    "context": {"prompt": "Write at length."},
    "overrides": {"max_tokens": MAX_TOKENS},
}


def ask(company: Any) -> str:
    try:
        runner.run(**CALL, tenant=company)
        return "admitted"
    except runner.RunError as error:
        return error.code
    finally:
        connections.close_all()  # each worker thread owns a connection


async def race(company: Any) -> list[str]:
    """REQUESTS async calls at once on this loop; how each ended."""

    async def ask_async() -> str:
        try:
            await runner.arun(**CALL, tenant=company)
            return "admitted"
        except runner.RunError as error:
            return error.code

    return list(await asyncio.gather(*(ask_async() for _ in range(REQUESTS))))


def capped_company(gateway: Gateway) -> tuple[Any, Budget, Decimal]:
    """A company whose daily cap fits FITS worst cases (measured on a probe call), and the worst case."""
    probe_company, company = make_company("probe", "free"), make_company("racer", "free")
    Budget.objects.create(scope="tenant", tenant_id=probe_company.pk, cap_usd=Decimal(1))
    gateway.fake.always(Fault.reply(REPLY) | Fault.latency(0.05))
    ask(probe_company)
    worst_case = BudgetReservation.objects.get().amount
    budget = Budget.objects.create(
        scope="tenant",
        tenant_id=company.pk,
        cap_usd=worst_case * FITS,
        period="daily",
        period_start=period_start("daily", timezone.now()),
    )
    return company, budget, worst_case


def assert_cap_held(company: Any, budget: Budget, worst_case: Decimal, outcomes: list[str]) -> None:
    runner.background_db_work_done()
    budget.refresh_from_db()
    runs = AiRun.objects.filter(tenant_id=company.pk)
    spent = runs.aggregate(total=Sum("cost"))["total"]
    assert runs.count() == REQUESTS and not runs.filter(status="running").exists()
    assert outcomes.count("admitted") + outcomes.count("budget_exceeded") == REQUESTS
    assert FITS * 0.8 <= outcomes.count("admitted") <= FITS + 1
    assert spent <= budget.cap_usd + worst_case
    assert budget.spent == spent and budget.reserved == 0
    assert not BudgetReservation.objects.filter(status="open").exists()


def test_concurrent_calls_never_overshoot_a_hard_cap(gateway: Gateway) -> None:
    company, budget, worst_case = capped_company(gateway)
    start = threading.Barrier(REQUESTS)

    def racer(_: int) -> str:
        start.wait()
        return ask(company)

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        outcomes = list(pool.map(racer, range(REQUESTS)))

    assert_cap_held(company, budget, worst_case, outcomes)


def test_concurrent_calls_admitted_on_the_event_loop_never_overshoot_a_hard_cap(
    gateway: Gateway, redis_counters: Any, db_thread: None, thread_admissions: list[str]
) -> None:
    """The production path of async calls (llm/runner/loop_admission.py): the admissions race on
    the loop's own connections."""
    if connection.vendor != "postgresql":
        pytest.skip("the loop's admission is PostgreSQL's")
    gateway.settings.LLM_CATALOG_TTL = 60.0
    gateway.settings.LLM_ADMIT_ON_LOOP_MAX_CALLS = REQUESTS  # on the loop however busy
    company, budget, worst_case = capped_company(gateway)
    catalog()  # fresh, with the new budget: every admission runs on the loop

    outcomes = asyncio.run(race(company))

    assert thread_admissions == ["playground"]  # the probe's (sync): none of the racers'
    assert_cap_held(company, budget, worst_case, outcomes)


def test_concurrent_calls_admitted_in_the_database_thread_never_overshoot_a_hard_cap(
    gateway: Gateway, redis_counters: Any, db_thread: None, thread_admissions: list[str]
) -> None:
    """The path of async calls on a busy loop: each admission handed to the database thread, its
    statement sent before Redis's part (llm/runner/pg.py, admit_statement_sent)."""
    if connection.vendor != "postgresql":
        pytest.skip("the database threads are PostgreSQL's")
    gateway.settings.LLM_ADMIT_ON_LOOP = False
    company, budget, worst_case = capped_company(gateway)

    outcomes = asyncio.run(race(company))

    assert thread_admissions.count("playground") == REQUESTS + 1  # the probe's too
    assert_cap_held(company, budget, worst_case, outcomes)
