"""Benchmark: the admin cost dashboard and the AiRun changelist at N runs (default ten million).

Starts a throwaway PostgreSQL, migrates, loads N AiRun rows with COPY, builds the rollups with
rebuild_rollups (timed), then times, as a staff user through Django's test client:
  - the dashboard page (last 30 days, and filtered to one company),
  - the AiRun changelist as llm/admin.py defines it (planner-estimated count): unfiltered, filtered,
    one month of the date hierarchy, a request-ID search; and, as its baseline, with Django's
    exact-count paginator,
and, as the baseline in the same run, the dashboard's numbers computed by GROUP BY over raw AiRun.

    .venv/bin/python bench/dashboard.py [--rows 10000000] [--days 180] [--requests 20]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench.report import write_results  # noqa: E402

FEATURES = [
    ("parse_cv", 0.30, "cv"),
    ("embed_cv", 0.20, "cv"),
    ("match_candidate", 0.15, "job"),
    ("recruiter_lens", 0.08, "job"),
    ("resume_chat", 0.12, "cv"),
    ("generate_job_metadata", 0.05, "job"),
    ("generate_interview_feedback", 0.04, "candidate"),
    ("generate_department_profile", 0.02, ""),
    ("extract_company_info", 0.02, ""),
    ("playground", 0.02, ""),
]
# (provider, model, $ per million input, $ per million output, typical latency ms)
MODELS = [
    ("openai", "gpt-4o-mini", 0.15, 0.60, 900),
    ("openai", "gpt-4o", 2.50, 10.00, 1800),
    ("openai", "text-embedding-3-small", 0.02, 0.0, 150),
    ("openrouter", "anthropic/claude-3.5-haiku", 0.80, 4.00, 1200),
    ("openrouter", "meta-llama/llama-3.1-70b", 0.35, 0.40, 1500),
    ("local", "local", 0.0, 0.0, 20),
]
STATUSES = [
    ("succeeded", 0.905),
    ("cached", 0.04),
    ("failed", 0.02),
    ("refused", 0.01),
    ("cancelled", 0.01),
    ("lost", 0.005),
    ("running", 0.01),
]
ERROR_CODES = ["timeout", "rate_limited", "provider_5xx", "invalid_json", "connection_reset"]
COPY_COLUMNS = [
    "feature", "tenant_id", "user_id", "provider", "model", "prompt_slug", "prompt_version", "status",
    "input_tokens", "cached_input_tokens", "output_tokens", "reasoning_tokens", "usage_estimated", "cost",
    "cost_saved", "latency_ms", "ttft_ms", "queue_ms", "streaming", "attempts", "fallback_used", "error_code",
    "error_message", "request_id", "subject_type", "subject_id", "compression_saved_tokens", "cache_hit",
    "created_at", "finished_at",
]  # fmt: skip


def p50(samples: list[float]) -> float:
    return round(statistics.median(samples), 1)


def timed(action: Callable[[], Any], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def generate_lines(
    *, rows: int, days: int, tenants: int, users_per_tenant: int, end: datetime, seed: int, chunk: int
) -> Iterator[tuple[str, int]]:
    """Tab-separated COPY lines, `chunk` rows at a time. Each user sticks to a few features."""
    rng = random.Random(seed)
    span = days * 86400
    start = end - timedelta(seconds=span)
    feature_names = [f for f, _, _ in FEATURES]
    feature_weights = [w for _, w, _ in FEATURES]
    subject_of = {f: s for f, _, s in FEATURES}
    status_names = [s for s, _ in STATUSES]
    status_weights = [w for _, w in STATUSES]
    plan_models = {  # the router's choice by tenant plan, as data
        "free": [0, 2, 5],
        "pro": [0, 1, 2, 3],
        "enterprise": [1, 2, 3, 4],
    }
    tenant_plans = [rng.choice(["free", "free", "pro", "enterprise"]) for _ in range(tenants)]
    made = 0
    while made < rows:
        n = min(chunk, rows - made)
        offsets = sorted(rng.randrange(span) for _ in range(n))
        features = rng.choices(feature_names, feature_weights, k=n)
        statuses = rng.choices(status_names, status_weights, k=n)
        buffer = io.StringIO()
        write = buffer.write
        for i in range(n):
            tenant = rng.randrange(tenants)
            user_id = tenant * users_per_tenant + rng.randrange(users_per_tenant) + 1
            feature = features[i]
            status = statuses[i]
            candidates = plan_models[tenant_plans[tenant]]
            model_index = 2 if feature == "embed_cv" else candidates[rng.randrange(len(candidates))]
            if model_index == 2 and feature != "embed_cv":
                model_index = 0
            fallback = rng.random() < 0.03
            if fallback:
                model_index = 5
            provider, model, in_price, out_price, typical = MODELS[model_index]
            input_tokens = rng.randrange(200, 6000)
            output_tokens = 0 if feature == "embed_cv" else rng.randrange(20, 1200)
            cached_input = input_tokens // 2 if rng.random() < 0.2 else 0
            reasoning = output_tokens // 3 if model == "gpt-4o" and rng.random() < 0.3 else 0
            streaming = feature in ("resume_chat", "generate_job_metadata", "generate_interview_feedback")
            provider_ms = int(rng.lognormvariate(0, 0.6) * typical) + 5
            latency: int | None = provider_ms
            ttft = int(provider_ms * rng.uniform(0.1, 0.4)) if streaming else None
            queue = rng.randrange(0, 400) if feature in ("parse_cv", "embed_cv") else rng.randrange(0, 20)
            cost = (input_tokens - cached_input) * in_price + cached_input * in_price / 2 + output_tokens * out_price
            cost_saved = 0.0
            error_code = ""
            if status == "cached":
                cost_saved, cost, latency, ttft = cost, 0.0, rng.randrange(2, 15), None
            elif status in ("refused", "running"):
                cost, output_tokens, reasoning, latency, ttft = 0.0, 0, 0, None, None
            elif status in ("failed", "lost"):
                error_code = "lost" if status == "lost" else ERROR_CODES[rng.randrange(len(ERROR_CODES))]
                cost, output_tokens, reasoning = cost * 0.2, output_tokens // 5, 0
            created = start + timedelta(seconds=offsets[i], microseconds=rng.randrange(1_000_000))
            finished = "\\N" if status == "running" else (created + timedelta(milliseconds=latency or 0)).isoformat()
            subject = subject_of[feature]
            write(
                f"{feature}\t{tenant + 1}\t{user_id}\t{provider}\t{model}\t{feature}\t1\t{status}\t"
                f"{input_tokens}\t{cached_input}\t{output_tokens}\t{reasoning}\t{'t' if status == 'lost' else 'f'}\t"
                f"{cost / 1e6:.8f}\t{cost_saved / 1e6:.8f}\t{latency if latency is not None else chr(92) + 'N'}\t"
                f"{ttft if ttft is not None else chr(92) + 'N'}\t{queue}\t{'t' if streaming else 'f'}\t"
                f"{1 + (status == 'failed')}\t{'t' if fallback else 'f'}\t{error_code}\t"
                f"{'upstream error' if error_code else ''}\treq-{made + i}\t{subject}\t"
                f"{rng.randrange(1, 200_000) if subject else ''}\t{rng.randrange(0, 300) if rng.random() < 0.3 else 0}\t"
                f"{'t' if status == 'cached' else 'f'}\t{created.isoformat()}\t{finished}\n"
            )
        made += n
        yield buffer.getvalue(), n


def load_runs(*, rows: int, days: int, tenants: int, users_per_tenant: int, end: datetime) -> dict[str, float]:
    from django.db import connection

    from llm.models import AiRun

    table = AiRun._meta.db_table
    timings: dict[str, float] = {}
    with connection.cursor() as cursor:
        # Loading into an unindexed table and indexing afterwards is how one bulk-loads PostgreSQL.
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE %s",
            [table, "%pkey"],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    started = time.perf_counter()
    raw = connection.connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
        loaded = 0
        for block, count in generate_lines(
            rows=rows, days=days, tenants=tenants, users_per_tenant=users_per_tenant, end=end, seed=42, chunk=100_000
        ):
            copy.write(block)
            loaded += count
            if loaded % 1_000_000 == 0:
                print(f"  copied {loaded:,} rows ({time.perf_counter() - started:.0f}s)", flush=True)
    raw.commit()
    timings["copy_s"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"VACUUM ANALYZE {table}")
    timings["index_s"] = time.perf_counter() - started
    return timings


def create_people(*, tenants: int, users_per_tenant: int) -> Any:
    from django.contrib.auth import get_user_model

    from recruiting.models import Company

    Company.objects.bulk_create(
        [Company(id=i + 1, name=f"Company {i + 1:04d}", slug=f"company-{i + 1}") for i in range(tenants)]
    )
    user_model = get_user_model()
    user_model.objects.bulk_create(
        [user_model(id=i + 1, username=f"user{i + 1}") for i in range(tenants * users_per_tenant)], batch_size=5000
    )
    from django.db import connection

    with connection.cursor() as cursor:  # explicit ids above: move the sequences past them
        for model in (Company, user_model):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), (SELECT max(id) FROM {model._meta.db_table}))"
            )
    return user_model.objects.create_superuser("bench-staff", "staff@example.com", "bench-password")


def baseline_dashboard(*, date_from: datetime, date_to: datetime) -> None:
    """The same numbers as the dashboard, by GROUP BY over raw AiRun (what the rollups replace)."""
    from django.db.models import Count, Sum
    from django.db.models.functions import TruncDate

    from llm.models import AiRun

    runs = AiRun.objects.filter(created_at__gte=date_from, created_at__lt=date_to).exclude(status="running")
    sums = {"cost": Sum("cost"), "calls": Count("id"), "input": Sum("input_tokens"), "output": Sum("output_tokens")}
    runs.aggregate(**sums, cached=Sum("cached_input_tokens"), saved=Sum("cost_saved"), latency=Sum("latency_ms"))
    list(runs.annotate(day=TruncDate("created_at")).values("day", "feature").annotate(**sums).order_by())
    for dimension in ("model", "provider", "feature"):
        list(runs.values(dimension).annotate(**sums).order_by("-cost"))
    list(runs.values("tenant_id").annotate(**sums).order_by("-cost")[:10])
    list(runs.values("tenant_id", "user_id").annotate(**sums).order_by("-cost")[:10])
    list(runs.filter(status__in=("failed", "lost")).order_by("-created_at")[:15])


def profile_queries(action: Callable[[], Any]) -> None:
    """Print the slowest SQL statements of one request."""
    from django.db import connection

    spent: list[tuple[float, str]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(wrapper):
        action()
    for ms, sql in sorted(spent, reverse=True)[:8]:
        print(f"  {ms:8.1f} ms  {sql[:300]}")
    print(f"  {len(spent)} queries, {sum(ms for ms, _ in spent):.1f} ms in SQL")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=180, help="the runs are spread over this many days up to now")
    parser.add_argument("--tenants", type=int, default=300)
    parser.add_argument("--users-per-tenant", type=int, default=8)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--baseline-repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print the slowest queries of one request per page")
    args = parser.parse_args()

    from tests.plugins.services import start_postgres

    postgres = start_postgres()
    try:
        import psycopg

        with psycopg.connect(postgres.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin_connection:
            admin_connection.execute("CREATE DATABASE headhunter")
        os.environ.update(
            DATABASE_URL=postgres.url,
            DJANGO_SETTINGS_MODULE="config.settings",
            ALLOWED_HOSTS="testserver,127.0.0.1",
            CELERY_TASK_ALWAYS_EAGER="1",
        )
        os.environ.pop("REDIS_URL", None)
        import django

        django.setup()
        run(args, postgres_version=postgres.version)
    finally:
        postgres.stop()


def run(args: argparse.Namespace, *, postgres_version: str) -> None:
    from django.contrib import admin
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from analytics.services.rollups import rollups_refresh
    from llm.models import AiRun

    call_command("migrate", verbosity=0)
    staff = create_people(tenants=args.tenants, users_per_tenant=args.users_per_tenant)
    now = timezone.now()
    print(f"loading {args.rows:,} AiRun rows over {args.days} days with COPY…", flush=True)
    load = load_runs(
        rows=args.rows, days=args.days, tenants=args.tenants, users_per_tenant=args.users_per_tenant, end=now
    )
    print(f"  COPY {load['copy_s']:.0f}s, indexes + ANALYZE {load['index_s']:.0f}s", flush=True)

    started = time.perf_counter()
    call_command("rebuild_rollups")
    rebuild_s = time.perf_counter() - started
    rollups_refresh()  # the full rebuild set the watermark: this one is incremental already
    from analytics.models import DailySpend, HourlySpend

    client = Client()
    client.force_login(staff)
    dashboard_url = reverse("admin:analytics_dashboard")
    changelist_url = reverse("admin:llm_airun_changelist")
    month_ago = (now - timedelta(days=29)).date()
    filtered_query = {
        "feature__exact": "parse_cv",
        "created_at__gte": datetime(month_ago.year, month_ago.month, month_ago.day, tzinfo=UTC).isoformat(),
    }

    def get(url: str, params: dict[str, Any] | None = None) -> None:
        response = client.get(url, params or {})
        assert response.status_code == 200, (url, response.status_code)

    def incremental_refresh() -> None:
        rollups_refresh()

    get(dashboard_url)  # warm caches and templates once
    if args.profile:
        profile_queries(lambda: get(dashboard_url))
        profile_queries(lambda: get(changelist_url))
    figures: dict[str, float] = {}
    figures["dashboard_p50_ms"] = p50(timed(lambda: get(dashboard_url), args.requests))
    figures["dashboard_company_p50_ms"] = p50(timed(lambda: get(dashboard_url, {"company": 7}), args.requests))
    figures["dashboard_htmx_p50_ms"] = p50(
        timed(lambda: client.get(dashboard_url, {"company": 7}, headers={"HX-Request": "true"}), args.requests)
    )
    figures["rollups_incremental_refresh_p50_ms"] = p50(timed(incremental_refresh, args.requests))

    model_admin = admin.site._registry[AiRun]
    print("timing the AiRun changelist as llm/admin.py defines it…", flush=True)
    figures["changelist_p50_ms"] = p50(timed(lambda: get(changelist_url), args.requests))
    figures["changelist_filtered_p50_ms"] = p50(timed(lambda: get(changelist_url, filtered_query), args.requests))
    figures["changelist_month_p50_ms"] = p50(
        timed(
            lambda: get(changelist_url, {"created_at__year": now.year, "created_at__month": now.month}), args.requests
        )
    )
    some_request_id = AiRun.objects.filter(feature="parse_cv").values_list("request_id", flat=True)[:1].get()
    figures["changelist_search_request_id_p50_ms"] = p50(
        timed(lambda: get(changelist_url, {"q": some_request_id}), args.requests)
    )
    # The baseline: the same changelist with Django's exact-count paginator.
    original_paginator = model_admin.paginator
    setattr(model_admin, "paginator", Paginator)  # noqa: B010 (an instance override, for this run only)
    figures["changelist_exact_count_p50_ms"] = p50(timed(lambda: get(changelist_url), args.requests))
    figures["changelist_filtered_exact_count_p50_ms"] = p50(
        timed(lambda: get(changelist_url, filtered_query), args.requests)
    )
    setattr(model_admin, "paginator", original_paginator)  # noqa: B010

    print("timing the baseline (dashboard numbers by GROUP BY over raw AiRun)…", flush=True)
    today = now.date()
    day_after = datetime(today.year, today.month, today.day, tzinfo=UTC) + timedelta(days=1)
    baseline = timed(
        lambda: baseline_dashboard(date_from=day_after - timedelta(days=30), date_to=day_after), args.baseline_repeats
    )
    figures["baseline_raw_groupby_p50_ms"] = p50(baseline)
    figures["baseline_over_dashboard"] = round(figures["baseline_raw_groupby_p50_ms"] / figures["dashboard_p50_ms"], 1)
    figures["rows"] = AiRun.objects.count()
    figures["rebuild_rollups_s"] = round(rebuild_s, 1)
    figures["copy_s"] = round(load["copy_s"], 1)
    figures["hourly_rollup_rows"] = HourlySpend.objects.count()
    figures["daily_rollup_rows"] = DailySpend.objects.count()

    out = BASE_DIR / "bench" / "results" / "dashboard.json"
    write_results(
        out,
        bench="dashboard",
        machine={"postgresql": postgres_version},
        params={
            "rows": args.rows,
            "days": args.days,
            "tenants": args.tenants,
            "users_per_tenant": args.users_per_tenant,
            "requests": args.requests,
            "dashboard_range_days": 30,
            "changelist_filter": "feature=parse_cv, last 30 days",
            "client": "django.test.Client (in-process, no network)",
        },
        figures=figures,
        goals={
            "dashboard_p50_ms": "<= 300",
            "changelist_p50_ms": "<= 500",
            "changelist_filtered_p50_ms": "<= 500",
            "changelist_month_p50_ms": "<= 500",
            "changelist_search_request_id_p50_ms": "<= 500",
        },
    )
    print(json.dumps(figures, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
