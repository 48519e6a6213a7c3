"""The CV pipeline on a real Celery worker with a Redis broker, including a worker killed
mid-task (acks_late: the task is delivered again and finishes the CV exactly once)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse

from config.celery import app as celery_app
from llm.models import AiRun
from recruiting.models import CV
from tests.conftest import Tenant
from tests.fakes.openai_server import FakeOpenAIServer, Fault
from tests.plugins.live import database_url, kill_process_group, start_celery_worker, stop_process
from tests.recruiting.cv_files import cv_text

CV_COUNT = 20
# A killed worker's unacknowledged tasks come back after this (production: an hour).
VISIBILITY_TIMEOUT_S = 3


@pytest.fixture
def redis_broker(redis_url: str) -> Iterator[dict[str, str]]:
    """Points this process's Celery app at Redis (tasks leave eager mode) and returns the
    environment a worker needs to share the broker and the test database."""
    import redis
    from django.db import connection

    redis.Redis.from_url(redis_url).flushdb()
    saved = (
        celery_app.conf.broker_url,
        celery_app.conf.task_always_eager,
        dict(celery_app.conf.broker_transport_options),
    )
    celery_app.conf.broker_url = redis_url  # type: ignore[misc]
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_transport_options = {"visibility_timeout": VISIBILITY_TIMEOUT_S}
    reset_broker_connections()
    yield {
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S),
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_MUTEX_EXPIRE": "5",  # a worker killed during a restore holds its lock
    }
    celery_app.conf.broker_url, celery_app.conf.task_always_eager, options = saved  # type: ignore[misc]
    celery_app.conf.broker_transport_options = options
    reset_broker_connections()


def reset_broker_connections() -> None:
    """Drop pooled broker connections so the next send uses the current broker URL."""
    from kombu import pools

    app: Any = celery_app  # private attributes: Celery has no public way to re-point a live app
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    # Celery 5.7 takes a producer even for eager tasks: kombu's global pools must not keep one
    # that points at the closed connections.
    pools.reset()
    app.amqp._producer_pool = None


def wait_until(predicate: Any, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def upload_cvs(tenant: Tenant, count: int) -> None:
    client = Client()
    assert client.login(username=tenant.user.username, password=tenant.password)
    files = [SimpleUploadedFile(f"cv-{i}.txt", cv_text(i).encode()) for i in range(count)]
    response = client.post(reverse("recruiting:cv_upload"), {"files": files})
    assert response.status_code == 200


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_twenty_cvs_through_a_real_worker_survive_a_kill(
    tenant_a: Tenant, redis_broker: dict[str, str], fake_openai: FakeOpenAIServer
) -> None:
    # The worker talks to the fake OpenAI server through the real SDK; its latency makes sure
    # the kill lands while tasks are in flight.
    fake_openai.always(Fault.latency(0.3))
    redis_broker.update({"OPENAI_BASE_URL": fake_openai.base_url, "OPENAI_API_KEY": "test-key"})
    worker = start_celery_worker(env_overrides=redis_broker)
    try:
        upload_cvs(tenant_a, CV_COUNT)
        cvs = CV.objects.filter(company=tenant_a.company)
        assert cvs.count() == CV_COUNT
        wait_until(lambda: cvs.filter(status=CV.Status.DONE).count() >= 3, timeout=90, what="a few CVs done")
    finally:
        kill_process_group(worker)
    unfinished_at_kill = cvs.exclude(status=CV.Status.DONE).count()
    assert unfinished_at_kill > 0, "the kill came too late to test redelivery"

    worker = start_celery_worker(env_overrides=redis_broker)
    try:
        wait_until(lambda: cvs.filter(status=CV.Status.DONE).count() == CV_COUNT, timeout=120, what="all CVs done")
    except AssertionError:
        print(worker.log_path.read_text(errors="replace")[-5000:])  # type: ignore[attr-defined]
        raise
    finally:
        stop_process(worker)

    assert all(cv.embedding for cv in cvs)
    per_cv = (
        AiRun.objects.filter(subject_type="recruiting.cv", feature="parse_cv")
        .values("subject_id")
        .annotate(succeeded=Count("id", filter=Q(status="succeeded")))
    )
    succeeded = {row["subject_id"]: row["succeeded"] for row in per_cv}
    assert succeeded == {str(cv.pk): 1 for cv in cvs}, "every CV parsed exactly once"
