"""The AiRun changelist: its filters, calendar, search and count never read the whole table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.pagination import EXACT_COUNT_BELOW, EstimatedCountPaginator
from llm.admin_changelist import periods_between
from llm.models import AiRun
from tests.analytics.runs import make_run

CHANGELIST = "admin:llm_airun_changelist"


def airun_scans(queries: list[dict[str, str]]) -> list[str]:
    """Queries that read every AiRun row: a DISTINCT or a COUNT over the table."""
    return [
        q["sql"]
        for q in queries
        if '"llm_airun"' in q["sql"] and ("DISTINCT" in q["sql"].upper() or "COUNT(" in q["sql"].upper())
    ]


@pytest.mark.django_db
def test_filters_calendar_and_search_work_without_scanning_runs(staff_client: Client) -> None:
    march = datetime(2026, 3, 10, 12, tzinfo=UTC)
    make_run(created_at=march, feature="parse_cv", request_id="req-parse")
    make_run(created_at=march + timedelta(days=40), feature="resume_chat", request_id="req-chat", model="gpt-4o")

    with CaptureQueriesContext(connection) as queries:
        page = staff_client.get(reverse(CHANGELIST))
    assert page.status_code == 200
    body = page.content.decode()
    # The calendar spans the runs' months (March and April 2026: one year, so it opens at months).
    assert "March" in body and "April" in body
    # Filter choices come from the catalog: features with prompts, the seeded models.
    assert "?feature__exact=generate_interview_feedback" in body
    assert "?model__exact=gpt-4o-mini" in body
    # On SQLite the paginator counts exactly (cheap there); DISTINCTs are gone either way.
    assert not [sql for sql in airun_scans(queries.captured_queries) if "DISTINCT" in sql.upper()]

    filtered = staff_client.get(reverse(CHANGELIST), {"feature__exact": "resume_chat"})
    assert list(filtered.context["cl"].result_list) == list(AiRun.objects.filter(feature="resume_chat"))

    found = staff_client.get(reverse(CHANGELIST), {"q": " req-parse "})
    assert [run.request_id for run in found.context["cl"].result_list] == ["req-parse"]
    assert list(staff_client.get(reverse(CHANGELIST), {"q": "REQ-PARSE"}).context["cl"].result_list) == []

    by_month = staff_client.get(reverse(CHANGELIST), {"created_at__year": "2026", "created_at__month": "4"})
    assert [run.feature for run in by_month.context["cl"].result_list] == ["resume_chat"]


def test_periods_between_covers_every_period_in_order() -> None:
    first = datetime(2025, 11, 30, 18, tzinfo=UTC)
    last = datetime(2026, 2, 1, 3, tzinfo=UTC)
    assert [p.year for p in periods_between(first, last, "year")] == [2025, 2026]
    assert [(p.year, p.month) for p in periods_between(first, last, "month")] == [
        (2025, 11),
        (2025, 12),
        (2026, 1),
        (2026, 2),
    ]
    days = list(periods_between(first, last, "day"))
    assert days[0] == datetime(2025, 11, 30, tzinfo=UTC) and days[-1] == datetime(2026, 2, 1, tzinfo=UTC)
    assert len(days) == 64


@pytest.mark.integration
@pytest.mark.django_db
def test_large_result_is_estimated_by_the_planner_not_counted() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the estimate comes from PostgreSQL's planner")
    rows = EXACT_COUNT_BELOW * 2  # the parse_cv two thirds stay well above the exact-count threshold
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO llm_airun (feature, provider, model, prompt_slug, status, input_tokens,"
            " cached_input_tokens, output_tokens, reasoning_tokens, usage_estimated, cost, cost_saved, streaming,"
            " attempts, fallback_used, error_code, error_message, request_id, subject_type, subject_id,"
            " compression_saved_tokens, cache_hit, created_at)"
            " SELECT CASE WHEN i %% 3 = 0 THEN 'resume_chat' ELSE 'parse_cv' END, 'openai', 'gpt-4o-mini', '',"
            " 'succeeded', 10, 0, 5, 0, false, 0, 0, false, 1, false, '', '', '', '', '', 0, false,"
            " now() - (i || ' seconds')::interval FROM generate_series(1, %s) AS i",
            [rows],
        )
        cursor.execute("ANALYZE llm_airun")

    everything = EstimatedCountPaginator(AiRun.objects.all(), 100)
    parse_cv = EstimatedCountPaginator(AiRun.objects.filter(feature="parse_cv"), 100)
    with CaptureQueriesContext(connection) as queries:
        total, filtered = everything.count, parse_cv.count
    assert not airun_scans(queries.captured_queries)
    # Estimates, within a few percent of the truth.
    assert abs(total - rows) / rows < 0.05
    assert abs(filtered - rows * 2 / 3) / rows < 0.05
    small = EstimatedCountPaginator(AiRun.objects.filter(request_id="nope"), 100)
    assert small.count == 0  # a small estimate falls back to the exact count
