"""The ten analyses the seeds ask for (seed 003, "10 analytical query functions"), over the rollups.

Each takes the dashboard's SpendFilters (except cost per object, which is lifetime per subject).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, Sum

from analytics.models import SubjectSpend
from analytics.selectors.spend import SpendFilters, SpendTotals, daily_spend, spend_groups, spend_totals


def _share(part: float | Decimal, whole: float | Decimal) -> float:
    return float(part) / float(whole) if whole else 0.0


# 1. Cost per object -------------------------------------------------------------------------
@dataclass(frozen=True)
class ObjectCost:
    subject_type: str
    subject_id: str
    tenant_id: int
    calls: int
    cost: Decimal


@dataclass(frozen=True)
class CostPerObject:
    subject_type: str
    objects: int
    total_cost: Decimal
    average_cost: Decimal
    most_expensive: list[ObjectCost]


def cost_per_object(*, subject_type: str, tenant_id: int | None = None, limit: int = 10) -> CostPerObject:
    """What one job (or candidate, or CV) has cost over its life, on average and at the top."""
    subjects = SubjectSpend.objects.filter(subject_type=subject_type)
    if tenant_id is not None:
        subjects = subjects.filter(tenant_id=tenant_id)
    summary = subjects.aggregate(objects=Count("id"), total=Sum("cost"), average=Avg("cost"))
    top = subjects.order_by("-cost", "subject_id")[:limit]
    return CostPerObject(
        subject_type=subject_type,
        objects=summary["objects"],
        total_cost=Decimal(summary["total"] or 0),
        average_cost=Decimal(summary["average"] or 0).quantize(Decimal("0.00000001")),
        most_expensive=[
            ObjectCost(row.subject_type, row.subject_id, row.tenant_id, row.calls, row.cost) for row in top
        ],
    )


# 2. Model selection share -------------------------------------------------------------------
@dataclass(frozen=True)
class ModelShare:
    provider: str
    model: str
    calls: int
    cost: Decimal
    call_share: float
    cost_share: float


def model_selection_share(*, filters: SpendFilters) -> list[ModelShare]:
    """How often the router picked each model, by calls and by money."""
    groups = spend_groups(filters=filters, by=("provider", "model"), order_by="-t_calls")
    calls = sum(group.calls for group in groups)
    cost = sum((group.cost for group in groups), Decimal(0))
    return [
        ModelShare(
            provider=group.key["provider"],
            model=group.key["model"],
            calls=group.calls,
            cost=group.cost,
            call_share=_share(group.calls, calls),
            cost_share=_share(group.cost, cost),
        )
        for group in groups
    ]


# 3. Feature (task) performance --------------------------------------------------------------
def feature_performance(*, filters: SpendFilters) -> list[SpendTotals]:
    """Per feature: calls, cost, error rate, latency percentiles (see SpendTotals' properties)."""
    return spend_groups(filters=filters, by=("feature",))


# 4. Cache effectiveness ---------------------------------------------------------------------
@dataclass(frozen=True)
class CacheEffectiveness:
    calls: int
    cache_hits: int
    hit_rate: float
    cost_saved: Decimal
    cost: Decimal
    saved_share: float  # of what the same calls would have cost without the cache
    by_feature: list[SpendTotals]


def cache_effectiveness(*, filters: SpendFilters) -> CacheEffectiveness:
    totals = spend_totals(filters=filters)
    return CacheEffectiveness(
        calls=totals.calls,
        cache_hits=totals.cache_hits,
        hit_rate=totals.cache_hit_rate,
        cost_saved=totals.cost_saved,
        cost=totals.cost,
        saved_share=_share(totals.cost_saved, totals.cost + totals.cost_saved),
        by_feature=spend_groups(filters=filters, by=("feature",), order_by="-t_cost_saved"),
    )


# 5. Cost trend ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CostTrend:
    days: list[tuple[date, Decimal, int]]  # every day of the range, zero-filled
    total: Decimal
    previous_total: Decimal  # the same number of days just before the range
    change: float | None  # relative change against the previous period


def cost_trend(*, filters: SpendFilters) -> CostTrend:
    per_day = {
        row["day"]: (Decimal(row["cost"] or 0), int(row["calls"] or 0))
        for row in daily_spend(filters=filters).values("day").annotate(cost=Sum("cost"), calls=Sum("calls"))
    }
    length = (filters.date_to - filters.date_from).days + 1
    days = [filters.date_from + timedelta(days=offset) for offset in range(length)]
    series = [(day, *per_day.get(day, (Decimal(0), 0))) for day in days]
    total = sum((cost for _, cost, _ in series), Decimal(0))
    previous = SpendFilters(
        **{
            **filters.__dict__,
            "date_from": filters.date_from - timedelta(days=length),
            "date_to": filters.date_from - timedelta(days=1),
        }
    )
    previous_total = spend_totals(filters=previous).cost
    change = float((total - previous_total) / previous_total) if previous_total else None
    return CostTrend(days=series, total=total, previous_total=previous_total, change=change)


# 6. Provider comparison ---------------------------------------------------------------------
def provider_comparison(*, filters: SpendFilters) -> list[SpendTotals]:
    """Per provider: cost, avg cost per call, p50/p95 latency, error and fallback rates."""
    return spend_groups(filters=filters, by=("provider",))


# 7. Token efficiency ------------------------------------------------------------------------
@dataclass(frozen=True)
class TokenEfficiency:
    feature: str
    model: str
    calls: int
    input_tokens: int
    output_tokens: int
    output_per_input: float | None
    cached_input_share: float
    reasoning_share: float
    cost_per_1k_tokens: Decimal


def token_efficiency(*, filters: SpendFilters) -> list[TokenEfficiency]:
    """Output per input token, and how much of each side was cached input or reasoning."""
    result = []
    for group in spend_groups(filters=filters, by=("feature", "model")):
        tokens = group.input_tokens + group.output_tokens
        result.append(
            TokenEfficiency(
                feature=group.key["feature"],
                model=group.key["model"],
                calls=group.calls,
                input_tokens=group.input_tokens,
                output_tokens=group.output_tokens,
                output_per_input=group.output_per_input,
                cached_input_share=_share(group.cached_input_tokens, group.input_tokens),
                reasoning_share=_share(group.reasoning_tokens, group.output_tokens),
                cost_per_1k_tokens=(group.cost * 1000 / tokens).quantize(Decimal("0.00000001"))
                if tokens
                else Decimal(0),
            )
        )
    return result


# 8. Compression effectiveness ---------------------------------------------------------------
@dataclass(frozen=True)
class CompressionEffectiveness:
    feature: str
    input_tokens: int
    saved_tokens: int
    saved_share: float  # of the input before compression


def compression_effectiveness(*, filters: SpendFilters) -> list[CompressionEffectiveness]:
    groups = spend_groups(filters=filters, by=("feature",), order_by="-t_compression_saved_tokens")
    return [
        CompressionEffectiveness(
            feature=group.key["feature"],
            input_tokens=group.input_tokens,
            saved_tokens=group.compression_saved_tokens,
            saved_share=_share(group.compression_saved_tokens, group.input_tokens + group.compression_saved_tokens),
        )
        for group in groups
    ]


# 9. Error analysis --------------------------------------------------------------------------
@dataclass(frozen=True)
class ErrorCount:
    status: str
    error_code: str
    provider: str
    calls: int
    share_of_all_calls: float


def error_analysis(*, filters: SpendFilters) -> list[ErrorCount]:
    """Every non-successful outcome by status, error code and provider, most frequent first."""
    all_calls = spend_totals(filters=filters).calls
    rows = (
        daily_spend(filters=filters, by=("status", "error_code", "provider"))
        .exclude(status__in=("succeeded", "cached"))
        .values("status", "error_code", "provider")
        .annotate(calls=Sum("calls"))
        .order_by("-calls", "status", "error_code", "provider")
    )
    return [
        ErrorCount(row["status"], row["error_code"], row["provider"], row["calls"], _share(row["calls"], all_calls))
        for row in rows
    ]


# 10. Cycle breakdown ------------------------------------------------------------------------
@dataclass(frozen=True)
class CycleBreakdown:
    feature: str
    calls: int
    avg_queue_ms: float | None
    avg_provider_ms: float | None  # until the answer (non-streaming) or the first token (streaming)
    avg_streaming_ms: float | None  # first token to last, streaming runs only
    avg_total_ms: float | None


def cycle_breakdown(*, filters: SpendFilters) -> list[CycleBreakdown]:
    """Where a run's time goes: waiting in the queue, waiting on the provider, streaming."""
    result = []
    for group in spend_groups(filters=filters, by=("feature",)):
        streamed = group.stream_timed_count
        # Provider wait: whole latency of non-streamed runs plus time to first token of streamed ones.
        waited_ms = group.latency_sum_ms - group.stream_latency_sum_ms + group.stream_ttft_sum_ms
        waited_count = group.latency_count
        avg_queue = group.avg_queue_ms
        avg_provider = waited_ms / waited_count if waited_count else None
        avg_streaming = (group.stream_latency_sum_ms - group.stream_ttft_sum_ms) / streamed if streamed else None
        parts = [value for value in (avg_queue, group.avg_latency_ms) if value is not None]
        result.append(
            CycleBreakdown(
                feature=group.key["feature"],
                calls=group.calls,
                avg_queue_ms=avg_queue,
                avg_provider_ms=avg_provider,
                avg_streaming_ms=avg_streaming,
                avg_total_ms=sum(parts) if parts else None,
            )
        )
    return result
