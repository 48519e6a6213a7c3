"""Everything the admin cost dashboard shows, read from the rollups (and one indexed AiRun query)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse

from analytics import charts
from analytics.models import NO_ID, Alert
from analytics.selectors.alerts import alert_banner_list
from analytics.selectors.budgets import BudgetStatus, budget_status_list
from analytics.selectors.spend import (
    LIST_MEASURES,
    SpendFilters,
    SpendTotals,
    daily_cost_by_feature,
    spend_dimension_values,
    spend_groups,
    spend_totals,
)
from analytics.services.rollups import ERROR_STATUSES
from llm.models import AiRun
from recruiting import selectors as recruiting_selectors

RECENT_ERRORS = 15
TOP_ROWS = 10
MENU_ROWS = 200


def _midnight(day: Any) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def airun_changelist_url(*, filters: SpendFilters, **extra: str) -> str:
    """The AiRun changelist narrowed to the same runs (local-field lookups the admin accepts)."""
    params: dict[str, str] = {
        "created_at__gte": _midnight(filters.date_from).isoformat(),
        "created_at__lt": _midnight(filters.date_to + timedelta(days=1)).isoformat(),
    }
    for name in ("tenant_id", "user_id"):
        value = getattr(filters, name)
        if value == NO_ID:
            params[f"{name}__isnull"] = "True"
        elif value is not None:
            params[f"{name}__exact"] = str(value)
    for name in ("feature", "model", "provider"):
        if getattr(filters, name):
            params[f"{name}__exact"] = getattr(filters, name)
    params.update(extra)
    return f"{reverse('admin:llm_airun_changelist')}?{urlencode(params)}"


def recent_errors(*, filters: SpendFilters, limit: int = RECENT_ERRORS) -> QuerySet[AiRun]:
    """The newest failed or lost runs: LIMIT + ORDER BY created_at DESC walks the created_at index."""
    runs = AiRun.objects.filter(
        status__in=ERROR_STATUSES,
        created_at__gte=_midnight(filters.date_from),
        created_at__lt=_midnight(filters.date_to + timedelta(days=1)),
    )
    for name in ("tenant_id", "user_id"):
        value = getattr(filters, name)
        if value == NO_ID:
            runs = runs.filter(**{f"{name}__isnull": True})
        elif value is not None:
            runs = runs.filter(**{name: value})
    for name in ("feature", "model", "provider"):
        if getattr(filters, name):
            runs = runs.filter(**{name: getattr(filters, name)})
    return runs.only(
        "id", "created_at", "feature", "provider", "model", "status", "error_code", "error_message", "tenant_id"
    ).order_by("-created_at")[:limit]


@dataclass
class NamedRow:
    name: str
    totals: SpendTotals
    drilldown_url: str


@dataclass
class BudgetRow:
    status: BudgetStatus
    owner: str


@dataclass
class Dashboard:
    filters: SpendFilters
    totals: SpendTotals
    cost_by_day_chart: charts.Chart
    tokens_chart: charts.Chart
    model_chart: charts.Chart
    provider_cost_chart: charts.Chart
    provider_latency_chart: charts.Chart
    provider_error_chart: charts.Chart
    providers: list[NamedRow]
    top_companies: list[NamedRow]
    top_users: list[NamedRow]
    features: list[NamedRow]
    recent_errors: list[AiRun]
    budgets: list[BudgetRow]
    alerts: list[Alert]
    company_options: list[tuple[int, str]]
    user_options: list[tuple[int, str]]
    feature_options: list[str]
    model_options: list[str]
    provider_options: list[str]
    company_names: dict[int, str]
    changelist_url: str
    errors_url: str


def _company_label(tenant_id: int, names: dict[int, str]) -> str:
    return "(no company)" if tenant_id == NO_ID else names.get(tenant_id, f"Company #{tenant_id}")


def _user_label(user_id: int, names: dict[int, str]) -> str:
    return "(no user)" if user_id == NO_ID else names.get(user_id, f"User #{user_id}")


def _with(filters: SpendFilters, **changes: Any) -> SpendFilters:
    return SpendFilters(**{**filters.__dict__, **changes})


def dashboard_get(*, filters: SpendFilters) -> Dashboard:
    totals = spend_totals(filters=filters)

    per_day = daily_cost_by_feature(filters=filters)
    days = [
        filters.date_from + timedelta(days=offset) for offset in range((filters.date_to - filters.date_from).days + 1)
    ]
    day_index = {day: index for index, day in enumerate(days)}
    features_seen = sorted({row.feature for row in per_day})
    cost_by_feature = {feature: [0.0] * len(days) for feature in features_seen}
    tokens_in, tokens_out = [0] * len(days), [0] * len(days)
    for row in per_day:
        cost_by_feature[row.feature][day_index[row.day]] += float(row.cost)
        tokens_in[day_index[row.day]] += row.input_tokens
        tokens_out[day_index[row.day]] += row.output_tokens
    day_labels = [f"{day:%b %d}" for day in days]

    models = spend_groups(filters=filters, by=("model",), limit=TOP_ROWS)
    providers = spend_groups(filters=filters, by=("provider",))
    # The menus list the biggest spenders of the date range; the tables show the top of the filtered view.
    unfiltered = SpendFilters(date_from=filters.date_from, date_to=filters.date_to)
    menu_companies = spend_groups(filters=unfiltered, by=("tenant_id",), limit=MENU_ROWS, measures=("cost",))
    menu_users = spend_groups(filters=unfiltered, by=("user_id",), limit=MENU_ROWS, measures=("cost",))
    companies = spend_groups(filters=filters, by=("tenant_id",), limit=TOP_ROWS, measures=LIST_MEASURES)
    users = spend_groups(filters=filters, by=("tenant_id", "user_id"), limit=TOP_ROWS, measures=LIST_MEASURES)
    features = spend_groups(filters=filters, by=("feature",), limit=TOP_ROWS)

    company_ids = [group.key["tenant_id"] for group in menu_companies]
    user_ids = [group.key["user_id"] for group in menu_users]
    if filters.tenant_id is not None and filters.tenant_id not in company_ids:
        company_ids.append(filters.tenant_id)
    if filters.user_id is not None and filters.user_id not in user_ids:
        user_ids.append(filters.user_id)
    company_names = recruiting_selectors.company_names(
        company_ids={*company_ids, *(c.key["tenant_id"] for c in companies)}
    )
    user_names = recruiting_selectors.user_names(user_ids={*user_ids, *(u.key["user_id"] for u in users)})

    errors = list(recent_errors(filters=filters))
    budgets = budget_status_list(tenant_id=filters.tenant_id or None, user_id=filters.user_id or None)
    budget_company_names = recruiting_selectors.company_names(company_ids={b.tenant_id for b in budgets if b.tenant_id})
    budget_user_names = recruiting_selectors.user_names(user_ids={b.user_id for b in budgets if b.user_id})

    return Dashboard(
        filters=filters,
        totals=totals,
        cost_by_day_chart=charts.column_chart(
            categories=day_labels,
            series=[charts.Series(feature, values) for feature, values in cost_by_feature.items()],
            stacked=True,
            fmt=charts.money,
        ),
        tokens_chart=charts.column_chart(
            categories=day_labels,
            series=[charts.Series("input", tokens_in), charts.Series("output", tokens_out)],
            stacked=False,
            fmt=charts.count,
        ),
        model_chart=charts.bar_list_chart(
            items=[(g.key["model"] or "(none)", g.cost) for g in models], fmt=charts.money
        ),
        provider_cost_chart=charts.bar_list_chart(
            items=[(g.key["provider"] or "(none)", g.cost) for g in providers], fmt=charts.money, width=300
        ),
        provider_latency_chart=charts.bar_list_chart(
            items=[(g.key["provider"] or "(none)", g.latency_p95_ms or 0) for g in providers],
            fmt=charts.milliseconds,
            width=300,
            color_index=1,
        ),
        provider_error_chart=charts.bar_list_chart(
            items=[(g.key["provider"] or "(none)", g.error_rate) for g in providers],
            fmt=charts.percent,
            width=300,
            color_index=3,
        ),
        providers=[
            NamedRow(g.key["provider"], g, airun_changelist_url(filters=_with(filters, provider=g.key["provider"])))
            for g in providers
        ],
        top_companies=[
            NamedRow(
                _company_label(g.key["tenant_id"], company_names),
                g,
                airun_changelist_url(filters=_with(filters, tenant_id=g.key["tenant_id"])),
            )
            for g in companies
        ],
        top_users=[
            NamedRow(
                f"{_user_label(g.key['user_id'], user_names)} · {_company_label(g.key['tenant_id'], company_names)}",
                g,
                airun_changelist_url(filters=_with(filters, tenant_id=g.key["tenant_id"], user_id=g.key["user_id"])),
            )
            for g in users
        ],
        features=[
            NamedRow(g.key["feature"], g, airun_changelist_url(filters=_with(filters, feature=g.key["feature"])))
            for g in features
        ],
        recent_errors=errors,
        budgets=[
            BudgetRow(
                status,
                " · ".join(
                    part
                    for part in (
                        _company_label(status.tenant_id, budget_company_names) if status.tenant_id else "",
                        _user_label(status.user_id, budget_user_names) if status.user_id else "",
                        status.feature,
                    )
                    if part
                )
                or "everyone",
            )
            for status in budgets
        ],
        alerts=list(alert_banner_list()),
        company_options=sorted(
            ((pk, _company_label(pk, company_names)) for pk in company_ids), key=lambda option: option[1].lower()
        ),
        user_options=sorted(
            ((pk, _user_label(pk, user_names)) for pk in user_ids), key=lambda option: option[1].lower()
        ),
        feature_options=sorted(spend_dimension_values(filters=filters, dimension="feature")),
        model_options=sorted(spend_dimension_values(filters=filters, dimension="model")),
        provider_options=sorted(spend_dimension_values(filters=filters, dimension="provider")),
        company_names=company_names,
        changelist_url=airun_changelist_url(filters=filters),
        errors_url=airun_changelist_url(filters=filters, status__in=",".join(ERROR_STATUSES)),
    )
