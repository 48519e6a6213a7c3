"""Celery tasks of the CV pipeline. They take IDs, call services, and are safe to retry."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from recruiting.models import CV
from recruiting.services import cvs

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    # Transient: a broker/provider connection blip, or the database busy or restarting.
    autoretry_for=(ConnectionError, TimeoutError, OSError, OperationalError),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
)
def process_cv(self, cv_id: int) -> None:
    cv = CV.objects.select_related("company").filter(pk=cv_id).first()
    if cv is None or cv.status == CV.Status.DONE:
        return  # erased meanwhile, or a redelivery of finished work
    try:
        cvs.cv_process(cv=cv)
    except Exception as exc:
        if self.request.retries >= (self.max_retries or 0) or not isinstance(exc, self.autoretry_for):
            logger.exception("CV pipeline failed", extra={"cv_id": cv_id})
            cvs.cv_mark_failed(cv=cv, message=f"Processing failed ({type(exc).__name__}). Use “Retry” or reparse_cvs.")
        raise
