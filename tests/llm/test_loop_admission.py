"""PostgreSQL and Redis: an async call is admitted on its own event loop (llm/runner/loop_admission.py),
with the database thread's admission as its fallback, and keeps every promise of the thread's:
one AiRun, budget holds settled or given back, rate limits and the exact cache on the same trip,
nothing sent to the provider before admission, a dead connection costing one call, not the next."""

from __future__ import annotations

import asyncio
import threading
from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, transaction
from django.utils import timezone

from llm import runner
from llm.budgets import period_start
from llm.models import AiRun, Budget, BudgetReservation
from llm.selectors import catalog
from tests.fakes.openai_server import Fault
from tests.llm.conftest import Gateway, point_the_rate_limits_at_a_closed_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def loop_gateway(gateway: Gateway, redis_counters: Any, db_thread: None, thread_admissions: list[str]) -> list[str]:
    """The gateway as in production (a catalog snapshot that lives, Redis); returns the features
    admitted by the database thread, which the loop's admission falls back to."""
    if connection.vendor != "postgresql":
        pytest.skip("the loop's admission is PostgreSQL's")
    gateway.settings.LLM_CATALOG_TTL = 60.0
    return thread_admissions


def cap(company: Any, amount: str) -> Budget:
    # (in its period already: the first call of a period rolls it over in the database thread)
    budget = Budget.objects.create(
        scope="tenant",
        tenant_id=company.pk,
        period="daily",
        period_start=period_start("daily", timezone.now()),
        cap_usd=Decimal(amount),
    )
    catalog()  # the budget's save dropped the snapshot: this call's admission would reload it
    return budget


async def ask(company: Any, prompt: str = "Hello", **call: Any) -> runner.RunResult:
    return await runner.arun(feature="playground", context={"prompt": prompt}, tenant=company, **call)


def settled(result: runner.RunResult) -> tuple[str, Decimal, Decimal]:
    runner.background_db_work_done()
    run = AiRun.objects.get(pk=result.run_id)
    budget = Budget.objects.get(tenant_id=run.tenant_id)
    return run.status, budget.reserved, budget.spent


def test_an_async_call_is_admitted_on_its_loop_and_settles_its_hold(
    loop_gateway: list[str], gateway: Gateway, free_company: Any
) -> None:
    budget = cap(free_company, "5")

    result = asyncio.run(ask(free_company))

    assert loop_gateway == [] and result.ok and result.cost > 0
    assert settled(result) == ("succeeded", 0, result.cost)
    hold = BudgetReservation.objects.get(run_id=result.run_id)
    assert (hold.budget_id, hold.status, hold.actual) == (budget.pk, "settled", result.cost)
    assert len(gateway.fake.requests) == 1


def test_a_stale_catalog_sends_the_call_to_the_database_thread(
    loop_gateway: list[str], gateway: Gateway, free_company: Any
) -> None:
    cap(free_company, "5")
    gateway.settings.LLM_CATALOG_TTL = 0.0

    result = asyncio.run(ask(free_company))

    assert loop_gateway == ["playground"] and result.ok
    assert settled(result) == ("succeeded", 0, result.cost)


def test_an_unreachable_redis_refuses_the_call_on_the_loop_and_records_it(
    loop_gateway: list[str], gateway: Gateway, free_company: Any
) -> None:
    """Refused where Redis failed: the database thread does not admit the call again (with a
    Redis that times out, that would be a second wait)."""
    gateway.settings.LLM_RATE_LIMITS = {"default": {"tenant_rpm": 100}}
    budget = cap(free_company, "5")
    point_the_rate_limits_at_a_closed_port(gateway)

    with pytest.raises(runner.RunError) as refused:
        asyncio.run(ask(free_company))

    assert refused.value.code == "rate_limiter_unavailable" and loop_gateway == []
    runner.background_db_work_done()
    run = AiRun.objects.get(pk=refused.value.result.run_id)
    budget.refresh_from_db()
    assert (run.status, budget.reserved) == ("failed", 0) and len(gateway.fake.requests) == 0


