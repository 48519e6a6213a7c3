"""Alert rules checked on a schedule; each (rule, target, window) fires at most once.

The unique constraint on Alert is the guard: a second crossing in the same window, a retried task
or two beat processes all hit the same row, and only the insert that wins sends an email.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from analytics.models import Alert, AlertRule, HourlySpend
from analytics.selectors.budgets import budget_status_list
from analytics.services.rollups import floor_hour

logger = logging.getLogger("analytics")
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Crossing:
    target: str
    window_start: datetime
    value: Decimal
    message: str


def _hour_totals(*, rule: AlertRule, hour: datetime) -> dict[str, Decimal | int | None]:
    rows = HourlySpend.objects.filter(hour=hour)
    if rule.tenant_id is not None:
        rows = rows.filter(tenant_id=rule.tenant_id)
    return rows.aggregate(cost=Sum("cost"), calls=Sum("calls"), errors=Sum("errors"))


def _scope(rule: AlertRule) -> str:
    return f"tenant {rule.tenant_id}" if rule.tenant_id is not None else "all tenants"


def _target(rule: AlertRule) -> str:
    return f"tenant:{rule.tenant_id}" if rule.tenant_id is not None else ""


def _spend_per_hour(rule: AlertRule, now: datetime) -> list[Crossing]:
    crossings = []
    # The hour just finished too: spend may have crossed after the previous check.
    for hour in (floor_hour(now) - HOUR, floor_hour(now)):
        cost = Decimal(_hour_totals(rule=rule, hour=hour)["cost"] or 0)
        if cost > rule.threshold:
            message = f"LLM spend for {_scope(rule)} reached ${cost:.2f} in the hour from {hour:%Y-%m-%d %H:%M} UTC (threshold ${rule.threshold:.2f})."
            crossings.append(Crossing(_target(rule), hour, cost, message))
    return crossings


def _error_rate(rule: AlertRule, now: datetime) -> list[Crossing]:
    crossings = []
    for hour in (floor_hour(now) - HOUR, floor_hour(now)):
        totals = _hour_totals(rule=rule, hour=hour)
        calls, errors = int(totals["calls"] or 0), int(totals["errors"] or 0)
        if calls < rule.min_calls:
            continue
        rate = Decimal(errors * 100) / Decimal(calls)
        if rate > rule.threshold:
            message = f"LLM error rate for {_scope(rule)} is {rate:.1f}% ({errors} of {calls} calls) in the hour from {hour:%Y-%m-%d %H:%M} UTC (threshold {rule.threshold:.1f}%)."
            crossings.append(Crossing(_target(rule), hour, rate, message))
    return crossings


def _budget_percent(rule: AlertRule, now: datetime) -> list[Crossing]:
    crossings = []
    for status in budget_status_list(tenant_id=rule.tenant_id, now=now):
        if not status.cap:
            continue
        percent = status.spent * 100 / status.cap
        if percent >= rule.threshold:
            owner = ", ".join(
                part
                for part in (
                    f"tenant {status.tenant_id}" if status.tenant_id else "",
                    f"user {status.user_id}" if status.user_id else "",
                    status.feature,
                )
                if part
            )
            message = (
                f"The {status.period} {status.scope} budget #{status.budget_id} ({owner or 'all'}) is at {percent:.0f}% "
                f"of ${status.cap:.2f} (${status.spent:.2f} spent; threshold {rule.threshold:.0f}%)."
            )
            window_start = datetime(
                status.period_start.year, status.period_start.month, status.period_start.day, tzinfo=UTC
            )
            crossings.append(Crossing(f"budget:{status.budget_id}", window_start, percent, message))
    return crossings


EVALUATORS = {
    AlertRule.Kind.SPEND_PER_HOUR: _spend_per_hour,
    AlertRule.Kind.ERROR_RATE: _error_rate,
    AlertRule.Kind.BUDGET_PERCENT: _budget_percent,
}


def alert_fire(*, rule: AlertRule, crossing: Crossing) -> Alert | None:
    """Record the alert and email it, unless this rule already fired for this target and window."""
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                rule=rule,
                target=crossing.target,
                window_start=crossing.window_start,
                value=crossing.value.quantize(Decimal("0.00000001")),
                message=crossing.message[:500],
            )
    except IntegrityError:
        return None
    if rule.email and settings.ADMINS_EMAILS:
        try:
            send_mail(
                subject=f"[Headhunter] {rule.name}",
                message=crossing.message,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=list(settings.ADMINS_EMAILS),
            )
        except OSError:
            # The banner still shows it; a mail outage must not make the check fail and retry forever.
            logger.exception("alert email failed", extra={"alert_id": alert.pk})
        else:
            Alert.objects.filter(pk=alert.pk).update(emailed=True)
            alert.emailed = True
    return alert


def alerts_check(*, now: datetime | None = None) -> list[Alert]:
    """Evaluate every enabled rule against the rollups and fire what crossed; returns new alerts."""
    now = now or timezone.now()
    fired = []
    for rule in AlertRule.objects.filter(enabled=True):
        for crossing in EVALUATORS[AlertRule.Kind(rule.kind)](rule, now):
            alert = alert_fire(rule=rule, crossing=crossing)
            if alert is not None:
                fired.append(alert)
    return fired


@transaction.atomic
def alert_dismiss(*, alert_id: int, user_id: int | None) -> None:
    Alert.objects.filter(pk=alert_id, dismissed_at__isnull=True).update(
        dismissed_at=timezone.now(), dismissed_by_id=user_id
    )
