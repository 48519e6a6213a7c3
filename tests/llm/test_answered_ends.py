"""PostgreSQL: the ends of answered async calls are written in batches (llm/runner/answered_ends.py):
one Redis round trip and one statement for the calls answered within LLM_END_BATCH_WINDOW_MS."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

from llm import runner
from llm.models import AiRun, Budget, BudgetReservation
from llm.runner import answered_ends, attempts, finish, pg, pg_loop
from llm.services import ai_runs_reap
from tests.llm.conftest import Gateway
from tests.plugins.live import BASE_DIR, database_url
from tests.plugins.services import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

NEVER = 600_000  # ms: a window that only a flush ends


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the database threads and their batches are PostgreSQL's")


def calls_at_once(company: Any, user: Any, count: int) -> list[runner.RunResult]:
    async def together() -> list[runner.RunResult]:
        return list(
            await asyncio.gather(
                *(
                    runner.arun(feature="playground", context={"prompt": f"Question {n}"}, tenant=company, user=user)
                    for n in range(count)
                )
            )
        )

    return asyncio.run(together())


def output_tokens_counted(redis_counters: Any, user: Any) -> int:
    return sum(int(redis_counters.get(key)) for key in redis_counters.keys(f"llm:rl:user:{user.pk}:tpm:*"))


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many ends each batch statement wrote."""
    written: list[int] = []
    real = pg.finish_statement

    def counted(*, alias: str, ends: Any) -> list[int]:
        written.append(len(ends))
        return real(alias=alias, ends=ends)

    monkeypatch.setattr(pg, "finish_statement", counted)
    return written


def test_the_ends_of_calls_answered_together_are_one_statement_and_settle_exactly(
    gateway: Gateway, db_thread: None, redis_counters: Any, free_company: Any, recruiter: Any, statements: list[int]
) -> None:
    gateway.settings.LLM_END_BATCH_WINDOW_MS = NEVER
    gateway.settings.LLM_RATE_LIMITS = {"default": {"user_tpm": 10**9, "tenant_tpm": 10**9}}
    cap = Budget.objects.create(scope=Budget.Scope.TENANT, tenant_id=free_company.pk, period="daily", cap_usd=5)

    answered = calls_at_once(free_company, recruiter, 6)

    # Answered, their ends waiting for the batch: still running, holding their worst cases.
    assert [result.status for result in answered] == ["succeeded"] * 6
    assert AiRun.objects.filter(status="running").count() == 6 and statements == []
    cap.refresh_from_db()
    assert cap.reserved > 0 and cap.spent == 0
    counted_before = output_tokens_counted(redis_counters, recruiter)

    assert runner.background_db_work_done(timeout=10)  # sends the queue without waiting out the window

    assert statements == [6]
    runs = {run.pk: run for run in AiRun.objects.all()}
    for result in answered:
        run = runs[result.run_id]
        assert (run.status, run.cost, run.output_tokens, run.usage_estimated) == (
            "succeeded",
            result.cost,
            result.usage.output_tokens,
            False,
        )
        assert run.finished_at is not None and run.cost > 0
    cap.refresh_from_db()
    assert (cap.reserved, cap.spent) == (0, sum(result.cost for result in answered))
    assert not BudgetReservation.objects.filter(status="open").exists()
    assert BudgetReservation.objects.aggregate(total=Sum("actual"))["total"] == cap.spent
    outputs = sum(result.usage.output_tokens for result in answered)
    assert outputs > 0 and output_tokens_counted(redis_counters, recruiter) - counted_before == outputs


def test_a_batch_is_sent_when_its_window_is_out(
    gateway: Gateway, db_thread: None, free_company: Any, statements: list[int]
) -> None:
    gateway.settings.LLM_END_BATCH_WINDOW_MS = 200
    (answered,) = calls_at_once(free_company, None, 1)

    deadline = time.monotonic() + 10
    while AiRun.objects.get().status == "running" and time.monotonic() < deadline:
        time.sleep(0.02)

    assert AiRun.objects.get(pk=answered.run_id).status == "succeeded" and statements == [1]