def test_the_loop_refuses_over_the_rate_limit_and_gives_the_hold_back(
    loop_gateway: list[str], gateway: Gateway, free_company: Any
) -> None:
    cap(free_company, "5")
    gateway.settings.LLM_RATE_LIMITS = {"default": {"tenant_rpm": 1}}

    async def twice() -> tuple[runner.RunResult, runner.RunError]:
        first = await ask(free_company)
        with pytest.raises(runner.RunError) as refused:
            await ask(free_company, prompt="Again")
        return first, refused.value

    first, refused = asyncio.run(twice())

    assert loop_gateway == [] and refused.code == "rate_limited" and len(gateway.fake.requests) == 1
    assert settled(refused.result) == ("refused", 0, first.cost)


def test_the_loop_answers_a_repeated_call_from_the_cache_at_no_cost(
    loop_gateway: list[str], gateway: Gateway, free_company: Any
) -> None:
    cap(free_company, "5")
    gateway.settings.LLM_CACHE_TTL = 60

    async def twice() -> tuple[runner.RunResult, runner.RunResult]:
        first = await ask(free_company)
        # The answer goes into the cache with its end, written in a batch after the caller has it.
        await asyncio.to_thread(runner.background_db_work_done)
        return first, await ask(free_company)

    first, again = asyncio.run(twice())

    assert loop_gateway == [] and len(gateway.fake.requests) == 1
    assert (again.cached, again.text, again.cost, again.cost_saved) == (True, first.text, 0, first.cost)
    assert settled(again) == ("cached", 0, first.cost)
    assert not BudgetReservation.objects.filter(status="open").exists()


def test_a_budget_the_snapshot_says_is_spent_refuses_before_the_provider_is_asked(
    loop_gateway: list[str], gateway: Gateway, free_company: Any
) -> None:
    cap(free_company, "0.000001")

    with pytest.raises(runner.RunError) as refused:
        asyncio.run(ask(free_company))

    assert loop_gateway == [] and refused.value.code == "budget_exceeded" and not gateway.fake.requests
    assert settled(refused.value.result) == ("refused", 0, 0)


def kill_the_loop_connection() -> None:
    """(called in a thread of sync_to_async's: its own connection is closed after)"""
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND query LIKE '%%WITH call AS%%'"
            )
            assert cursor.fetchall() == [(True,)]
    finally:
        connection.close()


def test_a_dead_connection_fails_one_call_visibly_and_the_next_one_reconnects(
    loop_gateway: list[str], gateway: Gateway, free_company: Any
) -> None:
    cap(free_company, "5")

    async def three() -> list[runner.RunResult | runner.RunError]:
        outcomes: list[runner.RunResult | runner.RunError] = [await ask(free_company)]
        await sync_to_async(kill_the_loop_connection)()
        for prompt in ("After the kill", "And after that"):
            try:
                outcomes.append(await ask(free_company, prompt=prompt))
            except runner.RunError as error:
                outcomes.append(error)
        return outcomes

    first, failed, recovered = asyncio.run(three())

    assert isinstance(failed, runner.RunError) and failed.code == "db_error"
    assert isinstance(first, runner.RunResult) and isinstance(recovered, runner.RunResult) and recovered.ok
    assert len(gateway.fake.requests) == 2  # the failed call sent nothing
    runner.background_db_work_done()
    assert AiRun.objects.get(pk=failed.result.run_id).status == "failed"
    assert AiRun.objects.count() == 3 and not AiRun.objects.filter(status="running").exists()
    budget = Budget.objects.get()
    assert (budget.reserved, budget.spent) == (0, first.cost + recovered.cost)


