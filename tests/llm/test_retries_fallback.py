"""Promise 6: retries with backoff honouring Retry-After, fallback along the chain, cooldown."""

from __future__ import annotations

import time
from typing import Any

import pytest

from llm import runner
from llm.models import AiRun, Provider
from tests.fakes.openai_server import Fault
from tests.llm.conftest import Gateway

pytestmark = pytest.mark.django_db


def ask(company: Any) -> runner.RunResult:
    return runner.run(feature="playground", context={"prompt": "Hello"}, tenant=company)


def test_a_429_is_retried_after_the_servers_retry_after(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.script(Fault.status_429(retry_after=0.4))

    started = time.monotonic()
    result = ask(free_company)

    assert time.monotonic() - started >= 0.4
    assert (result.provider, result.attempts, result.fallback_used) == ("openai", 2, False)
    assert [r.model for r in gateway.fake.requests] == ["gpt-4o-mini", "gpt-4o-mini"]


def test_a_retry_after_beyond_the_cap_falls_back_at_once(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.script(Fault.status_429(retry_after=60))

    started = time.monotonic()
    result = ask(free_company)

    assert time.monotonic() - started < 1.5
    assert result.rule_based and result.attempts == 2 and len(gateway.fake.requests) == 1


def test_errors_fall_back_to_the_next_model_after_retries(gateway: Gateway, pro_company: Any) -> None:
    gateway.fake.always(Fault.status_500(), model="gpt-4o")

    result = ask(pro_company)

    run = AiRun.objects.get()
    assert (run.model, run.fallback_used, run.attempts, run.status) == ("gpt-4o-mini", True, 4, "succeeded")
    assert [r.model for r in gateway.fake.requests] == ["gpt-4o"] * 3 + ["gpt-4o-mini"]
    assert result.cost == run.cost > 0


def test_when_the_provider_is_down_local_answers(gateway: Gateway, pro_company: Any) -> None:
    gateway.fake.always(Fault.status_503())

    result = ask(pro_company)

    run = AiRun.objects.get()
    assert result.rule_based and (run.provider, run.attempts, run.fallback_used) == ("local", 7, True)
    assert run.cost == 0


def test_timeouts_are_retried_then_fall_back(gateway: Gateway, free_company: Any) -> None:
    Provider.objects.filter(name="openai").update(timeout=0.2, max_retries=1)
    gateway.fake.always(Fault.timeout())

    result = ask(free_company)

    assert result.rule_based and result.attempts == 3
    assert gateway.fake.wait_until(lambda: gateway.fake.stats["client_disconnects"] == 2)


def test_a_failing_provider_goes_into_cooldown(gateway: Gateway, free_company: Any) -> None:
    gateway.settings.LLM_COOLDOWN_AFTER_FAILURES = 2
    gateway.fake.always(Fault.status_500())
    ask(free_company)
    ask(free_company)
    assert gateway.openai().unhealthy_until is not None
    requests_so_far = len(gateway.fake.requests)

    result = ask(free_company)

    assert result.rule_based and not result.fallback_used  # the chain skipped the cooled provider
    assert len(gateway.fake.requests) == requests_so_far


def test_a_success_resets_the_failure_count(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.script(Fault.status_500(), times=3)
    ask(free_company)
    assert gateway.openai().consecutive_failures == 1

    ask(free_company)

    assert gateway.openai().consecutive_failures == 0