def test_an_end_that_cannot_be_written_does_not_keep_the_others_out(
    gateway: Gateway,
    db_thread: None,
    free_company: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    gateway.settings.LLM_END_BATCH_WINDOW_MS = NEVER
    cap = Budget.objects.create(scope=Budget.Scope.TENANT, tenant_id=free_company.pk, period="daily", cap_usd=5)
    answered = calls_at_once(free_company, None, 3)
    bad_run = answered[1].run_id
    real_end_fields = finish._end_fields

    def one_bad(admission: Any, outcome: Any, result: Any) -> dict[str, Any]:
        fields = real_end_fields(admission, outcome, result)
        if admission.run_id == bad_run:
            fields["latency_ms"] = 2**40  # past PostgreSQL's integer: the statement fails
        return fields

    monkeypatch.setattr(finish, "_end_fields", one_bad)

    assert runner.background_db_work_done(timeout=10)

    statuses = dict(AiRun.objects.values_list("pk", "status"))
    assert statuses == {answered[0].run_id: "succeeded", bad_run: "running", answered[2].run_id: "succeeded"}
    failures = [r for r in caplog.records if r.getMessage().startswith("llm run end not recorded")]
    assert [getattr(r, "run_id", None) for r in failures] == [bad_run]
    cap.refresh_from_db()
    assert cap.spent == answered[0].cost + answered[2].cost and cap.reserved > 0  # the bad run's hold
    assert ai_runs_reap(older_than_seconds=0) == 1
    cap.refresh_from_db()
    assert AiRun.objects.get(pk=bad_run).status == "lost" and cap.reserved == 0


def test_redis_out_of_reach_loses_the_counts_and_cache_fills_not_the_records(
    gateway: Gateway,
    db_thread: None,
    redis_counters: Any,
    free_company: Any,
    statements: list[int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    gateway.settings.LLM_END_BATCH_WINDOW_MS = NEVER
    gateway.settings.LLM_RATE_LIMITS = {"default": {"tenant_tpm": 10**9}}  # output tokens to count
    cap = Budget.objects.create(scope=Budget.Scope.TENANT, tenant_id=free_company.pk, period="daily", cap_usd=5)
    answered = calls_at_once(free_company, None, 3)
    gone = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there: the connection is refused
    gateway.settings.CACHES = {
        **gateway.settings.CACHES,
        "llm-redis": {**gateway.settings.CACHES["llm-redis"], "LOCATION": gone},
    }

    assert runner.background_db_work_done(timeout=10)

    assert statements == [3]
    assert sorted(AiRun.objects.values_list("pk", "status")) == sorted((r.run_id, "succeeded") for r in answered)
    cap.refresh_from_db()
    assert (cap.reserved, cap.spent) == (0, sum(result.cost for result in answered))
    messages = [r.getMessage() for r in caplog.records]
    assert "llm counters or cache fill not written to Redis" in messages
    assert not [m for m in messages if m.startswith("llm run end not recorded")]


EXITING_CALLER = """
import asyncio, django
django.setup()
from django.conf import settings
from llm import runner
from recruiting.models import Company
settings.LLM_END_BATCH_WINDOW_MS = 600_000
result = asyncio.run(runner.arun(feature="playground", context={"prompt": "Hi"}, tenant=Company.objects.get()))
print(result.run_id)
"""


def test_ends_still_queued_when_the_process_exits_are_written(
    gateway: Gateway, redis_url: str, free_company: Any
) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "OPENAI_BASE_URL": gateway.fake.base_url,
        "LLM_DEFAULT_PROVIDER": "openai",
        "OPENAI_API_KEY": "test-key",
        "REDIS_URL": redis_url,
    }
    finished = subprocess.run(
        [sys.executable, "-c", EXITING_CALLER], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )

    assert finished.returncode == 0, finished.stderr[-2000:]
    run = AiRun.objects.get(pk=int(finished.stdout.split()[-1]))
    assert (run.status, run.provider) == ("succeeded", "openai") and run.cost > Decimal(0)


def test_a_forked_child_runs_database_work_on_threads_of_its_own(
    gateway: Gateway, db_thread: None, free_company: Any, statements: list[int]
) -> None:
    gateway.settings.LLM_END_BATCH_WINDOW_MS = NEVER
    (answered,) = calls_at_once(free_company, None, 1)  # its end queued in the parent, its thread started

    async def open_a_loop_connection() -> None:
        async with pg_loop._connection(connection.alias):
            pass

    asyncio.run(open_a_loop_connection())
    assert pg_loop._by_loop
    read_end, write_end = os.pipe()

    child = os.fork()
    if child == 0:  # (reports through the pipe; never returns into pytest)
        try:
            ran = threading.Event()
            started = attempts.start_in_db_thread(ran.set)
            report = f"{started and ran.wait(5)},{len(answered_ends._queue.ends)},{len(pg_loop._by_loop)}"
            os.write(write_end, report.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    report = os.read(read_end, 100).decode()
    os.close(read_end)

    # The parent's threads are not in the child: its jobs run on threads of its own. The ends
    # queued before the fork are left to the parent, which writes them once, and so are the
    # parent's loop connections (closing them in the child would end the parent's sessions).
    assert report == "True,0,0"
    assert runner.background_db_work_done() and statements == [1]
    assert AiRun.objects.get(pk=answered.run_id).status == "succeeded"