@pytest.mark.parametrize("busy_loop", [False, True], ids=["on the loop", "in the database thread"])
def test_a_call_cancelled_while_its_statement_waits_is_finished_as_cancelled(
    loop_gateway: list[str], gateway: Gateway, free_company: Any, busy_loop: bool
) -> None:
    budget = cap(free_company, "5")
    if busy_loop:  # its statement goes to the database thread, handed over without a task
        gateway.settings.LLM_ADMIT_ON_LOOP_MAX_CALLS = 0
    locked, release = threading.Event(), threading.Event()

    def hold_the_budget_row() -> None:
        try:
            with transaction.atomic():
                Budget.objects.select_for_update().get(pk=budget.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()  # this thread's own

    holder = threading.Thread(target=hold_the_budget_row)
    holder.start()
    locked.wait(10)

    async def cancelled_while_admitting() -> None:
        call = asyncio.ensure_future(ask(free_company))
        await asyncio.sleep(0.3)  # its statement waits for the row lock
        assert not call.done()
        call.cancel()
        await asyncio.sleep(0.1)
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await call
        # Its early call, held at the send gate while the statement waited, is gone too.
        assert [task for task in asyncio.all_tasks() if task is not asyncio.current_task()] == []

    try:
        asyncio.run(cancelled_while_admitting())
    finally:
        release.set()
        holder.join(10)

    runner.background_db_work_done()
    run = AiRun.objects.get()
    budget.refresh_from_db()
    assert loop_gateway == (["playground"] if busy_loop else []), "admitted where expected"
    assert run.status == "cancelled" and not gateway.fake.requests
    assert (budget.reserved, budget.spent) == (0, 0)


def test_a_busy_loop_leaves_the_admission_to_the_database_thread(
    loop_gateway: list[str], gateway: Gateway, free_company: Any
) -> None:
    cap(free_company, "5")
    gateway.settings.LLM_ADMIT_ON_LOOP_MAX_CALLS = 1
    gateway.fake.always(Fault.latency(0.2))

    async def three_at_once_then_a_stream_then_one() -> list[str]:
        await asyncio.gather(*(ask(free_company, prompt=f"Call {n}") for n in range(3)))
        after_three = list(loop_gateway)
        events = [
            event async for event in runner.astream(feature="playground", context={"prompt": "S"}, tenant=free_company)
        ]
        assert events[-1]["type"] == "complete"
        await ask(free_company, prompt="Alone again")
        return after_three

    after_three = asyncio.run(three_at_once_then_a_stream_then_one())

    # gather() starts the three one after the other in one turn of the loop: the first was alone
    # when it was admitted, on the loop; the other two found calls under way and went to the
    # thread. Each call's end counts it out: the stream and the last call were alone again.
    assert after_three == ["playground"] * 2 and loop_gateway == after_three
    runner.background_db_work_done()
    assert AiRun.objects.filter(status="succeeded").count() == 5
    assert Budget.objects.get().reserved == 0


def test_an_admission_that_breaks_in_the_database_thread_raises_to_its_caller_and_sends_nothing(
    loop_gateway: list[str], gateway: Gateway, free_company: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llm.runner import admission, execute

    gateway.settings.LLM_ADMIT_ON_LOOP_MAX_CALLS = 0  # the thread admits
    cap(free_company, "5")

    def prepared_then_broken(spec: Any, *, started: float, on_database_wait: Any) -> Any:
        prepared = admission.Admission(spec=spec, started=started)
        admission.prepare(prepared, catalog())
        on_database_wait(prepared)  # the loop starts building its early call
        raise RuntimeError("a bug in the admission")

    monkeypatch.setattr(execute, "admit", prepared_then_broken)

    async def broken_call() -> None:
        with pytest.raises(RuntimeError, match="a bug in the admission"):
            await ask(free_company)
        await asyncio.sleep(0)  # the dropped early call's cancellation runs
        assert [task for task in asyncio.all_tasks() if task is not asyncio.current_task()] == []

    asyncio.run(broken_call())

    assert not gateway.fake.requests and not AiRun.objects.exists()
