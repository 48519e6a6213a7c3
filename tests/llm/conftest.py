"""Fixtures for the gateway's tests: the seeded catalog, the fake OpenAI server wired in as the
`openai` provider, tiny backoff settings, and tenants on each plan.

Transactional tests flush the database, seeded rows included; tests/conftest.py puts the catalog
back before each one (tests/plugins/catalog.py).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.core.cache import caches

from llm.models import Provider
from llm.runner import attempts, background_db_work_done
from llm.selectors import catalog_invalidate
from tests.conftest import close_connections_in
from tests.fakes.openai_server import FakeOpenAIServer

FAST_RETRIES = {
    "LLM_RETRY_BASE_DELAY": 0.001,
    "LLM_RETRY_MAX_DELAY": 0.005,
    "LLM_RETRY_AFTER_CAP": 2.0,
    "LLM_LOCAL_CHUNK_DELAY": 0.0,
    "LLM_CATALOG_TTL": 0.0,
    "LLM_CACHE_TTL": 0,
    "LLM_COOLDOWN_AFTER_FAILURES": 1000,
    "LLM_RATE_LIMITS": {},
}


@dataclass
class Gateway:
    fake: FakeOpenAIServer
    settings: Any

    def openai(self) -> Provider:
        return Provider.objects.get(name="openai")


@pytest.fixture
def gateway(fake_openai: FakeOpenAIServer, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    """The runner pointed at the fake server, with the seeded catalog and fast retries."""
    for name, value in FAST_RETRIES.items():
        setattr(settings, name, value)
    settings.LLM_DEFAULT_PROVIDER = "openai"
    settings.OPENAI_BASE_URL = fake_openai.base_url
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    catalog_invalidate()
    for cache in ("default",):
        caches[cache].clear()
    yield Gateway(fake=fake_openai, settings=settings)
    catalog_invalidate()


@pytest.fixture
def local_only(settings: Any) -> Iterator[None]:
    """The embedded mode: no provider configured, everything answered by `local`."""
    for name, value in FAST_RETRIES.items():
        setattr(settings, name, value)
    settings.LLM_DEFAULT_PROVIDER = "local"
    catalog_invalidate()
    caches["default"].clear()
    yield
    catalog_invalidate()


def make_company(slug: str, plan: str) -> Any:
    company_model = django_apps.get_model("recruiting", "Company")
    return company_model.objects.create(name=slug.title(), slug=slug, plan=plan)


@pytest.fixture
def free_company(db: None) -> Any:
    return make_company("freeco", "free")


@pytest.fixture
def pro_company(db: None) -> Any:
    return make_company("proco", "pro")


@pytest.fixture
def recruiter(db: None) -> Any:
    return get_user_model().objects.create_user(username="recruiter", password="not-used-here")


@pytest.fixture
def redis_counters(gateway: Gateway, redis_url: str) -> Any:
    """Rate limits and the exact cache in a real Redis, as in production (one pooled client)."""
    from llm.redis_clients import redis_for_cache

    gateway.settings.CACHES = {
        **gateway.settings.CACHES,
        "llm-redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url},
    }
    gateway.settings.LLM_RATE_LIMIT_CACHE = gateway.settings.LLM_EXACT_CACHE = "llm-redis"
    client = redis_for_cache("llm-redis")
    assert client is not None
    client.flushdb()
    return client


def point_the_rate_limits_at_a_closed_port(gateway: Gateway) -> None:
    """Rate limits and the exact cache on a Redis that cannot be reached (connection refused)."""
    with socket.socket() as listener:  # a port nothing listens on once closed
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
    down = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
    gateway.settings.CACHES = {**gateway.settings.CACHES, "llm-redis-down": down}
    gateway.settings.LLM_RATE_LIMIT_CACHE = gateway.settings.LLM_EXACT_CACHE = "llm-redis-down"


@pytest.fixture
def db_thread(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The runner's database threads as one thread of this test's own, whose connection is closed
    afterwards (the shared pool's would keep the test database open past its teardown)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llm-db-test")
    monkeypatch.setattr(attempts, "_db_pool", pool)
    yield
    background_db_work_done()  # no end left queued for this pool
    close_connections_in(pool)
    pool.shutdown()


@pytest.fixture
def thread_admissions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The features of the calls admitted by the database thread's `admit` (the loop's admission,
    llm/runner/loop_admission.py, falls back to it), in order."""
    from llm.runner import admission, execute

    admitted: list[str] = []

    def admit_recorded(spec: Any, **kwargs: Any) -> Any:
        admitted.append(spec.feature)
        return admission.admit(spec, **kwargs)

    monkeypatch.setattr(execute, "admit", admit_recorded)
    return admitted
