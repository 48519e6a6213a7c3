"""The catalog snapshot (llm/selectors.py): reloaded once when it goes stale, however many threads
find it stale at the same time."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from llm import selectors
from llm.selectors import Catalog, catalog, catalog_invalidate

pytestmark = pytest.mark.django_db


def test_threads_that_find_the_catalog_stale_together_reload_it_once(settings: Any, monkeypatch: Any) -> None:
    settings.LLM_CATALOG_TTL = 60.0
    loaded = selectors._load_catalog()  # the real rows, read here (the threads do no queries)
    loads: list[int] = []
    all_waiting = threading.Barrier(4)

    def slow_load() -> Catalog:
        loads.append(1)
        time.sleep(0.05)  # long enough for the other threads to queue on the lock
        return loaded

    monkeypatch.setattr(selectors, "_load_catalog", slow_load)
    catalog_invalidate()

    def read() -> Catalog:
        all_waiting.wait()
        return catalog()

    with ThreadPoolExecutor(4) as threads:
        snapshots = list(threads.map(lambda _: read(), range(4)))

    assert len(loads) == 1
    assert all(snapshot is loaded for snapshot in snapshots)
    catalog_invalidate()
