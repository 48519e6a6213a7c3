"""Budget status for the dashboard: llm's own counters, with a straight-line forecast to period end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from llm.models import Budget


@dataclass(frozen=True)
class BudgetStatus:
    budget_id: int
    scope: str
    period: str
    tenant_id: int | None
    user_id: int | None
    feature: str
    hard: bool
    period_start: date
    period_end: date  # exclusive
    cap: Decimal
    spent: Decimal
    reserved: Decimal
    forecast: Decimal  # spent so far, extrapolated at the same pace to the period's end

    @property
    def used_fraction(self) -> float:
        return float(self.spent / self.cap) if self.cap else 0.0

    @property
    def committed_fraction(self) -> float:
        return float((self.spent + self.reserved) / self.cap) if self.cap else 0.0

    @property
    def forecast_over_cap(self) -> bool:
        return self.forecast > self.cap


def budget_period(*, period: str, today: date) -> tuple[date, date]:
    """[start, end) of the period containing `today`, as llm.budgets counts it."""
    if period == Budget.Period.MONTHLY:
        start = today.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        return start, end
    return today, today + timedelta(days=1)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def budget_status_list(
    *, tenant_id: int | None = None, user_id: int | None = None, now: datetime | None = None
) -> list[BudgetStatus]:
    now = now or timezone.now()
    budgets = Budget.objects.filter(enabled=True)
    if tenant_id is not None:
        budgets = budgets.filter(tenant_id=tenant_id)
    if user_id is not None:
        budgets = budgets.filter(user_id=user_id)
    statuses = []
    for budget in budgets:
        start, end = budget_period(period=budget.period, today=timezone.localdate(now))
        # llm rolls a budget's counters over lazily, on its next call: old counters mean nothing spent yet.
        current = budget.period_start == start
        spent = budget.spent if current else Decimal(0)
        reserved = budget.reserved if current else Decimal(0)
        elapsed = (now - _midnight(start)).total_seconds()
        length = (_midnight(end) - _midnight(start)).total_seconds()
        forecast = (spent * Decimal(length) / Decimal(elapsed)).quantize(Decimal("0.01")) if elapsed > 0 else spent
        statuses.append(
            BudgetStatus(
                budget_id=budget.pk,
                scope=budget.scope,
                period=budget.period,
                tenant_id=budget.tenant_id,
                user_id=budget.user_id,
                feature=budget.feature,
                hard=budget.hard,
                period_start=start,
                period_end=end,
                cap=budget.cap_usd,
                spent=spent,
                reserved=reserved,
                forecast=forecast,
            )
        )
    return sorted(statuses, key=lambda status: status.used_fraction, reverse=True)
