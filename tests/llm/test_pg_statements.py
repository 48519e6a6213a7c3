"""PostgreSQL: the admission and the finish are one statement each (llm/runner/pg.py), and the
budget bookkeeping they do is the ORM path's (holds on every budget or none, settle, release)."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from llm import runner
from llm.budgets import period_start
from llm.models import AiRun, Budget, BudgetReservation
from llm.services import ai_runs_reap
from tests.fakes.openai_server import Fault
from tests.llm.conftest import Gateway, point_the_rate_limits_at_a_closed_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement path is PostgreSQL's")


def ask(company: Any, user: Any = None, prompt: str = "Hello") -> runner.RunResult:
    return runner.run(feature="playground", context={"prompt": prompt}, tenant=company, user=user)


def budget(company: Any, cap: str, *, user: Any = None, hard: bool = True, period: str = "daily") -> Budget:
    scope = Budget.Scope.USER if user is not None else Budget.Scope.TENANT
    return Budget.objects.create(
        scope=scope,
        tenant_id=company.pk,
        user_id=user.pk if user is not None else None,
        period=period,
        cap_usd=Decimal(cap),
        hard=hard,
    )


def test_a_call_with_two_budgets_is_two_statements_and_settles_both(
    gateway: Gateway, free_company: Any, recruiter: Any
) -> None:
    tenant_cap, user_cap = budget(free_company, "5"), budget(free_company, "5", user=recruiter, period="monthly")
    ask(free_company, recruiter, prompt="warm the catalog")

    with CaptureQueriesContext(connection) as queries:
        result = ask(free_company, recruiter)

    # (the tests' catalog has no TTL: its SELECTs are left out)
    accounting = [q["sql"] for q in queries if not q["sql"].startswith('SELECT "llm_')]
    assert len(accounting) == 2 and all(sql.lstrip().startswith("WITH") for sql in accounting), accounting
    run = AiRun.objects.get(pk=result.run_id)
    assert (run.status, run.cost, run.usage_estimated) == ("succeeded", result.cost, False) and result.cost > 0
    holds = BudgetReservation.objects.filter(run_id=run.pk)
    assert sorted(h.budget_id for h in holds) == sorted([tenant_cap.pk, user_cap.pk])
    assert all((h.status, h.actual) == ("settled", result.cost) for h in holds)
    for cap in (tenant_cap, user_cap):
        cap.refresh_from_db()
        assert cap.reserved == 0 and cap.spent == AiRun.objects.aggregate(total=Sum("cost"))["total"]


def test_one_refusing_budget_holds_nothing_on_the_others(gateway: Gateway, free_company: Any, recruiter: Any) -> None:
    roomy, tight = budget(free_company, "5"), budget(free_company, "0.00001", user=recruiter)

    with pytest.raises(runner.RunError) as refused:
        ask(free_company, recruiter)

    assert refused.value.code == "budget_exceeded" and not gateway.fake.requests
    assert AiRun.objects.get().status == "refused"
    assert not BudgetReservation.objects.exists()
    for cap in (roomy, tight):
        cap.refresh_from_db()
        assert (cap.reserved, cap.spent) == (0, 0)


def test_a_call_that_cost_nothing_releases_its_hold(gateway: Gateway, free_company: Any) -> None:
    cap = budget(free_company, "5")
    gateway.fake.always(Fault.status(400))  # not retryable: the chain falls back to the free local model

    result = ask(free_company)

    cap.refresh_from_db()
    assert result.rule_based and result.cost == 0
    assert (cap.reserved, cap.spent) == (0, 0)
    assert list(BudgetReservation.objects.values_list("status", "actual")) == [("released", 0)]


def test_a_budget_from_a_past_period_is_rolled_then_held(gateway: Gateway, free_company: Any) -> None:
    cap = budget(free_company, "5")
    yesterday = period_start("daily", timezone.now()) - timedelta(days=1)
    Budget.objects.filter(pk=cap.pk).update(period_start=yesterday, spent=Decimal("4.99"), reserved=Decimal(1))

    result = ask(free_company)

    cap.refresh_from_db()
    assert cap.period_start == period_start("daily", timezone.now())
    assert (cap.spent, cap.reserved) == (result.cost, 0)


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0].lstrip() for row in cursor.fetchall()]


def test_the_two_statements_are_prepared_once_per_connection(gateway: Gateway, free_company: Any) -> None:
    budget(free_company, "5")
    connection.close()  # a fresh connection: nothing prepared yet

    results = [ask(free_company, prompt=f"Question {n}") for n in range(3)]

    statements = prepared_statements()
    assert len(statements) == 2 and all(sql.startswith("WITH") for sql in statements), statements
    assert all(result.ok and result.cost > 0 for result in results)
    assert AiRun.objects.filter(status="succeeded").count() == 3


def test_without_prepared_statements_the_same_accounting_holds(gateway: Gateway, free_company: Any) -> None:
    gateway.settings.LLM_PG_PREPARED_STATEMENTS = False
    cap = budget(free_company, "5")
    connection.close()

    result = ask(free_company)

    assert prepared_statements() == []
    cap.refresh_from_db()
    assert (cap.reserved, cap.spent) == (0, result.cost) and result.cost > 0


def test_an_admission_statement_the_server_has_forgotten_is_prepared_again(gateway: Gateway, free_company: Any) -> None:
    cap = budget(free_company, "5")
    costs = [ask(free_company, prompt=prompt).cost for prompt in ("Rolls the budget", "Prepares the statement")]
    assert any(sql.startswith("WITH call AS") for sql in prepared_statements())
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as psycopg itself does after a ROLLBACK
    assert prepared_statements() == []

    last = ask(free_company, prompt="After the server forgot it")

    assert last.ok and last.cost > 0
    assert any(sql.startswith("WITH call AS") for sql in prepared_statements())
    cap.refresh_from_db()
    assert (cap.reserved, cap.spent) == (0, sum(costs) + last.cost)


# With Redis, the admission statement and the rate-limit script run at once: the statement holds
# the worst case before Redis has said whether the call is limited or already cached.


def test_a_call_refused_by_the_rate_limits_gives_its_hold_back(
    gateway: Gateway, redis_counters: Any, free_company: Any, recruiter: Any
) -> None:
    cap = budget(free_company, "5")
    gateway.settings.LLM_RATE_LIMITS = {"default": {"user_rpm": 1}}
    ask(free_company, recruiter)

    with pytest.raises(runner.RunError) as refused:
        ask(free_company, recruiter)

    assert refused.value.code == "rate_limited" and len(gateway.fake.requests) == 1
    run = AiRun.objects.get(pk=refused.value.result.run_id)
    assert (run.status, run.cost, run.input_tokens) == ("refused", 0, 0)
    assert list(BudgetReservation.objects.filter(run_id=run.pk).values_list("status", "actual")) == [("released", 0)]
    cap.refresh_from_db()
    assert (cap.reserved, cap.spent) == (0, AiRun.objects.aggregate(total=Sum("cost"))["total"])


def test_rate_limits_in_the_database_cache_are_charged_once_the_statement_has_answered(
    gateway: Gateway, free_company: Any, recruiter: Any
) -> None:
    # PostgreSQL without Redis: the counters live in the database cache, on the connection that
    # carries the admission statement (before, every call failed: "another command is already in
    # progress").
    database_cache = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "headhunter_cache"}
    gateway.settings.CACHES = {**gateway.settings.CACHES, "llm-database": database_cache}
    gateway.settings.LLM_RATE_LIMIT_CACHE = gateway.settings.LLM_EXACT_CACHE = "llm-database"
    call_command("createcachetable", "headhunter_cache")
    gateway.settings.LLM_RATE_LIMITS = {"default": {"user_rpm": 2}}
    cap = budget(free_company, "5")
    first = ask(free_company, recruiter)  # (rolls the budget: the next calls take the statement)
    second = ask(free_company, recruiter, prompt="Again")

    with pytest.raises(runner.RunError) as refused:
        ask(free_company, recruiter, prompt="Once more")

    assert first.ok and second.ok and refused.value.code == "rate_limited" and len(gateway.fake.requests) == 2
    run = AiRun.objects.get(pk=refused.value.result.run_id)
    assert (run.status, run.cost) == ("refused", 0)
    assert list(BudgetReservation.objects.filter(run_id=run.pk).values_list("status", flat=True)) == ["released"]
    cap.refresh_from_db()
    assert (cap.reserved, cap.spent) == (0, first.cost + second.cost)


def test_a_cached_answer_is_served_on_a_spent_budget_and_gives_its_hold_back(
    gateway: Gateway, redis_counters: Any, free_company: Any
) -> None:
    gateway.settings.LLM_CACHE_TTL = 60
    cap = budget(free_company, "5")
    first = ask(free_company, prompt="Same question")
    Budget.objects.filter(pk=cap.pk).update(cap_usd=first.cost)  # spent: nothing left for a paid call

    again = ask(free_company, prompt="Same question")

    assert (again.cached, again.text, again.cost) == (True, first.text, 0) and len(gateway.fake.requests) == 1
    cap.refresh_from_db()
    assert (cap.reserved, cap.spent) == (0, first.cost)
    assert not BudgetReservation.objects.filter(status="open").exists()
    with pytest.raises(runner.RunError) as refused:  # a new question on the spent budget still is refused
        ask(free_company, prompt="Another question")
    assert refused.value.code == "budget_exceeded"


def test_an_unreachable_redis_refuses_the_call_records_it_and_leaves_the_connection_clean(
    gateway: Gateway, redis_counters: Any, free_company: Any
) -> None:
    gateway.settings.LLM_RATE_LIMITS = {"default": {"tenant_rpm": 100}}
    cap = budget(free_company, "5")
    first = ask(free_company, prompt="Before")  # (rolls the budget: the next call takes the statement)
    point_the_rate_limits_at_a_closed_port(gateway)

    with pytest.raises(runner.RunError) as refused:
        ask(free_company, prompt="While Redis is down")

    assert refused.value.code == "rate_limiter_unavailable" and len(gateway.fake.requests) == 1
    run = AiRun.objects.get(pk=refused.value.result.run_id)
    assert (run.status, run.error_code, run.cost) == ("failed", "rate_limiter_unavailable", 0)
    assert list(BudgetReservation.objects.filter(run_id=run.pk).values_list("status", flat=True)) == ["released"]
    gateway.settings.LLM_RATE_LIMIT_CACHE = gateway.settings.LLM_EXACT_CACHE = "llm-redis"
    after = ask(free_company, prompt="After")  # the statement sent before Redis failed was read off
    cap.refresh_from_db()
    assert after.ok and (cap.reserved, cap.spent) == (0, first.cost + after.cost)


def test_a_flushed_redis_loads_the_admission_script_again(
    gateway: Gateway, redis_counters: Any, free_company: Any, recruiter: Any
) -> None:
    gateway.settings.LLM_RATE_LIMITS = {"default": {"user_rpm": 5}}
    ask(free_company, recruiter)
    redis_counters.script_flush()  # a restarted Redis: the script sent by its SHA is unknown

    ask(free_company, recruiter)

    counter = next(key for key in redis_counters.keys("llm:rl:user:*") if b":rpm:" in key)
    assert int(redis_counters.get(counter)) == 2
    assert AiRun.objects.filter(status="succeeded").count() == 2


# Async calls on the database threads return their answer before their end is written.


def call_in_its_own_event_loop(company: Any) -> tuple[threading.Thread, list[runner.RunResult]]:
    """`arun` in a thread of its own, under `asyncio.run`; returns once the call is admitted."""
    answered: list[runner.RunResult] = []
    caller = threading.Thread(
        target=lambda: answered.append(
            asyncio.run(runner.arun(feature="playground", context={"prompt": "Hello"}, tenant=company))
        )
    )
    caller.start()
    while not AiRun.objects.filter(status="running").exists():  # admitted: its hold is taken
        time.sleep(0.01)
    return caller, answered


def test_an_async_answer_does_not_wait_for_its_record_which_outlives_the_event_loop(
    gateway: Gateway, db_thread: None, free_company: Any
) -> None:
    cap = budget(free_company, "5")
    gateway.fake.always(Fault.latency(0.3))  # time to lock the budget while the model answers
    caller, answered = call_in_its_own_event_loop(free_company)
    with transaction.atomic():
        Budget.objects.select_for_update().get(pk=cap.pk)  # the settle must wait for this
        caller.join(timeout=10)

        # The answer came back (and its event loop closed) while the settle was still waiting.
        assert [result.status for result in answered] == ["succeeded"]
        assert AiRun.objects.get().status == "running"

    assert runner.background_db_work_done(timeout=10)
    run = AiRun.objects.get()
    assert (run.pk, run.status, run.cost, run.usage_estimated) == (
        answered[0].run_id,
        "succeeded",
        answered[0].cost,
        False,
    )
    cap.refresh_from_db()
    assert (cap.reserved, cap.spent) == (0, answered[0].cost) and cap.spent > 0


def terminate_the_write_waiting_for_a_lock() -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else one snapshot per transaction
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchall() == [(True,)]:
                return
        time.sleep(0.01)
    raise AssertionError("no write waited for the budget's lock")


def test_an_answered_call_whose_record_write_dies_is_written_on_a_fresh_connection(
    gateway: Gateway, db_thread: None, free_company: Any, caplog: pytest.LogCaptureFixture
) -> None:
    cap = budget(free_company, "5")
    gateway.fake.always(Fault.latency(0.3))
    caller, answered = call_in_its_own_event_loop(free_company)
    with transaction.atomic():
        Budget.objects.select_for_update().get(pk=cap.pk)
        caller.join(timeout=10)
        terminate_the_write_waiting_for_a_lock()
        terminate_the_write_waiting_for_a_lock()  # and its retry: the end is lost

    assert runner.background_db_work_done(timeout=10)
    run = AiRun.objects.get()
    assert (run.pk, run.status) == (answered[0].run_id, "running")
    failures = [r for r in caplog.records if r.getMessage().startswith("llm run end not recorded")]
    assert [getattr(r, "run_id", None) for r in failures] == [run.pk]
    assert ai_runs_reap(older_than_seconds=0) == 1
    run.refresh_from_db()
    cap.refresh_from_db()
    assert (run.status, cap.reserved) == ("lost", 0)

    # Once is not lost: the retry runs on a new connection, and the next call's write too.
    caller, answered = call_in_its_own_event_loop(free_company)
    with transaction.atomic():
        Budget.objects.select_for_update().get(pk=cap.pk)
        caller.join(timeout=10)
        terminate_the_write_waiting_for_a_lock()
    assert runner.background_db_work_done(timeout=10)
    run = AiRun.objects.get(pk=answered[0].run_id)
    cap.refresh_from_db()
    assert (run.status, cap.reserved, cap.spent) == ("succeeded", 0, answered[0].cost) and cap.spent > 0
    assert len([r for r in caplog.records if r.getMessage().startswith("llm run end not recorded")]) == 1


def test_the_statements_carry_every_value_exactly_through_their_json(free_company: Any) -> None:
    """Values go to PostgreSQL as one JSON text per statement: awkward text, an exponent-form
    Decimal, None and booleans come back as they went."""
    from llm.runner import pg

    cap = budget(free_company, "5")
    now = timezone.now()
    Budget.objects.filter(pk=cap.pk).update(period_start=period_start(cap.period, now))  # (as rolled)
    awkward = 'a "quoted" \\ back\nslash, ünïcødé and 🙂'
    run_id, holds = pg.admit_statement(
        alias="default",
        params=pg.admit_params(
            run_fields={"feature": "playground", "tenant_id": free_company.pk, "subject_id": awkward, "ttft_ms": None},
            budgets=[(cap.pk, period_start(cap.period, now))],
            amount=Decimal("1E-8"),
            now=now,
        ),
    )
    assert holds is not None and len(holds) == 1
    cap.refresh_from_db()
    assert cap.reserved == Decimal("0.00000001")
    run = AiRun.objects.get(pk=run_id)
    assert (run.subject_id, run.ttft_ms, run.created_at, run.status) == (awkward, None, now, "running")

    fields = {"status": "succeeded", "cost": Decimal("0.12345678"), "error_message": awkward, "streaming": True}
    end = pg.RunEnd(
        run_id=run_id,
        run_fields=fields,
        holds=[(holds[0], cap.pk)],
        reservation_status="settled",
        actual=Decimal("0.12345678"),
    )
    assert pg.finish_statement(alias="default", ends=[end]) == []

    run.refresh_from_db()
    assert (run.status, run.cost, run.error_message, run.streaming) == (
        "succeeded",
        Decimal("0.12345678"),
        awkward,
        True,
    )
    cap.refresh_from_db()
    assert (cap.reserved, cap.spent) == (0, Decimal("0.12345678"))
    assert BudgetReservation.objects.get(pk=holds[0]).actual == Decimal("0.12345678")


def test_the_statements_look_rows_up_by_key_however_many_budgets_there_are(free_company: Any) -> None:
    """The planner guesses 100 rows for a JSON record set: without the key lookups it hashed the
    whole budget table (a sequential scan per call) once it held a few thousand budgets."""
    from llm.runner import pg

    today = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO llm_budget (scope, tenant_id, feature, period, cap_usd, hard, enabled, spent, reserved, period_start)"
            " SELECT 'tenant', 100000 + i, '', 'daily', 5, true, true, 0, 0, %s FROM generate_series(1, 20000) i",
            [today.date()],
        )
        cursor.execute("ANALYZE llm_budget")
        admission = pg.admit_params(
            run_fields={"feature": "playground"}, budgets=[(1, today.date())], amount=Decimal(1), now=today
        )
        end = pg.RunEnd(
            run_id=1, run_fields={"cost": Decimal(0)}, holds=[(1, 1)], reservation_status="settled", actual=Decimal(0)
        )
        plans = []
        for sql, params in ((pg.admit_sql(), admission), pg.finish_query([end])):
            cursor.execute("EXPLAIN " + sql, params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))

    for plan in plans:
        assert "Index Scan using llm_budget_pkey" in plan and "Seq Scan on llm_budget " not in plan, plan


def test_a_budget_never_rolled_is_not_held_by_the_statement(free_company: Any) -> None:
    """Its period start is NULL: the statement leaves it to the ORM path, which rolls it first."""
    from llm.runner import pg

    cap = budget(free_company, "5")
    now = timezone.now()
    params = pg.admit_params(
        run_fields={"feature": "playground"},
        budgets=[(cap.pk, period_start(cap.period, now))],
        amount=Decimal(1),
        now=now,
    )

    _, holds = pg.admit_statement(alias="default", params=params)

    cap.refresh_from_db()
    assert (holds, cap.period_start, cap.reserved) == (None, None, 0)
