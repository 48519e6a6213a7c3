"""Fixed-bucket histograms: percentiles that can be summed across rollup rows.

A bucket i counts values in [BOUNDS_MS[i-1], BOUNDS_MS[i]); the last bucket is open-ended.
Fixed bounds make histograms additive, so a p95 over any filter is a sum of columns, not a scan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Case, IntegerField, Q, Sum, Value, When
from django.db.models.expressions import Combinable

# Upper bounds in milliseconds; the 17th bucket (index 16) holds everything from 60 s up.
BOUNDS_MS: tuple[int, ...] = (
    50,
    100,
    200,
    300,
    500,
    750,
    1000,
    1500,
    2000,
    3000,
    5000,
    7500,
    10000,
    15000,
    30000,
    60000,
)
BUCKET_COUNT = len(BOUNDS_MS) + 1


def bucket_field_names(prefix: str) -> list[str]:
    return [f"{prefix}_b{index:02d}" for index in range(BUCKET_COUNT)]


def bucket_index(value_ms: int) -> int:
    for index, bound in enumerate(BOUNDS_MS):
        if value_ms < bound:
            return index
    return len(BOUNDS_MS)


def bucket_aggregates(*, source_field: str, prefix: str) -> dict[str, Combinable]:
    """One conditional count per bucket, for a GROUP BY over raw runs."""
    aggregates: dict[str, Combinable] = {}
    lower: int | None = None
    for index, name in enumerate(bucket_field_names(prefix)):
        condition = Q(**{f"{source_field}__isnull": False})
        if lower is not None:
            condition &= Q(**{f"{source_field}__gte": lower})
        if index < len(BOUNDS_MS):
            condition &= Q(**{f"{source_field}__lt": BOUNDS_MS[index]})
            lower = BOUNDS_MS[index]
        aggregates[name] = Sum(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()))
    return aggregates


def bucket_sums(prefix: str) -> dict[str, Sum]:
    """Sums of the bucket columns, for a GROUP BY over rollup rows."""
    return {name: Sum(name) for name in bucket_field_names(prefix)}


def percentile_ms(counts: Sequence[int], fraction: float) -> float | None:
    """The value below which `fraction` of the counted values fall, interpolated within its bucket."""
    total = sum(counts)
    if total == 0:
        return None
    target = fraction * total
    cumulative = 0
    for index, count in enumerate(counts):
        if count and cumulative + count >= target:
            lower = BOUNDS_MS[index - 1] if index > 0 else 0
            # The open last bucket has no upper edge; report its lower edge rather than invent one.
            if index >= len(BOUNDS_MS):
                return float(lower)
            upper = BOUNDS_MS[index]
            return lower + (upper - lower) * (target - cumulative) / count
        cumulative += count
    return float(BOUNDS_MS[-1])


def counts_from_row(row: Mapping[str, Any], prefix: str) -> list[int]:
    return [int(row.get(name) or 0) for name in bucket_field_names(prefix)]
