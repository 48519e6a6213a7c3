"""Reads of the spend rollups: the filters every dashboard view shares, totals and groupings.

Everything here reads DailySpend (a few thousand rows per day at most), never AiRun.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from analytics.histograms import bucket_sums, counts_from_row, percentile_ms
from analytics.models import DAILY_GRAINS

DIMENSION_FILTERS = ("tenant_id", "user_id", "feature", "model", "provider")


@dataclass(frozen=True)
class SpendFilters:
    """One dashboard view: an inclusive UTC date range and optional exact dimension matches."""

    date_from: date
    date_to: date
    tenant_id: int | None = None
    user_id: int | None = None
    feature: str = ""
    model: str = ""
    provider: str = ""

    @classmethod
    def last_days(cls, days: int = 30, **dimensions: Any) -> SpendFilters:
        today = timezone.now().date()
        return cls(date_from=today - timedelta(days=days - 1), date_to=today, **dimensions)

    def dimension_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in DIMENSION_FILTERS if getattr(self, name) not in (None, "")}


def daily_grain(*, dimensions: set[str]) -> Any:
    """The coarsest daily rollup that has every dimension a read filters or groups by."""
    return next(model for model in DAILY_GRAINS if dimensions <= set(model.DIMENSIONS))


def daily_spend(*, filters: SpendFilters, by: tuple[str, ...] = ()) -> QuerySet[Any]:
    dimension_filters = filters.dimension_values()
    model = daily_grain(dimensions={*dimension_filters, *by})
    return model._default_manager.filter(
        day__gte=filters.date_from, day__lte=filters.date_to, **dimension_filters
    ).order_by()


LIST_MEASURES = ("calls", "errors", "input_tokens", "output_tokens", "cost")


def _totals(measures: tuple[str, ...] | None = None) -> dict[str, Any]:
    """SUM() of the named measures (default: all, with the histograms), aliased t_<name>."""
    if measures is not None:
        return {f"t_{name}": Sum(name) for name in measures}
    names = [
        "calls",
        "errors",
        "cache_hits",
        "fallback_calls",
        "streaming_calls",
        "input_tokens",
        "cached_input_tokens",
        "output_tokens",
        "reasoning_tokens",
        "compression_saved_tokens",
        "cost",
        "cost_saved",
        "latency_count",
        "latency_sum_ms",
        "ttft_count",
        "ttft_sum_ms",
        "queue_count",
        "queue_sum_ms",
        "stream_timed_count",
        "stream_latency_sum_ms",
        "stream_ttft_sum_ms",
    ]
    return {
        **{f"t_{name}": Sum(name) for name in names},
        **{f"t_{key}": value for key, value in bucket_sums("latency").items()},
        **{f"t_{key}": value for key, value in bucket_sums("ttft").items()},
    }


@dataclass
class SpendTotals:
    """Sums over a set of rollup rows, with the ratios and percentiles derived from them."""

    key: dict[str, Any] = field(default_factory=dict)
    calls: int = 0
    errors: int = 0
    cache_hits: int = 0
    fallback_calls: int = 0
    streaming_calls: int = 0
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    compression_saved_tokens: int = 0
    cost: Decimal = Decimal(0)
    cost_saved: Decimal = Decimal(0)
    latency_count: int = 0
    latency_sum_ms: int = 0
    ttft_count: int = 0
    ttft_sum_ms: int = 0
    queue_count: int = 0
    queue_sum_ms: int = 0
    stream_timed_count: int = 0
    stream_latency_sum_ms: int = 0
    stream_ttft_sum_ms: int = 0
    latency_buckets: list[int] = field(default_factory=list)
    ttft_buckets: list[int] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: dict[str, Any], key_names: tuple[str, ...] = ()) -> SpendTotals:
        values = {name[2:]: value for name, value in row.items() if name.startswith("t_")}
        totals = cls(key={name: row[name] for name in key_names})
        for name in cls.__dataclass_fields__:
            if name in values and values[name] is not None:
                value = values[name]
                setattr(totals, name, Decimal(value) if name in {"cost", "cost_saved"} else int(value))
        totals.latency_buckets = counts_from_row(values, "latency")
        totals.ttft_buckets = counts_from_row(values, "ttft")
        return totals

    @property
    def avg_cost_per_call(self) -> Decimal:
        return self.cost / self.calls if self.calls else Decimal(0)

    @property
    def error_rate(self) -> float:
        return self.errors / self.calls if self.calls else 0.0

    @property
    def cache_hit_rate(self) -> float:
        return self.cache_hits / self.calls if self.calls else 0.0

    @property
    def fallback_rate(self) -> float:
        return self.fallback_calls / self.calls if self.calls else 0.0

    @property
    def avg_latency_ms(self) -> float | None:
        return self.latency_sum_ms / self.latency_count if self.latency_count else None

    @property
    def avg_ttft_ms(self) -> float | None:
        return self.ttft_sum_ms / self.ttft_count if self.ttft_count else None

    @property
    def avg_queue_ms(self) -> float | None:
        return self.queue_sum_ms / self.queue_count if self.queue_count else None

    @property
    def latency_p50_ms(self) -> float | None:
        return percentile_ms(self.latency_buckets, 0.50)

    @property
    def latency_p95_ms(self) -> float | None:
        return percentile_ms(self.latency_buckets, 0.95)

    @property
    def ttft_p50_ms(self) -> float | None:
        return percentile_ms(self.ttft_buckets, 0.50)

    @property
    def ttft_p95_ms(self) -> float | None:
        return percentile_ms(self.ttft_buckets, 0.95)

    @property
    def output_per_input(self) -> float | None:
        return self.output_tokens / self.input_tokens if self.input_tokens else None


def spend_totals(*, filters: SpendFilters) -> SpendTotals:
    return SpendTotals.from_row(daily_spend(filters=filters).aggregate(**_totals()))


def spend_groups(
    *,
    filters: SpendFilters,
    by: tuple[str, ...],
    order_by: str = "-t_cost",
    limit: int | None = None,
    measures: tuple[str, ...] | None = None,
) -> list[SpendTotals]:
    """Totals per distinct value of the `by` dimensions (e.g. ("model", "provider")), biggest cost first.

    `measures` narrows the sums (e.g. LIST_MEASURES) for long lists, where summing every
    histogram column would be most of the work.
    """
    grouped = daily_spend(filters=filters, by=by).values(*by).annotate(**_totals(measures)).order_by(order_by, *by)
    rows = grouped[:limit] if limit else grouped
    return [SpendTotals.from_row(row, by) for row in rows]


@dataclass(frozen=True)
class DailyFeatureCost:
    day: date
    feature: str
    cost: Decimal
    input_tokens: int
    output_tokens: int


def daily_cost_by_feature(*, filters: SpendFilters) -> list[DailyFeatureCost]:
    rows = (
        daily_spend(filters=filters, by=("feature",))
        .values("day", "feature")
        .annotate(cost=Sum("cost"), input=Sum("input_tokens"), output=Sum("output_tokens"))
        .order_by("day", "feature")
    )
    return [
        DailyFeatureCost(
            day=row["day"],
            feature=row["feature"],
            cost=Decimal(row["cost"] or 0),
            input_tokens=int(row["input"] or 0),
            output_tokens=int(row["output"] or 0),
        )
        for row in rows
    ]


def spend_dimension_values(*, filters: SpendFilters, dimension: str, limit: int = 200) -> list[Any]:
    """Values of one dimension seen in the date range (for the filter menus), ignoring other filters."""
    unfiltered = SpendFilters(date_from=filters.date_from, date_to=filters.date_to)
    values = (
        daily_spend(filters=unfiltered, by=(dimension,))
        .values_list(dimension, flat=True)
        .annotate(cost=Sum("cost"))
        .order_by("-cost", dimension)[:limit]
    )
    return list(values)
