"""Promises 4, 5, 10 and the flags: refusals, reservations, the exact cache, compression."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from llm import runner
from llm.models import AiRun, Budget, BudgetReservation, FeatureFlag
from llm.router import rollout_bucket
from tests.llm.conftest import Gateway

pytestmark = pytest.mark.django_db


def ask(company: Any, user: Any = None, prompt: str = "Hello", feature: str = "playground") -> runner.RunResult:
    return runner.run(feature=feature, context={"prompt": prompt}, tenant=company, user=user)


def tenant_budget(company: Any, cap: str, *, hard: bool = True) -> Budget:
    return Budget.objects.create(
        scope=Budget.Scope.TENANT, tenant_id=company.pk, period=Budget.Period.DAILY, cap_usd=Decimal(cap), hard=hard
    )


def test_a_call_that_would_pass_a_hard_cap_is_refused_with_no_cost(gateway: Gateway, free_company: Any) -> None:
    tenant_budget(free_company, "0.0001")  # less than one worst case (800 output tokens at $0.60/M)

    with pytest.raises(runner.RunError) as refused:
        ask(free_company)

    run = AiRun.objects.get()
    assert (run.status, run.error_code, run.cost, run.input_tokens) == ("refused", "budget_exceeded", 0, 0)
    assert "budget" in refused.value.message and not gateway.fake.requests
    assert not BudgetReservation.objects.exists()


def test_a_reservation_is_settled_to_the_actual_cost(gateway: Gateway, free_company: Any) -> None:
    budget = tenant_budget(free_company, "1.00")

    result = ask(free_company)

    budget.refresh_from_db()
    reservation = BudgetReservation.objects.get()
    assert reservation.status == "settled" and reservation.actual == result.cost
    assert reservation.amount > result.cost  # the worst case was held while the call ran
    assert (budget.spent, budget.reserved) == (result.cost, 0)


def test_a_failed_call_releases_its_reservation(gateway: Gateway, free_company: Any) -> None:
    from tests.fakes.openai_server import Fault

    budget = tenant_budget(free_company, "1.00")
    gateway.fake.always(Fault.status_500())

    ask(free_company)  # answered by local after the failures: nothing was spent

    budget.refresh_from_db()
    assert BudgetReservation.objects.get().status == "released"
    assert (budget.spent, budget.reserved) == (0, 0)


def test_an_alert_only_budget_never_refuses(gateway: Gateway, free_company: Any) -> None:
    budget = tenant_budget(free_company, "0.00000001", hard=False)

    ask(free_company)

    budget.refresh_from_db()
    assert budget.spent > budget.cap_usd and budget.alerted_at is not None


def test_caps_of_millions_of_dollars_hold_their_cents(gateway: Gateway, free_company: Any) -> None:
    budget = tenant_budget(free_company, "5000000.00")  # an enterprise cap: $5M a day
    # (SQLite keeps decimals as doubles: 16 significant digits, which these stay within.)
    Budget.objects.filter(pk=budget.pk).update(spent=Decimal("4999999.25"), period_start=timezone.localdate())
    budget.full_clean()  # the admin form's validators accept it too

    result = ask(free_company)

    budget.refresh_from_db()
    assert budget.cap_usd == Decimal("5000000.00")
    assert budget.spent == Decimal("4999999.25") + result.cost and budget.reserved == 0
    assert BudgetReservation.objects.get().actual == result.cost


def test_a_tight_budget_routes_to_a_cheaper_model(gateway: Gateway, pro_company: Any) -> None:
    tenant_budget(pro_company, "0.004")  # fits gpt-4o-mini's worst case, not gpt-4o's

    result = ask(pro_company)

    assert result.model == "gpt-4o-mini"
    assert [r.model for r in gateway.fake.requests] == ["gpt-4o-mini"]


def test_rate_limit_refusal_says_when_to_retry(gateway: Gateway, free_company: Any, recruiter: Any) -> None:
    gateway.settings.LLM_RATE_LIMITS = {"default": {"user_rpm": 2, "tenant_rpm": 100}}
    ask(free_company, recruiter)
    ask(free_company, recruiter)

    with pytest.raises(runner.RunError) as refused:
        ask(free_company, recruiter)

    retry_after = refused.value.retry_after
    # (two of two this minute: it fits once this minute's count has half slid out, 30 to 90 s on)
    assert refused.value.code == "rate_limited" and retry_after is not None and 0 < retry_after <= 90
    run = AiRun.objects.get(pk=refused.value.result.run_id)
    assert (run.status, run.cost) == ("refused", 0)
    assert AiRun.objects.count() == 3 and len(gateway.fake.requests) == 2
    ask(free_company)  # another user of the tenant is not limited by this user's RPM


def test_token_rate_limit_counts_input_tokens(gateway: Gateway, free_company: Any) -> None:
    gateway.settings.LLM_RATE_LIMITS = {"default": {"tenant_tpm": 50}}

    with pytest.raises(runner.RunError) as refused:
        ask(free_company, prompt="word " * 100)

    assert refused.value.code == "rate_limited" and refused.value.retry_after


def test_the_global_kill_switch_refuses_every_feature(gateway: Gateway, free_company: Any) -> None:
    FeatureFlag.objects.create(feature="*", enabled=False)

    with pytest.raises(runner.RunError) as refused:
        ask(free_company)

    assert refused.value.code == "feature_disabled"
    assert AiRun.objects.get().status == "refused" and not gateway.fake.requests


def test_a_feature_rollout_is_stable_per_tenant(gateway: Gateway, free_company: Any, pro_company: Any) -> None:
    buckets = {
        c.pk: rollout_bucket(feature="playground", tenant_id=c.pk, user_id=None) for c in (free_company, pro_company)
    }
    cutoff = max(buckets.values())  # admits exactly the tenants below the highest bucket
    FeatureFlag.objects.create(feature="playground", enabled=True, rollout_percent=cutoff)
    admitted = {}
    for company in (free_company, pro_company):
        try:
            ask(company)
            admitted[company.pk] = True
        except runner.RunError:
            admitted[company.pk] = False

    assert admitted == {pk: bucket < cutoff for pk, bucket in buckets.items()}
    ask(free_company, feature="resume_chat")  # other features are untouched


def test_an_exact_repeat_is_a_cache_hit_with_the_cost_saved(gateway: Gateway, free_company: Any) -> None:
    gateway.settings.LLM_CACHE_TTL = 60
    first = ask(free_company)

    second = ask(free_company)

    assert len(gateway.fake.requests) == 1
    run = AiRun.objects.get(pk=second.run_id)
    assert (run.status, run.cache_hit, run.cost, run.cost_saved) == ("cached", True, 0, first.cost)
    assert second.text == first.text and second.cached
    ask(free_company, prompt="Something else")
    assert len(gateway.fake.requests) == 2


def test_compression_records_the_tokens_it_saved(gateway: Gateway, free_company: Any) -> None:
    page_footer = "Jane Roe - Curriculum Vitae - Confidential - Page footer"
    cv_text = "\n".join([f"Line {i}    with     spaces\n\n\n\n{page_footer}" for i in range(20)])

    result = runner.run(feature="resume_chat", context={"cv_text": cv_text, "question": "Name?"}, tenant=free_company)

    sent = gateway.fake.requests[-1].body["messages"][-1]["content"]
    assert sent.count(page_footer) == 1 and "    " not in sent
    assert AiRun.objects.get(pk=result.run_id).compression_saved_tokens > 100


@pytest.mark.integration
def test_redis_rate_limits_charge_every_counter_or_none(
    gateway: Gateway, redis_counters: Any, free_company: Any, recruiter: Any
) -> None:
    gateway.settings.LLM_RATE_LIMITS = {"default": {"user_rpm": 2, "tenant_rpm": 100, "tenant_tpm": 10_000}}
    ask(free_company, recruiter)
    ask(free_company, recruiter)

    with pytest.raises(runner.RunError) as refused:
        ask(free_company, recruiter)

    assert refused.value.code == "rate_limited" and 0 < (refused.value.retry_after or 0) <= 90
    counts = {key.decode().split(":", 2)[2]: int(redis_counters.get(key)) for key in redis_counters.keys("llm:rl:*")}
    user_rpm = next(v for k, v in counts.items() if k.startswith(f"user:{recruiter.pk}:rpm"))
    tenant_rpm = next(v for k, v in counts.items() if k.startswith(f"tenant:{free_company.pk}:rpm"))
    tenant_tpm = next(v for k, v in counts.items() if k.startswith(f"tenant:{free_company.pk}:tpm"))
    assert (user_rpm, tenant_rpm) == (2, 2)  # the refused call left no charge behind
    output_tokens = sum(run.output_tokens for run in AiRun.objects.filter(status="succeeded"))
    assert tenant_tpm > output_tokens > 0  # input estimates at admission, then the output tokens
    assert all(0 < redis_counters.ttl(key) <= 120 for key in redis_counters.keys("llm:rl:*"))


@pytest.mark.integration
def test_redis_exact_cache_answers_a_repeat(gateway: Gateway, redis_counters: Any, free_company: Any) -> None:
    gateway.settings.LLM_CACHE_TTL = 60
    first = ask(free_company, prompt="Same question")

    again = ask(free_company, prompt="Same question")

    assert (first.cached, again.cached, again.text) == (False, True, first.text)
    assert len(gateway.fake.requests) == 1 and redis_counters.keys("llm:exact:*")


@pytest.mark.integration
def test_with_limits_and_cache_in_one_redis_a_call_reads_the_cache_along_its_rate_limit_script(
    gateway: Gateway, redis_counters: Any, free_company: Any, recruiter: Any
) -> None:
    gateway.settings.LLM_CACHE_TTL = 60
    ask(free_company, recruiter, prompt="warm up")
    redis_counters.config_resetstat()

    first = ask(free_company, recruiter, prompt="Same question")
    again = ask(free_company, recruiter, prompt="Same question")

    stats = redis_counters.info("commandstats")
    calls = {name.removeprefix("cmdstat_"): stat["calls"] for name, stat in stats.items()}
    # One admission script per call, sent by its SHA; the one GET per call is the script's own
    # (commands a script runs count too); the answer is stored once.
    assert (calls.get("evalsha"), calls.get("eval", 0), calls.get("get"), calls.get("set")) == (2, 0, 2, 1)
    assert (first.cached, again.cached, again.text) == (False, True, first.text)


@pytest.mark.integration
def test_rate_limits_in_redis_and_the_cache_elsewhere_still_answer_a_repeat(
    gateway: Gateway, redis_counters: Any, free_company: Any
) -> None:
    gateway.settings.LLM_CACHE_TTL = 60
    gateway.settings.CACHES = {
        **gateway.settings.CACHES,
        "answers": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    gateway.settings.LLM_EXACT_CACHE = "answers"
    gateway.settings.LLM_RATE_LIMITS = {"default": {"tenant_rpm": 100}}
    first = ask(free_company, prompt="Same question")

    again = ask(free_company, prompt="Same question")

    assert (first.cached, again.cached, again.text) == (False, True, first.text)
    assert not redis_counters.keys("llm:exact:*") and redis_counters.keys("llm:rl:*")


def test_window_limits_for_other_callers_charge_every_counter_or_none() -> None:
    from llm.ratelimits import sliding_window_admit

    limits = [("visitor:a", 5), ("link:1", 2)]
    assert sliding_window_admit(limits=limits) is None
    assert sliding_window_admit(limits=limits) is None
    refused = sliding_window_admit(limits=limits)
    assert refused is not None and refused.limit_index == 1  # the link's limit of 2 is reached
    # The refused request did not charge the visitor: another link still has 3 of its 5.
    admitted = [sliding_window_admit(limits=[("visitor:a", 5), ("link:2", 9)]) for _ in range(4)]
    assert admitted[:3] == [None, None, None] and admitted[3] is not None and admitted[3].limit_index == 0


class Clock:
    """time.time() for llm.ratelimits, set by the test (the window is a matter of seconds)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


