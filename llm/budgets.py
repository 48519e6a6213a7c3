"""Budget reservations: hold a call's worst case before it runs, settle to the actual cost after.

Admission is one conditional UPDATE per hard budget,

    UPDATE budget SET reserved = reserved + x WHERE id = … AND spent + reserved + x <= cap

which the database evaluates under the row's write lock (PostgreSQL re-checks the condition
after waiting for a concurrent writer; SQLite serialises writers), so concurrent calls cannot
all see the same headroom and overshoot together.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Hold:
    """One open reservation, as the runner keeps it until the call ends (no re-read to settle it)."""

    pk: int  # the BudgetReservation
    budget_id: int
    period_start: date
    amount: Decimal
    hard: bool


def budget_hold(*, budgets: list[Budget], amount: Decimal, run_id: int | None, now: datetime) -> list[Hold]:
    """Reserve `amount` on every budget, all or none, inside the caller's transaction.

    A refusal undoes what this call reserved before raising RefusedError, so the caller's other
    writes (the refused AiRun) can still commit. A budget that is gone, disabled or rolled to a
    period the caller did not expect refuses too: callers working from a cached snapshot retry on
    fresh rows.
    """
    expires_at = now + timedelta(seconds=settings.LLM_RESERVATION_TTL)
    admitted_on: list[tuple[Budget, date]] = []
    for budget in budgets:
        start = period_start(budget.period, now)
        if budget.period_start != start:  # periods only move forward: an equal start needs no roll
            _roll_period(budget, start)
            budget.period_start = start  # what the row now says (also in a cached catalog's copy)
        admitted = Budget.objects.filter(pk=budget.pk, period_start=start, enabled=True)
        if budget.hard:
            admitted = admitted.filter(spent__lte=F("cap_usd") - F("reserved") - amount)
        if not admitted.update(reserved=F("reserved") + amount):
            for done, done_start in admitted_on:  # still locked by this transaction: undo exactly
                Budget.objects.filter(pk=done.pk, period_start=done_start).update(reserved=F("reserved") - amount)
            raise RefusedError(
                f"The {budget.get_period_display().lower()} {budget.scope} budget of ${budget.cap_usd} "
                f"cannot cover this request (worst case ${amount}).",
                code="budget_exceeded",
            )
        admitted_on.append((budget, start))
    reservations = BudgetReservation.objects.bulk_create(
        BudgetReservation(budget=budget, period_start=start, amount=amount, run_id=run_id, expires_at=expires_at)
        for budget, start in admitted_on
    )
    return [
        Hold(pk=reservation.pk, budget_id=budget.pk, period_start=start, amount=amount, hard=budget.hard)
        for reservation, (budget, start) in zip(reservations, admitted_on, strict=True)
    ]


@transaction.atomic
def budget_reserve(*, budgets: list[Budget], amount: Decimal, run_id: int | None, now: datetime) -> list[int]:
    """Reserve `amount` on every budget (all or none); refuse if a hard one would pass its cap."""
    return [hold.pk for hold in budget_hold(budgets=budgets, amount=amount, run_id=run_id, now=now)]


def _close(*, pk: int, budget_id: int, period_start: date, amount: Decimal, status: str, actual: Decimal) -> bool:
    """Close an open reservation once (a racing reaper or a retry finds it closed and does nothing)."""
    if not BudgetReservation.objects.filter(pk=pk, status=BudgetReservation.Status.OPEN).update(
        status=status, actual=actual
    ):
        return False
    same_period = Budget.objects.filter(pk=budget_id, period_start=period_start)
    if not same_period.update(reserved=F("reserved") - amount, spent=F("spent") + actual) and actual:
        # The period rolled over while the call ran: its spend counts in the new period.
        Budget.objects.filter(pk=budget_id).update(spent=F("spent") + actual)
    return True


def closing_status(actual: Decimal) -> str:
    """A hold is settled when the call cost something, released when it cost nothing."""
    return BudgetReservation.Status.SETTLED if actual > 0 else BudgetReservation.Status.RELEASED


def budget_close_holds(*, holds: list[Hold], actual: Decimal) -> None:
    """Settle the holds to the call's actual cost (release them when it cost nothing), inside the
    caller's transaction. Hard budgets admitted the worst case, so they can only pass their cap
    (and need the alert check) when the call cost more than it reserved."""
    status = closing_status(actual)
    for hold in sorted(holds, key=lambda h: h.budget_id):  # one lock order: no deadlocks
        _close(
            pk=hold.pk,
            budget_id=hold.budget_id,
            period_start=hold.period_start,
            amount=hold.amount,
            status=status,
            actual=actual,
        )
    if actual > 0:
        budget_alert_if_over([hold.budget_id for hold in holds if not hold.hard or actual > hold.amount])


def _close_reservation(reservation: BudgetReservation, *, status: str, actual: Decimal) -> bool:
    return _close(
        pk=reservation.pk,
        budget_id=reservation.budget_id,
        period_start=reservation.period_start,
        amount=reservation.amount,
        status=status,
        actual=actual,
    )


@transaction.atomic
def budget_reservations_expire(*, now: datetime | None = None, run_ids: list[int] | None = None) -> int:
    """Release reservations past their expiry (or held by the given runs): their callers died."""
    now = now or timezone.now()
    stale = BudgetReservation.objects.filter(status=BudgetReservation.Status.OPEN)
    stale = stale.filter(run_id__in=run_ids) if run_ids is not None else stale.filter(expires_at__lt=now)
    closed = 0
    for reservation in stale.order_by("budget_id"):
        closed += _close_reservation(reservation, status=BudgetReservation.Status.EXPIRED, actual=Decimal(0))
    return closed


def budget_alert_if_over(budget_ids: list[int]) -> None:
    """Alert-only budgets never refuse; they log once per period when spend passes the cap."""
    if not budget_ids:
        return
    over = Budget.objects.filter(pk__in=budget_ids, alerted_at__isnull=True, spent__gt=F("cap_usd"))
    for budget in over:
        if Budget.objects.filter(pk=budget.pk, alerted_at__isnull=True).update(alerted_at=timezone.now()):
            logger.warning("llm budget over cap", extra={"budget_id": budget.pk, "cap_usd": str(budget.cap_usd)})
