"""The ten analyses (seed 003) on a small data set whose answers are worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from analytics.selectors import analyses
from analytics.selectors.spend import SpendFilters
from analytics.services.rollups import rollups_rebuild
from tests.analytics.runs import make_run

DAY = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)
FILTERS = SpendFilters(date_from=date(2026, 4, 10), date_to=date(2026, 4, 10))


@pytest.fixture
def runs(db: None) -> None:
    for index, latency in enumerate((100, 200, 300)):
        make_run(
            created_at=DAY + timedelta(minutes=index),
            feature="parse_cv",
            cost=Decimal("0.10"),
            input_tokens=1000,
            output_tokens=100,
            latency_ms=latency,
            queue_ms=50,
            subject_type="job",
            subject_id="1" if index < 2 else "2",
        )
    for index in range(2):
        make_run(
            created_at=DAY + timedelta(minutes=10 + index),
            feature="resume_chat",
            model="gpt-4o",
            streaming=True,
            cost=Decimal("0.50"),
            input_tokens=2000,
            cached_input_tokens=500,
            output_tokens=500,
            reasoning_tokens=100,
            latency_ms=1000,
            ttft_ms=200,
            queue_ms=10,
            compression_saved_tokens=500,
        )
    make_run(
        created_at=DAY + timedelta(minutes=20),
        status="cached",
        cache_hit=True,
        cost=Decimal(0),
        cost_saved=Decimal("0.10"),
        latency_ms=5,
    )
    make_run(
        created_at=DAY + timedelta(minutes=30),
        status="failed",
        provider="openrouter",
        model="llama-3-70b",
        error_code="timeout",
        cost=Decimal(0),
        latency_ms=30_000,
    )
    make_run(created_at=DAY - timedelta(days=1), cost=Decimal("0.70"))  # the day before: the trend's baseline
    rollups_rebuild()


def test_cost_per_object(runs: None) -> None:
    result = analyses.cost_per_object(subject_type="job")
    assert (result.objects, result.total_cost, result.average_cost) == (2, Decimal("0.3"), Decimal("0.15"))
    assert [(o.subject_id, o.calls, o.cost) for o in result.most_expensive] == [
        ("1", 2, Decimal("0.2")),
        ("2", 1, Decimal("0.1")),
    ]


def test_model_selection_share(runs: None) -> None:
    shares = {(s.provider, s.model): s for s in analyses.model_selection_share(filters=FILTERS)}
    assert shares[("openai", "gpt-4o-mini")].calls == 4
    assert shares[("openai", "gpt-4o-mini")].call_share == pytest.approx(4 / 7)
    assert shares[("openai", "gpt-4o")].cost_share == pytest.approx(1.0 / 1.3)
    assert shares[("openrouter", "llama-3-70b")].cost == 0


def test_feature_performance(runs: None) -> None:
    by_feature = {group.key["feature"]: group for group in analyses.feature_performance(filters=FILTERS)}
    parse = by_feature["parse_cv"]
    assert (parse.calls, parse.errors, parse.cost) == (5, 1, Decimal("0.3"))
    assert parse.error_rate == pytest.approx(0.2)
    assert parse.latency_p50_ms is not None and 100 <= parse.latency_p50_ms <= 300
    # The timeout sits in the [30 s, 60 s) bucket; p95 interpolates 3/4 of the way into it.
    assert parse.latency_p95_ms == 52_500


def test_cache_effectiveness(runs: None) -> None:
    result = analyses.cache_effectiveness(filters=FILTERS)
    assert (result.cache_hits, result.cost_saved) == (1, Decimal("0.1"))
    assert result.hit_rate == pytest.approx(1 / 7)
    assert result.saved_share == pytest.approx(0.1 / 1.4)


def test_cost_trend(runs: None) -> None:
    result = analyses.cost_trend(filters=FILTERS)
    assert result.days == [(date(2026, 4, 10), Decimal("1.3"), 7)]
    assert result.previous_total == Decimal("0.7")
    assert result.change == pytest.approx(0.6 / 0.7)


def test_provider_comparison(runs: None) -> None:
    providers = {group.key["provider"]: group for group in analyses.provider_comparison(filters=FILTERS)}
    assert providers["openrouter"].error_rate == 1.0 and providers["openai"].error_rate == 0.0
    assert providers["openai"].avg_cost_per_call == Decimal("1.3") / 6


def test_token_efficiency(runs: None) -> None:
    rows = {(row.feature, row.model): row for row in analyses.token_efficiency(filters=FILTERS)}
    chat = rows[("resume_chat", "gpt-4o")]
    assert chat.output_per_input == pytest.approx(0.25)
    assert chat.cached_input_share == pytest.approx(0.25)
    assert chat.reasoning_share == pytest.approx(0.2)
    assert chat.cost_per_1k_tokens == Decimal("0.2")  # $1.00 for 5,000 tokens


def test_compression_effectiveness(runs: None) -> None:
    rows = {row.feature: row for row in analyses.compression_effectiveness(filters=FILTERS)}
    assert rows["resume_chat"].saved_tokens == 1000
    assert rows["resume_chat"].saved_share == pytest.approx(1000 / 5000)


def test_error_analysis(runs: None) -> None:
    errors = analyses.error_analysis(filters=FILTERS)
    assert [(e.status, e.error_code, e.provider, e.calls) for e in errors] == [("failed", "timeout", "openrouter", 1)]
    assert errors[0].share_of_all_calls == pytest.approx(1 / 7)


def test_cycle_breakdown(runs: None) -> None:
    rows = {row.feature: row for row in analyses.cycle_breakdown(filters=FILTERS)}
    chat = rows["resume_chat"]
    assert (chat.avg_queue_ms, chat.avg_provider_ms, chat.avg_streaming_ms) == (10, 200, 800)
    assert chat.avg_total_ms == 1010
    parse = rows["parse_cv"]
    assert parse.avg_streaming_ms is None
    assert parse.avg_provider_ms == pytest.approx((100 + 200 + 300 + 5 + 30_000) / 5)
