"""Shared fixtures.

- tests/plugins/services.py: throwaway PostgreSQL and Redis (`postgres_url`, `redis_url`).
- tests/plugins/live.py: a live daphne server (`daphne_server`) and Chromium (`browser`, `page`).
- Here: accounts and companies for the tenancy tests, and the fake OpenAI server.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.fakes.openai_server import FakeOpenAIServer
from tests.plugins.catalog import seed_catalog

pytest_plugins = ["tests.plugins.live"]

TEST_PASSWORD = "correct-horse-battery-staple"


@dataclass
class Tenant:
    company: Any
    user: Any
    password: str = TEST_PASSWORD


def make_tenant(*, slug: str, plan: str = "pro", username: str | None = None) -> Tenant:
    from recruiting import services

    company = services.company_get_or_create(slug=slug, name=slug.title(), plan=plan)
    user = services.member_create(
        company=company, username=username or f"{slug}-recruiter", email=f"r@{slug}.example", password=TEST_PASSWORD
    )
    return Tenant(company=company, user=user)


@pytest.fixture(autouse=True)
def _close_runner_connections() -> Iterator[None]:
    """The runner's PostgreSQL connections outlive a test: those of its event loops
    (llm/runner/pg_loop.py) and that of the shared database thread (llm/runner/attempts.py).
    Closed after each test, so that the test database can be dropped at the end."""
    yield
    from django.db import connections

    from llm.runner import attempts, background_db_work_done
    from llm.runner.pg_loop import close_loop_connections

    close_loop_connections()
    threads = attempts._db_pool
    if threads is None:
        return
    background_db_work_done()
    # (One thread: LLM_DB_THREADS is 1 in the tests. A test's own threads, `db_thread`, are shut
    # down by then, their connections closed.)
    with contextlib.suppress(RuntimeError):
        threads.submit(connections.close_all).result()


@pytest.fixture
def tenant_a(db: None) -> Tenant:
    return make_tenant(slug="acme")


@pytest.fixture
def tenant_b(db: None) -> Tenant:
    return make_tenant(slug="globex", plan="free")


@pytest.fixture(scope="session")
def fake_openai_server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture
def fake_openai(fake_openai_server: FakeOpenAIServer) -> Iterator[FakeOpenAIServer]:
    """The fake OpenAI-compatible server, with scripts and recorded requests cleared per test."""
    fake_openai_server.reset()
    yield fake_openai_server
    fake_openai_server.reset()


@pytest.fixture(autouse=True)
def _fresh_llm_catalog() -> Iterator[None]:
    """The gateway caches its catalog (prompts, models, rules) per process for a few seconds;
    a test's rolled-back rows must not leak into the next test through that cache."""
    from llm.selectors import catalog_invalidate

    catalog_invalidate()
    yield
    catalog_invalidate()


@pytest.fixture(autouse=True)
def _gateway_catalog_seeded(request: pytest.FixtureRequest) -> None:
    """Transactional tests end by flushing every table, data migrations' rows included: put the
    gateway's seeded catalog back before each one."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("_django_db_helper")  # the database must be set up first
    elif "transactional_db" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    else:
        return
    seed_catalog()
