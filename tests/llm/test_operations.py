"""The reaper and the management commands."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from llm.budgets import budget_reserve
from llm.models import AiRun, Budget, BudgetReservation, LLMModel, ModelPrice, Provider
from llm.services import ai_runs_reap
from tests.fakes.openai_server import Fault
from tests.llm.conftest import Gateway

pytestmark = pytest.mark.django_db


def test_the_reaper_finishes_stale_runs_as_lost_and_releases_them(gateway: Gateway, free_company: Any) -> None:
    budget = Budget.objects.create(scope="tenant", tenant_id=free_company.pk, cap_usd=Decimal(1))
    stale = AiRun.objects.create(feature="parse_cv", input_tokens=120, usage_estimated=True)
    AiRun.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=1))
    fresh = AiRun.objects.create(feature="parse_cv")
    budget_reserve(budgets=[budget], amount=Decimal("0.5"), run_id=stale.pk, now=timezone.now())

    assert ai_runs_reap(older_than_seconds=600) == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    budget.refresh_from_db()
    assert (stale.status, stale.usage_estimated, stale.input_tokens) == ("lost", True, 120)
    assert stale.finished_at is not None and fresh.status == "running"
    assert budget.reserved == 0 and BudgetReservation.objects.get().status == "expired"
    call_command("reap_ai_runs", "--older-than", "600")
    stale.refresh_from_db()
    assert stale.status == "lost"


def test_expired_reservations_are_released(gateway: Gateway, free_company: Any) -> None:
    budget = Budget.objects.create(scope="tenant", tenant_id=free_company.pk, cap_usd=Decimal(1))
    budget_reserve(budgets=[budget], amount=Decimal("0.4"), run_id=None, now=timezone.now() - timedelta(days=1))

    ai_runs_reap()

    budget.refresh_from_db()
    assert budget.reserved == 0


def test_load_prices_adds_rows_from_a_date(gateway: Gateway, tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(
        json.dumps(
            {
                "effective_from": "2030-01-01",
                "prices": [{"model": "openai/gpt-4o", "input": "2.00", "cached_input": "1.00", "output": "8.00"}],
            }
        )
    )

    call_command("load_prices", str(prices))

    rows = ModelPrice.objects.filter(model=LLMModel.objects.get(name="gpt-4o")).order_by("effective_from")
    assert [row.input_per_million for row in rows] == [Decimal("2.50"), Decimal("2.00")]


def test_llm_health_records_reachability(gateway: Gateway) -> None:
    call_command("llm_health")
    assert gateway.openai().last_checked_at is not None and gateway.openai().unhealthy_until is None

    gateway.fake.always(Fault.status_500(), path="/models")
    with pytest.raises(SystemExit):
        call_command("llm_health")
    assert gateway.openai().unhealthy_until is not None


def test_validate_llm_config_passes_then_reports_problems(gateway: Gateway) -> None:
    call_command("validate_llm_config")

    LLMModel.objects.filter(name="gpt-4o").update(name="gpt-9")  # the fake does not serve it
    Provider.objects.filter(kind="local").update(enabled=False)
    with pytest.raises(SystemExit):
        call_command("validate_llm_config")


def test_provider_status_reports_the_routers_cooldown(gateway: Gateway, free_company: Any) -> None:
    from llm import runner
    from llm.status import configured_provider_status

    gateway.settings.OPENAI_API_KEY = "test-key"
    gateway.settings.LLM_COOLDOWN_AFTER_FAILURES = 1
    assert configured_provider_status()["status"] == "ok"
    gateway.fake.always(Fault.status_500())

    result = runner.run(feature="playground", context={"prompt": "Hello"}, tenant=free_company)

    assert result.provider == "local"  # the failing provider was put into cooldown, local answered
    status = configured_provider_status()
    assert status["status"] == "degraded" and status["cooldown"] == ["openai"]
    assert "cooldown" in str(status["detail"])
    Provider.objects.filter(name="openai").update(unhealthy_until=timezone.now() - timedelta(seconds=1))
    assert configured_provider_status()["status"] == "ok"  # the cooldown is over
