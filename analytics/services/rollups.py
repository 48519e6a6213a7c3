"""Keeping the spend rollups exact: recompute whole buckets from AiRun, never add deltas.

Recomputing a bucket with GROUP BY is idempotent (running it twice changes nothing) and exact (it
cannot drift from AiRun), so a retried Celery task, two overlapping refreshes or a manual
`rebuild_rollups` all converge on the same rows. Runs finish out of id order, so the refresh finds
work by `finished_at` (with an overlap for late commits and clock skew) and recomputes the hours
those runs were *created* in, which is the hour the dashboard files them under.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Max, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncHour
from django.utils import timezone

from analytics.histograms import bucket_aggregates
from analytics.models import NO_ID, DailySpend, HourlySpend, RollupWatermark, SubjectSpend
from llm.models import AiRun

WATERMARK_NAME = "spend"
ERROR_STATUSES = (AiRun.Status.FAILED, AiRun.Status.LOST)
BATCH_SIZE = 2000
HOUR = timedelta(hours=1)

# Rollup dimension -> expression over AiRun. The aliases avoid clashing with AiRun's own fields.
_RUN_DIMENSIONS: dict[str, Any] = {
    "k_tenant_id": Coalesce("tenant_id", Value(NO_ID)),
    "k_user_id": Coalesce("user_id", Value(NO_ID)),
    "k_feature": F("feature"),
    "k_model": F("model"),
    "k_provider": F("provider"),
    "k_status": F("status"),
    "k_error_code": F("error_code"),
}
METRIC_FIELDS = [
    field.name
    for field in HourlySpend._meta.concrete_fields
    if field.name not in {"id", "hour", "tenant_id", "user_id", "feature", "model", "provider", "status", "error_code"}
]


def _count_if(condition: Q) -> Sum:
    return Sum(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()))


def _sum_if(condition: Q, field: str) -> Sum:
    return Sum(Case(When(condition, then=F(field)), default=Value(0), output_field=IntegerField()))


def _run_aggregates() -> dict[str, Any]:
    streamed_with_timings = Q(streaming=True, latency_ms__isnull=False, ttft_ms__isnull=False)
    return {
        "calls": Count("id"),
        "errors": _count_if(Q(status__in=ERROR_STATUSES)),
        "cache_hits": _count_if(Q(cache_hit=True)),
        "fallback_calls": _count_if(Q(fallback_used=True)),
        "streaming_calls": _count_if(Q(streaming=True)),
        "estimated_usage_calls": _count_if(Q(usage_estimated=True)),
        "input_tokens": Sum("input_tokens"),
        "cached_input_tokens": Sum("cached_input_tokens"),
        "output_tokens": Sum("output_tokens"),
        "reasoning_tokens": Sum("reasoning_tokens"),
        "compression_saved_tokens": Sum("compression_saved_tokens"),
        "cost": Sum("cost"),
        "cost_saved": Sum("cost_saved"),
        "latency_count": Count("latency_ms"),
        "latency_sum_ms": Sum("latency_ms"),
        "ttft_count": Count("ttft_ms"),
        "ttft_sum_ms": Sum("ttft_ms"),
        "queue_count": Count("queue_ms"),
        "queue_sum_ms": Sum("queue_ms"),
        "stream_timed_count": _count_if(streamed_with_timings),
        "stream_latency_sum_ms": _sum_if(streamed_with_timings, "latency_ms"),
        "stream_ttft_sum_ms": _sum_if(streamed_with_timings, "ttft_ms"),
        **bucket_aggregates(source_field="latency_ms", prefix="latency"),
        **bucket_aggregates(source_field="ttft_ms", prefix="ttft"),
    }


def finished_runs() -> QuerySet[AiRun]:
    """Runs the rollups count: everything but those still running (a running row has no outcome yet)."""
    return AiRun.objects.exclude(status=AiRun.Status.RUNNING)


def _metrics(row: dict[str, Any]) -> dict[str, Any]:
    # SUM over no non-NULL values is NULL; a rollup stores 0.
    return {name: row[name] if row[name] is not None else 0 for name in METRIC_FIELDS}


def _dimensions(row: dict[str, Any]) -> dict[str, Any]:
    return {alias.removeprefix("k_"): row[alias] for alias in _RUN_DIMENSIONS}


def _hourly_rows(runs: QuerySet[AiRun]) -> Iterator[HourlySpend]:
    grouped = (
        runs.order_by()
        .annotate(k_hour=TruncHour("created_at"), **_RUN_DIMENSIONS)
        .values("k_hour", *_RUN_DIMENSIONS)
        .annotate(**_run_aggregates())
    )
    for row in grouped.iterator(chunk_size=BATCH_SIZE):
        yield HourlySpend(hour=row["k_hour"], **_dimensions(row), **_metrics(row))


def _bulk_insert(model: Any, rows: Iterable[Any]) -> int:
    written = 0
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            model.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)
        written += len(batch)
    return written


def _recompute_hour_range(*, start: datetime, end: datetime) -> int:
    HourlySpend.objects.filter(hour__gte=start, hour__lt=end).delete()
    return _bulk_insert(HourlySpend, _hourly_rows(finished_runs().filter(created_at__gte=start, created_at__lt=end)))


def _recompute_hours(hours: Iterable[datetime]) -> int:
    # Affected hours are few and scattered; one indexed range query each.
    return sum(_recompute_hour_range(start=hour, end=hour + HOUR) for hour in sorted(set(hours)))


def _utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _recompute_day_range(*, first: date, last: date) -> int:
    """Re-sum the hourly rows of whole UTC days into daily rows."""
    DailySpend.objects.filter(day__gte=first, day__lte=last).delete()
    hour_dimensions = {
        f"k_{name}": F(name)
        for name in ("tenant_id", "user_id", "feature", "model", "provider", "status", "error_code")
    }
    grouped = (
        HourlySpend.objects.filter(hour__gte=_utc_midnight(first), hour__lt=_utc_midnight(last + timedelta(days=1)))
        .order_by()
        .annotate(k_day=TruncDate("hour", tzinfo=UTC), **hour_dimensions)
        .values("k_day", *hour_dimensions)
        .annotate(**{name: Sum(name) for name in METRIC_FIELDS})
    )
    rows = (
        DailySpend(day=row["k_day"], **_dimensions(row), **_metrics(row))
        for row in grouped.iterator(chunk_size=BATCH_SIZE)
    )
    return _bulk_insert(DailySpend, rows)


def _recompute_days(days: Iterable[date]) -> int:
    return sum(_recompute_day_range(first=day, last=day) for day in sorted(set(days)))


def _subject_rows(runs: QuerySet[AiRun]) -> Iterator[SubjectSpend]:
    grouped = (
        runs.exclude(subject_type="")
        .order_by()
        .annotate(k_tenant_id=Coalesce("tenant_id", Value(NO_ID)))
        .values("subject_type", "subject_id", "k_tenant_id")
        .annotate(
            calls=Count("id"),
            errors=_count_if(Q(status__in=ERROR_STATUSES)),
            input_tokens=Sum("input_tokens"),
            output_tokens=Sum("output_tokens"),
            cost=Sum("cost"),
            first_run_at=Min("created_at"),
            last_run_at=Max("created_at"),
        )
    )
    for row in grouped.iterator(chunk_size=BATCH_SIZE):
        yield SubjectSpend(
            subject_type=row["subject_type"],
            subject_id=row["subject_id"],
            tenant_id=row["k_tenant_id"],
            calls=row["calls"],
            errors=row["errors"] or 0,
            input_tokens=row["input_tokens"] or 0,
            output_tokens=row["output_tokens"] or 0,
            cost=row["cost"] or 0,
            first_run_at=row["first_run_at"],
            last_run_at=row["last_run_at"],
        )


def _recompute_subjects(subjects: Iterable[tuple[str, str]]) -> int:
    by_type: dict[str, set[str]] = {}
    for subject_type, subject_id in subjects:
        if subject_type:
            by_type.setdefault(subject_type, set()).add(subject_id)
    written = 0
    for subject_type, ids in by_type.items():
        id_list = sorted(ids)
        for offset in range(0, len(id_list), 500):
            chunk = id_list[offset : offset + 500]
            SubjectSpend.objects.filter(subject_type=subject_type, subject_id__in=chunk).delete()
            runs = finished_runs().filter(subject_type=subject_type, subject_id__in=chunk)
            written += _bulk_insert(SubjectSpend, _subject_rows(runs))
    return written


def floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class RollupResult:
    hours: int
    hourly_rows: int
    daily_rows: int
    subject_rows: int


@transaction.atomic
def rollups_rebuild(*, since: datetime | None = None, until: datetime | None = None) -> RollupResult:
    """Recompute every rollup touching [since, until) from AiRun; both open means everything."""
    runs = finished_runs()
    if since is None or until is None:
        bounds = runs.aggregate(first=Min("created_at"), last=Max("created_at"))
        if bounds["first"] is None:
            if since is None and until is None:
                for model in (HourlySpend, DailySpend, SubjectSpend):
                    model.objects.all().delete()
            return RollupResult(hours=0, hourly_rows=0, daily_rows=0, subject_rows=0)
        since = since or bounds["first"]
        until = until or bounds["last"] + timedelta(microseconds=1)
    start, end = floor_hour(since), floor_hour(until - timedelta(microseconds=1)) + HOUR
    hourly_rows = _recompute_hour_range(start=start, end=end)
    daily_rows = _recompute_day_range(first=start.date(), last=(end - HOUR).date())
    in_range = runs.filter(created_at__gte=start, created_at__lt=end)
    if not finished_runs().filter(Q(created_at__lt=start) | Q(created_at__gte=end)).exists():
        # The range holds every run: one GROUP BY beats chunked lookups by subject.
        SubjectSpend.objects.all().delete()
        subject_rows = _bulk_insert(SubjectSpend, _subject_rows(runs))
    else:
        subjects = in_range.exclude(subject_type="").values_list("subject_type", "subject_id").distinct()
        subject_rows = _recompute_subjects(subjects.iterator(chunk_size=BATCH_SIZE))
    return RollupResult(
        hours=int((end - start) / HOUR), hourly_rows=hourly_rows, daily_rows=daily_rows, subject_rows=subject_rows
    )


@transaction.atomic
def rollups_refresh(*, now: datetime | None = None) -> RollupResult:
    """Bring the rollups up to date with runs finished since the watermark (idempotent, cheap)."""
    now = now or timezone.now()
    watermark, _ = RollupWatermark.objects.select_for_update().get_or_create(name=WATERMARK_NAME)
    if watermark.finished_through is None:
        result = rollups_rebuild()
        watermark.finished_through = now
        watermark.refreshed_at = now
        watermark.save(update_fields=["finished_through", "refreshed_at"])
        return result

    overlap = timedelta(seconds=settings.ANALYTICS_ROLLUP_OVERLAP_SECONDS)
    max_run_age = timedelta(seconds=settings.ANALYTICS_ROLLUP_MAX_RUN_AGE_SECONDS)
    since = watermark.finished_through - overlap
    # created_at bounds the scan to an index range; a run can only finish this late if the reaper
    # or a very long stream finished it, both far below max_run_age.
    recent = AiRun.objects.filter(created_at__gte=since - max_run_age).filter(
        Q(finished_at__gte=since) | Q(finished_at__isnull=True, created_at__gte=since)
    )
    hours = set(recent.order_by().annotate(k_hour=TruncHour("created_at")).values_list("k_hour", flat=True).distinct())
    subjects = set(recent.exclude(subject_type="").order_by().values_list("subject_type", "subject_id").distinct())
    latest_finish = recent.aggregate(latest=Max("finished_at"))["latest"]

    hourly_rows = _recompute_hours(hours)
    daily_rows = _recompute_days(floor_hour(hour).date() for hour in hours)
    subject_rows = _recompute_subjects(subjects)

    if latest_finish is not None:
        # Never past our own clock: a host whose clock runs ahead must not make us skip others' runs.
        watermark.finished_through = max(watermark.finished_through, min(latest_finish, now))
    watermark.refreshed_at = now
    watermark.save(update_fields=["finished_through", "refreshed_at"])
    return RollupResult(hours=len(hours), hourly_rows=hourly_rows, daily_rows=daily_rows, subject_rows=subject_rows)


def rollups_refresh_if_stale(*, max_age_seconds: float, now: datetime | None = None) -> bool:
    """The dashboard's on-demand tail refresh, skipped when a refresh ran moments ago."""
    now = now or timezone.now()
    refreshed_at = RollupWatermark.objects.filter(name=WATERMARK_NAME).values_list("refreshed_at", flat=True).first()
    if refreshed_at is not None and (now - refreshed_at).total_seconds() < max_age_seconds:
        return False
    rollups_refresh(now=now)
    return True
