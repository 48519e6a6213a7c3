"""Browser-test fixtures: daphne wired to the fake OpenAI server, and a Chromium page on it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from tests.fakes.openai_server import FakeOpenAIServer
from tests.plugins.live import database_url, start_daphne, stop_process


@pytest.fixture(scope="module")
def daphne_on_fake_openai(
    django_db_setup: None, django_db_blocker: Any, fake_openai_server: FakeOpenAIServer
) -> Iterator[str]:
    """daphne whose gateway calls the fake server; the catalog is re-read on every call because
    each test flushes and re-seeds it."""
    process, port, log_path = start_daphne(
        env_overrides={
            "DATABASE_URL": database_url(connection.settings_dict),
            "OPENAI_BASE_URL": fake_openai_server.base_url,
            "OPENAI_API_KEY": "test-key",
            "LLM_CATALOG_TTL": "0",
            "LLM_CACHE_TTL": "0",
        }
    )
    yield f"http://127.0.0.1:{port}"
    stop_process(process)
    log_path.unlink(missing_ok=True)


@pytest.fixture
def fake_openai_page(browser: Any, daphne_on_fake_openai: str) -> Iterator[Any]:
    context = browser.new_context(base_url=daphne_on_fake_openai, viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
