"""Budget reservations: hold a call's worst case before it runs, settle to the actual cost after.

Admission is one conditional UPDATE per hard budget,

    UPDATE budget SET reserved = reserved + x WHERE id = … AND spent + reserved + x <= cap

which the database evaluates under the row's write lock (PostgreSQL re-checks the condition
after waiting for a concurrent writer; SQLite serialises writers), so concurrent calls cannot
all see the same headroom and overshoot together.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from llm.errors import RefusedError
from llm.models import Budget, BudgetReservation

logger = logging.getLogger("llm")


def period_start(period: str, now: datetime) -> date:
    today = timezone.localdate(now)
    return today.replace(day=1) if period == Budget.Period.MONTHLY else today


def headroom(budgets: list[Budget], *, now: datetime) -> Decimal | None:
    """What the tightest hard budget still allows (None: no hard budget applies)."""
    room = [
        budget.cap_usd
        - (budget.spent + budget.reserved if budget.period_start == period_start(budget.period, now) else 0)
        for budget in budgets
        if budget.hard
    ]
    return min(room) if room else None


def _roll_period(budget: Budget, start: date) -> None:
    """Start a new period's counters; reservations of the old period settle without touching them."""
    Budget.objects.filter(pk=budget.pk).exclude(period_start=start).update(
        period_start=start, spent=Decimal(0), reserved=Decimal(0), alerted_at=None
    )


@transaction.atomic
def budget_reserve(*, budgets: list[Budget], amount: Decimal, run_id: int | None, now: datetime) -> list[int]:
    """Reserve `amount` on every budget (all or none); refuse if a hard one would pass its cap."""
    expires_at = now + timedelta(seconds=settings.LLM_RESERVATION_TTL)
    reservation_ids = []
    for budget in budgets:
        start = period_start(budget.period, now)
        _roll_period(budget, start)
        admitted = Budget.objects.filter(pk=budget.pk, period_start=start)
        if budget.hard:
            admitted = admitted.filter(spent__lte=F("cap_usd") - F("reserved") - amount)
        if not admitted.update(reserved=F("reserved") + amount):
            # Leaving the atomic block by exception rolls back the reservations made so far.
            raise RefusedError(
                f"The {budget.get_period_display().lower()} {budget.scope} budget of ${budget.cap_usd} "
                f"cannot cover this request (worst case ${amount}).",
                code="budget_exceeded",
            )
        reservation = BudgetReservation.objects.create(
            budget=budget, period_start=start, amount=amount, run_id=run_id, expires_at=expires_at
        )
        reservation_ids.append(reservation.pk)
    return reservation_ids


def _close(reservation: BudgetReservation, *, status: str, actual: Decimal) -> None:
    """Close an open reservation once (a racing reaper or a retry finds it closed and does nothing)."""
    if not BudgetReservation.objects.filter(pk=reservation.pk, status=BudgetReservation.Status.OPEN).update(
        status=status, actual=actual
    ):
        return
    same_period = Budget.objects.filter(pk=reservation.budget_id, period_start=reservation.period_start)
    if not same_period.update(reserved=F("reserved") - reservation.amount, spent=F("spent") + actual) and actual:
        # The period rolled over while the call ran: its spend counts in the new period.
        Budget.objects.filter(pk=reservation.budget_id).update(spent=F("spent") + actual)


@transaction.atomic
def budget_settle(*, reservation_ids: list[int], actual: Decimal) -> None:
    """Replace each reservation by the call's actual cost."""
    for reservation in BudgetReservation.objects.filter(pk__in=reservation_ids).order_by("budget_id"):
        _close(reservation, status=BudgetReservation.Status.SETTLED, actual=actual)
    _alert_if_over(reservation_ids)


@transaction.atomic
def budget_release(*, reservation_ids: list[int]) -> None:
    """Give a reservation back untouched (the call was refused, failed, cancelled or cached)."""
    for reservation in BudgetReservation.objects.filter(pk__in=reservation_ids).order_by("budget_id"):
        _close(reservation, status=BudgetReservation.Status.RELEASED, actual=Decimal(0))


@transaction.atomic
def budget_reservations_expire(*, now: datetime | None = None, run_ids: list[int] | None = None) -> int:
    """Release reservations past their expiry (or held by the given runs): their callers died."""
    now = now or timezone.now()
    stale = BudgetReservation.objects.filter(status=BudgetReservation.Status.OPEN)
    stale = stale.filter(run_id__in=run_ids) if run_ids is not None else stale.filter(expires_at__lt=now)
    closed = 0
    for reservation in stale.order_by("budget_id"):
        _close(reservation, status=BudgetReservation.Status.EXPIRED, actual=Decimal(0))
        closed += 1
    return closed


def _alert_if_over(reservation_ids: list[int]) -> None:
    """Alert-only budgets never refuse; they log once per period when spend passes the cap."""
    over = Budget.objects.filter(
        reservations__pk__in=reservation_ids, alerted_at__isnull=True, spent__gt=F("cap_usd")
    ).distinct()
    for budget in over:
        if Budget.objects.filter(pk=budget.pk, alerted_at__isnull=True).update(alerted_at=timezone.now()):
            logger.warning("llm budget over cap", extra={"budget_id": budget.pk, "cap_usd": str(budget.cap_usd)})
