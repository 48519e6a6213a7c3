"""Celery beat jobs: both idempotent, so a retry or an overlapping run changes nothing."""

from __future__ import annotations

from celery import shared_task

from analytics.services.alerts import alerts_check
from analytics.services.rollups import rollups_refresh


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=300, max_retries=5)
def rollups_refresh_task() -> int:
    return rollups_refresh().hours


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=300, max_retries=5)
def alerts_check_task() -> int:
    # Alerts read the rollups; bring them up to date first so a spike is seen within one interval.
    rollups_refresh()
    return len(alerts_check())
