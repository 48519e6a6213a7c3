"""Spending caps and the reservations that hold their worst case while a call runs.

A Budget keeps counters for its current period (`spent`, `reserved`) so that admission is one
conditional UPDATE, atomic on PostgreSQL and SQLite alike (see llm.budgets).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models, transaction

# Dollars: 8 decimals (a token costs a tiny fraction of a cent) and 12 integer digits, so that
# caps of $1M and far beyond fit.
MONEY_DIGITS = 20
MONEY_DECIMALS = 8


class Budget(models.Model):
    class Scope(models.TextChoices):
        TENANT = "tenant", "Tenant"
        USER = "user", "User"
        FEATURE = "feature", "Feature"

    class Period(models.TextChoices):
        DAILY = "daily", "Daily"
        MONTHLY = "monthly", "Monthly"

    scope = models.CharField(max_length=20, choices=Scope.choices)
    # A budget applies to a call when every one of these that is set matches the call.
    tenant_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    feature = models.CharField(max_length=80, blank=True)
    period = models.CharField(max_length=20, choices=Period.choices, default=Period.MONTHLY)
    cap_usd = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_DECIMALS)
    hard = models.BooleanField(default=True, help_text="Off: alert only, never refuse.")
    enabled = models.BooleanField(default=True)
    period_start = models.DateField(null=True, blank=True)
    spent = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_DECIMALS, default=Decimal(0))
    reserved = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_DECIMALS, default=Decimal(0))
    alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["scope", "tenant_id", "user_id", "feature"]

    def __str__(self) -> str:
        target = ", ".join(
            part
            for part in (
                f"tenant {self.tenant_id}" if self.tenant_id else "",
                f"user {self.user_id}" if self.user_id else "",
                self.feature,
            )
            if part
        )
        return f"{self.get_period_display()} {self.scope} budget ({target or 'all'}): ${self.cap_usd}"

    # The runner finds the budgets of a call in its cached catalog: a saved or deleted budget
    # refreshes this process's copy at once (other processes within LLM_CATALOG_TTL). The runner's
    # counter updates are queryset updates and never come through here.
    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        _refresh_catalog_on_commit()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        _refresh_catalog_on_commit()
        return deleted


class BudgetReservation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SETTLED = "settled", "Settled"
        RELEASED = "released", "Released"
        EXPIRED = "expired", "Expired"

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="reservations")
    period_start = models.DateField()
    amount = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_DECIMALS)
    actual = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_DECIMALS, null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    run_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "expires_at"], name="reservation_open_expiry")]

    def __str__(self) -> str:
        return f"${self.amount} on {self.budget_id} ({self.status})"


def _refresh_catalog_on_commit() -> None:
    from llm.selectors import catalog_invalidate  # selectors import the models

    transaction.on_commit(catalog_invalidate)