def burst_across_the_minute(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, int | None]]:
    """Six requests a second before a minute turns (a limit of 6), then one at each moment after;
    each moment's (admitted, retry_after)."""
    from llm import ratelimits

    minute = 29_000_000 * 60.0
    clock = Clock(minute - 1)
    monkeypatch.setattr(ratelimits, "time", clock)

    def ask_at(now: float) -> tuple[bool, int | None]:
        clock.now = now
        refused = ratelimits.sliding_window_admit(limits=[("visitor:b", 6)])
        return refused is None, None if refused is None else refused.retry_after

    before = [ask_at(minute - 1) for _ in range(6)]
    assert before == [(True, None)] * 6
    return [ask_at(now) for now in (minute - 1, minute + 1, minute + 9.5, minute + 10.5, minute + 10.6)]


def test_a_burst_across_the_turn_of_a_minute_is_held_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    assert burst_across_the_minute(monkeypatch) == [
        (False, 11),  # this minute is full: 1 s to its end, then 1/6 of the next for 1 of 6 to slide out
        (False, 9),  # fixed windows would admit 6 more here; 5 of the 6 still count (5/6 of a minute on)
        (False, 1),  # 6 x (1 - 9.5/60) + 1 = 6.05: still over
        (True, None),  # 6 x (1 - 10.5/60) + 1 = 5.95: room for one
        (False, 10),  # 1 + 6 x (1 - 10.6/60) + 1 = 6.94: fits when 4 of the 6 count, at 20 s
    ]


