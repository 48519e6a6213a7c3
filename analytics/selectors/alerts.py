"""Alerts that staff have not dismissed yet: the admin banner."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from analytics.models import Alert

BANNER_MAX_AGE = timedelta(days=7)


def alert_banner_list(*, limit: int = 5) -> QuerySet[Alert]:
    return Alert.objects.filter(dismissed_at__isnull=True, fired_at__gte=timezone.now() - BANNER_MAX_AGE).order_by(
        "-fired_at"
    )[:limit]
