"""config/startup.py: what the ASGI server does once its code is loaded, before it serves."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref
from pathlib import Path

from config.startup import freeze_startup_objects

BASE_DIR = Path(__file__).resolve().parents[2]


def test_the_asgi_application_freezes_what_it_loaded_views_included() -> None:
    # A fresh interpreter, as daphne's: importing the application is its whole startup.
    probe = (
        "import gc, sys, config.asgi; "
        "print(gc.get_freeze_count(), 'llm.api.views' in sys.modules, len(gc.get_objects()))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    printed = subprocess.run(
        [sys.executable, "-c", probe], cwd=BASE_DIR, env=environment, capture_output=True, text=True, check=True
    ).stdout.split()
    frozen, views_loaded, still_tracked = int(printed[0]), printed[1] == "True", int(printed[2])
    # The views are imported before the freeze (the URLconf is resolved), so they are in it too.
    assert views_loaded and frozen > 50_000
    assert still_tracked < frozen / 10  # what a full collection still walks


def test_the_freeze_collects_first_so_no_garbage_is_kept_for_good() -> None:
    class Node:
        pass

    finalized: list[bool] = []
    gc.disable()  # no automatic collection may find the cycle before the freeze does
    try:
        cycle = Node()
        cycle.itself = cycle  # type: ignore[attr-defined]
        weakref.finalize(cycle, finalized.append, True)
        del cycle

        frozen = freeze_startup_objects()

        assert finalized == [True] and frozen == gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()