@pytest.mark.integration
def test_redis_holds_a_burst_across_the_turn_of_a_minute_to_the_limit(
    redis_counters: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes = burst_across_the_minute(monkeypatch)

    assert outcomes == [(False, 11), (False, 9), (False, 1), (True, None), (False, 10)]
    assert int(redis_counters.get(f"llm:rl:ext:visitor:b:{29_000_000}")) == 1  # refusals charged nothing


@pytest.mark.integration
def test_commands_sent_ahead_read_back_in_order_even_past_an_error_reply(redis_counters: Any) -> None:
    from llm.redis_clients import SentCommands

    redis_counters.set("text", "not a number")
    sent = SentCommands(redis_counters, [("SET", "a", "1"), ("INCRBY", "text", "1"), ("INCRBY", "a", "2")])
    redis_counters.set("b", "meanwhile")  # another command on another pooled connection

    ok, error, total = sent.replies()

    assert ok == b"OK"
    assert "not an integer" in str(error) and total == 3
    # Every reply was read: the connection answers the next caller with its own reply.
    assert [redis_counters.get("b") for _ in range(3)] == [b"meanwhile"] * 3


@pytest.mark.integration
def test_a_cache_fill_that_redis_refuses_is_logged_and_the_answer_stands(
    gateway: Gateway, redis_counters: Any, free_company: Any, caplog: pytest.LogCaptureFixture
) -> None:
    gateway.settings.LLM_CACHE_TTL = 60
    gateway.settings.LLM_RATE_LIMITS = {"default": {"tenant_rpm": 100}}
    redis_counters.execute_command("ACL", "SETUSER", "default", "-set")  # the cache fill gets NOPERM
    try:
        result = ask(free_company, prompt="Not cached")
        again = ask(free_company, prompt="Not cached")
    finally:
        redis_counters.execute_command("ACL", "SETUSER", "default", "+@all")

    assert (result.status, again.cached) == ("succeeded", False) and len(gateway.fake.requests) == 2
    assert AiRun.objects.filter(status="succeeded").count() == 2
    refused = [r for r in caplog.records if r.getMessage() == "llm counters or cache fill not written to Redis"]
    assert len(refused) == 2 and "no permissions" in refused[0].error  # type: ignore[attr-defined]
    counter = next(key for key in redis_counters.keys("llm:rl:tenant:*") if b":rpm:" in key)
    assert int(redis_counters.get(counter)) == 2  # the connection went back clean: counts stay right
