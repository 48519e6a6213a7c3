"""What a long-running server process does once its code is loaded, before it serves."""

from __future__ import annotations

import gc

from django.urls import get_resolver


def freeze_startup_objects() -> int:
    """Import every view now, then move all the objects loaded so far (modules, classes, settings,
    about 220,000 of them) out of the cyclic garbage collector's sight; returns how many.

    They live as long as the process, yet each full collection walks them all: on the gateway's
    benchmark that was a 170-190 ms pause, every few thousand calls, for every call in flight (it
    set the p99 at 50 concurrent calls; docs/PERFORMANCE.md, twelfth round). Frozen, a full
    collection walks only what was made since. The collection first leaves no garbage frozen."""
    get_resolver().url_patterns  # noqa: B018 - resolving the URLconf imports the views
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
