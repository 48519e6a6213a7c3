"""The results file every benchmark writes (DESIGN.md, "Benchmarks (contract)")."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def write_results(
    path: Path,
    *,
    bench: str,
    params: dict[str, Any],
    figures: dict[str, Any],
    goals: dict[str, str],
    machine: dict[str, Any] | None = None,
    **extra: Any,
) -> None:
    """Write `bench/results/<name>.json` (`machine` and `extra` add keys to the standard ones)."""
    result = {
        "bench": bench,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), **(machine or {})},
        "params": params,
        "figures": figures,
        "goals": goals,
        **extra,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
