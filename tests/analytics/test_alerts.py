"""Alert rules fire once per window, by email and as an admin banner."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from analytics.models import Alert, AlertRule
from analytics.services.alerts import alerts_check
from analytics.services.rollups import rollups_rebuild
from llm.models import Budget
from tests.analytics.runs import make_run

NOW = datetime(2026, 5, 14, 12, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def outbox(settings: Settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ADMINS_EMAILS = ["ops@example.com"]


def banner_html() -> str:
    staff = get_user_model().objects.create_superuser("ops", "ops@example.com", "pw-ops-12345")
    client = Client()
    client.force_login(staff)
    return client.get(reverse("admin:index")).content.decode()


@pytest.mark.django_db
def test_crossing_80_percent_of_a_budget_fires_one_email_and_one_banner_per_period() -> None:
    assert AlertRule.objects.filter(kind="budget_percent").count() == 2  # 80 % and 100 %, from the migration
    budget = Budget.objects.create(
        scope="tenant", tenant_id=7, period="monthly", cap_usd=Decimal("10"), spent=Decimal("7.9"),
        period_start=date(2026, 5, 1),
    )  # fmt: skip
    assert alerts_check(now=NOW) == []

    Budget.objects.filter(pk=budget.pk).update(spent=Decimal("8.2"))
    fired = alerts_check(now=NOW)
    assert [alert.rule.name for alert in fired] == ["Budget at 80%"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ops@example.com"]
    assert "82%" in mail.outbox[0].body
    assert banner_html().count(f"budget #{budget.pk}") == 1

    # Falling back under and crossing again in the same month fires nothing more.
    Budget.objects.filter(pk=budget.pk).update(spent=Decimal("7.0"))
    assert alerts_check(now=NOW + timedelta(hours=1)) == []
    Budget.objects.filter(pk=budget.pk).update(spent=Decimal("8.5"))
    assert alerts_check(now=NOW + timedelta(hours=2)) == []
    assert len(mail.outbox) == 1 and Alert.objects.count() == 1

    # The next month is a new window.
    Budget.objects.filter(pk=budget.pk).update(spent=Decimal("9.0"), period_start=date(2026, 6, 1))
    assert len(alerts_check(now=datetime(2026, 6, 20, tzinfo=UTC))) == 1
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_spend_per_hour_over_ten_dollars_fires_once_per_hour() -> None:
    make_run(created_at=NOW - timedelta(minutes=20), cost=Decimal("6.00"))
    make_run(created_at=NOW - timedelta(minutes=10), cost=Decimal("4.00"))
    rollups_rebuild()
    assert alerts_check(now=NOW) == []  # exactly $10 is not over $10

    make_run(created_at=NOW - timedelta(minutes=5), cost=Decimal("0.50"))
    rollups_rebuild()
    fired = alerts_check(now=NOW)
    assert [alert.rule.kind for alert in fired] == ["spend_per_hour"]
    assert fired[0].window_start == datetime(2026, 5, 14, 12, tzinfo=UTC)
    assert alerts_check(now=NOW + timedelta(minutes=20)) == []
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_error_rate_rule_needs_enough_calls() -> None:
    for minute in range(10):
        make_run(created_at=NOW - timedelta(minutes=minute), status="failed", error_code="timeout", cost=Decimal(0))
    rollups_rebuild()
    assert alerts_check(now=NOW) == []  # 10 calls < min_calls (20)

    for minute in range(15):
        make_run(created_at=NOW - timedelta(minutes=minute, seconds=30), cost=Decimal("0.01"))
    rollups_rebuild()
    fired = alerts_check(now=NOW)
    assert [alert.rule.kind for alert in fired] == ["error_rate"]
    assert fired[0].value == Decimal("40")  # 10 of 25
