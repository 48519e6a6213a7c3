"""CSV rows of the daily rollups for a filtered view, produced lazily (no whole table in memory)."""

from __future__ import annotations

from collections.abc import Iterator

from analytics.models import NO_ID, DailySpend
from analytics.selectors.spend import SpendFilters
from recruiting import selectors as recruiting_selectors

HEADER = [
    "day",
    "company_id",
    "company",
    "user_id",
    "feature",
    "model",
    "provider",
    "status",
    "error_code",
    "calls",
    "errors",
    "cache_hits",
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cost_usd",
    "cost_saved_usd",
    "avg_latency_ms",
]
CHUNK = 2000


def spend_export_rows(*, filters: SpendFilters) -> Iterator[list[str]]:
    yield HEADER
    rows = DailySpend.objects.filter(
        day__gte=filters.date_from, day__lte=filters.date_to, **filters.dimension_values()
    ).order_by("day", "tenant_id", "user_id", "feature", "model", "status", "id")
    names: dict[int, str] = {}
    batch = []
    for row in rows.iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) >= CHUNK:
            yield from _rows(batch, names)
            batch = []
    yield from _rows(batch, names)


def _rows(batch: list[DailySpend], names: dict[int, str]) -> Iterator[list[str]]:
    missing = {row.tenant_id for row in batch if row.tenant_id != NO_ID and row.tenant_id not in names}
    if missing:
        names.update(recruiting_selectors.company_names(company_ids=missing))
    for row in batch:
        yield [
            row.day.isoformat(),
            str(row.tenant_id or ""),
            names.get(row.tenant_id, ""),
            str(row.user_id or ""),
            row.feature,
            row.model,
            row.provider,
            row.status,
            row.error_code,
            str(row.calls),
            str(row.errors),
            str(row.cache_hits),
            str(row.input_tokens),
            str(row.cached_input_tokens),
            str(row.output_tokens),
            str(row.reasoning_tokens),
            f"{row.cost:.8f}",
            f"{row.cost_saved:.8f}",
            f"{row.latency_sum_ms / row.latency_count:.0f}" if row.latency_count else "",
        ]
