"""Celery tasks of the gateway (scheduled by CELERY_BEAT_SCHEDULE in config/settings.py)."""

from __future__ import annotations

from celery import shared_task

from llm.services import ai_runs_reap


@shared_task(ignore_result=True)
def reap_ai_runs_task() -> int:
    """Idempotent: a run is reaped once, whichever worker gets there first."""
    return ai_runs_reap()
