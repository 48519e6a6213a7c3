"""The rollups agree with AiRun exactly, however and whenever they are brought up to date."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from analytics.histograms import bucket_field_names, bucket_index
from analytics.models import DAILY_GRAINS, DailySpend, HourlySpend, RollupWatermark, SubjectSpend
from analytics.services.rollups import rollups_rebuild, rollups_refresh
from llm.models import AiRun
from tests.analytics.runs import RandomRunSpec, add_runs, make_run, random_runs

START = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
ON_POSTGRES = connection.vendor == "postgresql"


def assert_money_equal(actual: Decimal, expected: Decimal) -> None:
    # PostgreSQL sums NUMERIC exactly; SQLite stores decimals as REAL, so there it is to the cent.
    if ON_POSTGRES:
        assert actual == expected
    else:
        assert abs(actual - expected) < Decimal("0.005"), (actual, expected)


def snapshot(model: Any) -> list[tuple[Any, ...]]:
    fields = [field.attname for field in model._meta.concrete_fields if field.attname != "id"]
    return sorted(tuple(str(value) for value in row) for row in model.objects.values_list(*fields))


def raw_totals_by_key() -> dict[tuple[Any, ...], dict[str, Any]]:
    totals: dict[tuple[Any, ...], dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for run in AiRun.objects.exclude(status="running"):
        key = (run.created_at.date(), run.tenant_id or 0, run.user_id or 0, run.feature, run.model, run.status)
        entry = totals[key]
        entry["calls"] += 1
        entry["errors"] += run.status in {"failed", "lost"}
        entry["input_tokens"] += run.input_tokens
        entry["cached_input_tokens"] += run.cached_input_tokens
        entry["output_tokens"] += run.output_tokens
        entry["reasoning_tokens"] += run.reasoning_tokens
        entry["cost"] += run.cost
        entry["cost_saved"] += run.cost_saved
        entry["cache_hits"] += run.cache_hit
        entry["compression_saved_tokens"] += run.compression_saved_tokens
        entry["latency_sum_ms"] += run.latency_ms or 0
        entry["latency_count"] += run.latency_ms is not None
        entry["ttft_count"] += run.ttft_ms is not None
        if run.latency_ms is not None:
            entry[f"latency_b{bucket_index(run.latency_ms):02d}"] += 1
        if run.ttft_ms is not None:
            entry[f"ttft_b{bucket_index(run.ttft_ms):02d}"] += 1
    return totals


@pytest.mark.integration
@pytest.mark.django_db
def test_rollups_agree_with_raw_runs_to_the_cent() -> None:
    random_runs(RandomRunSpec(start=START, count=800))
    result = rollups_rebuild()
    assert result.daily_rows > 0

    raw = raw_totals_by_key()
    rolled: dict[tuple[Any, ...], dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for row in DailySpend.objects.all():
        entry = rolled[(row.day, row.tenant_id, row.user_id, row.feature, row.model, row.status)]
        for name in ("calls", "errors", "input_tokens", "cached_input_tokens", "output_tokens", "reasoning_tokens"):
            entry[name] += getattr(row, name)
        for name in ("cache_hits", "compression_saved_tokens", "latency_sum_ms", "latency_count", "ttft_count"):
            entry[name] += getattr(row, name)
        for name in (*bucket_field_names("latency"), *bucket_field_names("ttft")):
            entry[name] += getattr(row, name)
        entry["cost"] += row.cost
        entry["cost_saved"] += row.cost_saved

    assert rolled.keys() == raw.keys()
    for key, expected in raw.items():
        actual = rolled[key]
        for name, value in expected.items():
            if name in {"cost", "cost_saved"}:
                assert_money_equal(actual[name], value)
            else:
                assert actual[name] == value, (key, name)

    finished = AiRun.objects.exclude(status="running")
    raw_cost = sum((run.cost for run in finished), Decimal(0))
    raw_latency = sorted(bucket_index(run.latency_ms) for run in finished if run.latency_ms is not None)
    for grain in (HourlySpend, *DAILY_GRAINS):  # every grain holds the same totals
        rows = list(grain._default_manager.all())
        assert sum(row.calls for row in rows) == finished.count(), grain.__name__
        assert_money_equal(sum((row.cost for row in rows), Decimal(0)), raw_cost)
        latency_counts = [sum(getattr(row, name) for row in rows) for name in bucket_field_names("latency")]
        assert latency_counts == [raw_latency.count(index) for index in range(len(latency_counts))], grain.__name__
    assert sum(row.calls for row in SubjectSpend.objects.all()) == finished.exclude(subject_type="").count()
    assert AiRun.objects.filter(status="running").exists(), "the data set must include running rows"


@pytest.mark.django_db
def test_incremental_refresh_matches_full_rebuild_with_late_finishers() -> None:
    base = START + timedelta(days=2)
    random_runs(RandomRunSpec(start=base - timedelta(hours=30), hours=28, count=200, seed=11))
    straggler = make_run(created_at=base - timedelta(hours=3), status="running", cost=Decimal(0))
    rollups_refresh(now=base)  # first refresh: a full rebuild, the watermark starts at `base`
    straggler_hour = HourlySpend.objects.filter(hour=base - timedelta(hours=3))
    cost_before = sum((row.cost for row in straggler_hour), Decimal(0))

    # New runs finish after the watermark, in no particular id order, some created hours earlier.
    later = random_runs(RandomRunSpec(start=base - timedelta(hours=2), hours=2, count=120, seed=12))
    for run in later:
        run.finished_at = base + timedelta(minutes=run.pk % 50) if run.status != "running" else None
    AiRun.objects.bulk_update(later, ["finished_at"])
    # The straggler created three hours ago finishes now: its old hour must be recomputed.
    AiRun.objects.filter(pk=straggler.pk).update(
        status="succeeded", cost=Decimal("1.25000000"), finished_at=base + timedelta(minutes=55)
    )
    rollups_refresh(now=base + timedelta(hours=1))
    rollups_refresh(now=base + timedelta(hours=1, seconds=30))  # a retry changes nothing

    assert_money_equal(sum((row.cost for row in straggler_hour.all()), Decimal(0)), cost_before + Decimal("1.25"))
    incremental = {model: snapshot(model) for model in (HourlySpend, *DAILY_GRAINS, SubjectSpend)}

    call_command("rebuild_rollups", verbosity=0)
    for model, rows in incremental.items():
        assert snapshot(model) == rows, model.__name__


@pytest.mark.django_db
def test_rebuild_of_a_range_leaves_other_hours_alone() -> None:
    add_runs([])
    make_run(created_at=START + timedelta(hours=1), cost=Decimal("0.10000000"))
    make_run(created_at=START + timedelta(hours=5), cost=Decimal("0.20000000"))
    rollups_rebuild()
    AiRun.objects.filter(created_at__gte=START + timedelta(hours=5)).update(cost=Decimal("0.30000000"))
    AiRun.objects.filter(created_at__lt=START + timedelta(hours=2)).update(cost=Decimal("9"))

    call_command("rebuild_rollups", since="2026-03-01T04:00:00Z", until="2026-03-01T06:00:00Z", verbosity=0)

    hourly = {row.hour: row.cost for row in HourlySpend.objects.all()}
    assert hourly == {START + timedelta(hours=1): Decimal("0.1"), START + timedelta(hours=5): Decimal("0.3")}
    # A day touched by the range is recomputed whole from AiRun, so it sees the other hour's change too.
    assert [row.cost for row in DailySpend.objects.all()] == [Decimal("9.3")]


@pytest.mark.django_db
def test_a_full_rebuild_moves_the_watermark_so_the_next_refresh_is_incremental() -> None:
    make_run(created_at=START, cost=Decimal("0.10000000"))
    rebuilt_at = START + timedelta(days=1)
    rollups_rebuild(now=rebuilt_at)
    assert RollupWatermark.objects.get().finished_through == rebuilt_at

    result = rollups_refresh(now=rebuilt_at + timedelta(minutes=1))
    assert result.hours == 0  # nothing finished since the rebuild started: no bucket recomputed
