"""Keeping the spend rollups exact: recompute whole buckets from AiRun, never add deltas.

Recomputing a bucket with GROUP BY is idempotent (running it twice changes nothing) and exact (it
cannot drift from AiRun), so a retried Celery task, two overlapping refreshes or a manual
`rebuild_rollups` all converge on the same rows. Runs finish out of id order, so the refresh finds
work by `finished_at` (with an overlap for late commits and clock skew) and recomputes the hours
those runs were *created* in, which is the hour the dashboard files them under.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Case, Count, F, IntegerField, Max, Min, Model, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncHour
from django.utils import timezone

from analytics.histograms import bucket_aggregates
from analytics.models import DAILY_GRAINS, NO_ID, DailySpend, HourlySpend, RollupWatermark, SpendMetrics, SubjectSpend
from llm.models import AiRun

WATERMARK_NAME = "spend"
ERROR_STATUSES = (AiRun.Status.FAILED, AiRun.Status.LOST)
BATCH_SIZE = 2000
HOUR = timedelta(hours=1)

METRIC_FIELDS = [field.name for field in SpendMetrics._meta.local_fields]


def _count_if(condition: Q) -> Sum:
    return Sum(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()))


def _sum_if(condition: Q, field: str) -> Sum:
    return Sum(Case(When(condition, then=F(field)), default=Value(0), output_field=IntegerField()))


def _run_aggregates() -> dict[str, Any]:
    """Every SpendMetrics column as an aggregate over raw AiRun rows."""
    streamed_with_timings = Q(streaming=True, latency_ms__isnull=False, ttft_ms__isnull=False)
    return {
        "calls": Count("id"),
        "errors": _count_if(Q(status__in=ERROR_STATUSES)),
        "cache_hits": _count_if(Q(cache_hit=True)),
        "fallback_calls": _count_if(Q(fallback_used=True)),
        "streaming_calls": _count_if(Q(streaming=True)),
        "estimated_usage_calls": _count_if(Q(usage_estimated=True)),
        "input_tokens": Coalesce(Sum("input_tokens"), 0),
        "cached_input_tokens": Coalesce(Sum("cached_input_tokens"), 0),
        "output_tokens": Coalesce(Sum("output_tokens"), 0),
        "reasoning_tokens": Coalesce(Sum("reasoning_tokens"), 0),
        "compression_saved_tokens": Coalesce(Sum("compression_saved_tokens"), 0),
        "cost": Sum("cost"),
        "cost_saved": Sum("cost_saved"),
        "latency_count": Count("latency_ms"),
        "latency_sum_ms": Coalesce(Sum("latency_ms"), 0),
        "ttft_count": Count("ttft_ms"),
        "ttft_sum_ms": Coalesce(Sum("ttft_ms"), 0),
        "queue_count": Count("queue_ms"),
        "queue_sum_ms": Coalesce(Sum("queue_ms"), 0),
        "stream_timed_count": _count_if(streamed_with_timings),
        "stream_latency_sum_ms": _sum_if(streamed_with_timings, "latency_ms"),
        "stream_ttft_sum_ms": _sum_if(streamed_with_timings, "ttft_ms"),
        **bucket_aggregates(source_field="latency_ms", prefix="latency"),
        **bucket_aggregates(source_field="ttft_ms", prefix="ttft"),
    }


def _rollup_aggregates() -> dict[str, Any]:
    """Every SpendMetrics column as a sum over finer rollup rows."""
    return {name: Sum(name) for name in METRIC_FIELDS}


def _run_key(name: str) -> Any:
    # AiRun allows NULL tenants and users; rollups store NO_ID so unique keys hold.
    return Coalesce(name, Value(NO_ID)) if name in {"tenant_id", "user_id"} else F(name)


def finished_runs() -> QuerySet[AiRun]:
    """Runs the rollups count: everything but those still running (a running row has no outcome yet)."""
    return AiRun.objects.exclude(status=AiRun.Status.RUNNING)


def _insert_grouped(
    *, target: type[Model], source: QuerySet[Any], keys: dict[str, Any], aggregates: dict[str, Any]
) -> int:
    """INSERT the GROUP BY of `source` into `target`: keys and aggregates are named after target columns.

    In one statement (INSERT ... SELECT, standard SQL on SQLite and PostgreSQL) when both tables share
    a database; otherwise (AiRun in its own database) streamed through Python in batches.
    """
    key_aliases = {f"k_{name}": expression for name, expression in keys.items()}
    aggregate_aliases = {f"m_{name}": expression for name, expression in aggregates.items()}
    grouped = source.order_by().annotate(**key_aliases).values(*key_aliases).annotate(**aggregate_aliases)
    columns = [*keys, *aggregates]
    aliases = [*key_aliases, *aggregate_aliases]
    target_db = router.db_for_write(target)
    if (source.db or "default") == target_db:
        connection = connections[target_db]
        quote = connection.ops.quote_name
        select_sql, params = grouped.query.sql_with_params()
        column_names = {field.name: field.column for field in target._meta.concrete_fields}
        # Only quoted identifiers are interpolated; every value stays a query parameter.
        sql = (
            f"INSERT INTO {quote(target._meta.db_table)} ({', '.join(quote(column_names[c]) for c in columns)}) "  # noqa: S608
            f"SELECT {', '.join(quote(alias) for alias in aliases)} FROM ({select_sql}) grouped"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return max(cursor.rowcount, 0)
    written = 0
    batch: list[Model] = []
    for row in grouped.iterator(chunk_size=BATCH_SIZE):
        batch.append(target(**{column: row[alias] for column, alias in zip(columns, aliases, strict=True)}))
        if len(batch) >= BATCH_SIZE:
            written += len(target._default_manager.bulk_create(batch))
            batch = []
    return written + len(target._default_manager.bulk_create(batch))


def _recompute_hour_range(*, start: datetime, end: datetime) -> int:
    HourlySpend.objects.filter(hour__gte=start, hour__lt=end).delete()
    return _insert_grouped(
        target=HourlySpend,
        source=finished_runs().filter(created_at__gte=start, created_at__lt=end),
        keys={"hour": TruncHour("created_at", tzinfo=UTC), **{name: _run_key(name) for name in HourlySpend.DIMENSIONS}},
        aggregates=_run_aggregates(),
    )


def _recompute_hours(hours: Iterable[datetime]) -> int:
    # Affected hours are few and scattered; one indexed range query each.
    return sum(_recompute_hour_range(start=hour, end=hour + HOUR) for hour in sorted(set(hours)))


def _utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _recompute_day_range(*, first: date, last: date) -> int:
    """Rebuild every daily grain of whole UTC days [first, last]: the finest from AiRun, the rest from it."""
    start, end = _utc_midnight(first), _utc_midnight(last + timedelta(days=1))
    for model in DAILY_GRAINS:
        model._default_manager.filter(day__gte=first, day__lte=last).delete()
    written = _insert_grouped(
        target=DailySpend,
        source=finished_runs().filter(created_at__gte=start, created_at__lt=end),
        keys={"day": TruncDate("created_at", tzinfo=UTC), **{name: _run_key(name) for name in DailySpend.DIMENSIONS}},
        aggregates=_run_aggregates(),
    )
    finest = DailySpend.objects.filter(day__gte=first, day__lte=last)
    for model in DAILY_GRAINS:
        if model is not DailySpend:
            written += _insert_grouped(
                target=model,
                source=finest,
                keys={"day": F("day"), **{name: F(name) for name in model.DIMENSIONS}},
                aggregates=_rollup_aggregates(),
            )
    return written


def _recompute_days(days: Iterable[date]) -> int:
    return sum(_recompute_day_range(first=day, last=day) for day in sorted(set(days)))


def _subject_aggregates() -> dict[str, Any]:
    return {
        "calls": Count("id"),
        "errors": _count_if(Q(status__in=ERROR_STATUSES)),
        "input_tokens": Coalesce(Sum("input_tokens"), 0),
        "output_tokens": Coalesce(Sum("output_tokens"), 0),
        "cost": Sum("cost"),
        "first_run_at": Min("created_at"),
        "last_run_at": Max("created_at"),
    }


def _insert_subjects(runs: QuerySet[AiRun]) -> int:
    return _insert_grouped(
        target=SubjectSpend,
        source=runs.exclude(subject_type=""),
        keys={"subject_type": F("subject_type"), "subject_id": F("subject_id"), "tenant_id": _run_key("tenant_id")},
        aggregates=_subject_aggregates(),
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
            written += _insert_subjects(finished_runs().filter(subject_type=subject_type, subject_id__in=chunk))
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
def rollups_rebuild(
    *, since: datetime | None = None, until: datetime | None = None, now: datetime | None = None
) -> RollupResult:
    """Recompute every rollup touching [since, until) from AiRun; both open means everything.

    A full rebuild also moves the refresh watermark to its own start: everything finished
    before then is counted, and later finishers are found by the next refresh.
    """
    started = now or timezone.now()
    if since is None and until is None:
        watermark, _ = RollupWatermark.objects.select_for_update().get_or_create(name=WATERMARK_NAME)
        watermark.finished_through = max(watermark.finished_through or started, started)
        watermark.refreshed_at = started
        watermark.save(update_fields=["finished_through", "refreshed_at"])
    runs = finished_runs()
    if since is None or until is None:
        bounds = runs.aggregate(first=Min("created_at"), last=Max("created_at"))
        if bounds["first"] is None:
            if since is None and until is None:
                for model in (HourlySpend, *DAILY_GRAINS, SubjectSpend):
                    model._default_manager.all().delete()
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
        subject_rows = _insert_subjects(runs)
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
        return rollups_rebuild(now=now)

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
