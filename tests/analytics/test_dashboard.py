"""The admin dashboard: access, filters, htmx partials, escaping, drill-downs and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from analytics.services.rollups import rollups_rebuild
from tests.analytics.runs import make_run
from tests.conftest import Tenant

DASHBOARD = "admin:analytics_dashboard"


@pytest.fixture
def spend(tenant_a: Tenant, tenant_b: Tenant) -> dict[str, Any]:
    now = timezone.now()
    make_run(
        created_at=now - timedelta(hours=1),
        tenant_id=tenant_a.company.pk,
        user_id=tenant_a.user.pk,
        cost=Decimal("1.50"),
    )
    make_run(
        created_at=now - timedelta(days=3),
        tenant_id=tenant_a.company.pk,
        user_id=tenant_a.user.pk,
        feature="<script>alert(1)</script>",
        status="failed",
        error_code="provider_5xx",
        error_message="<b>upstream</b> said no",
        cost=Decimal("0.25"),
    )
    make_run(
        created_at=now - timedelta(days=1),
        tenant_id=tenant_b.company.pk,
        user_id=tenant_b.user.pk,
        cost=Decimal("4.00"),
    )
    make_run(created_at=now - timedelta(days=60), tenant_id=tenant_b.company.pk, cost=Decimal("100.00"))
    rollups_rebuild()
    return {"a": tenant_a, "b": tenant_b}


def test_non_staff_are_sent_to_the_admin_login(tenant_a: Tenant) -> None:
    client = Client()
    client.force_login(tenant_a.user)
    response = client.get(reverse(DASHBOARD))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_see_tiles_charts_tables_and_escaped_text(staff_client: Client, spend: dict[str, Any]) -> None:
    response = staff_client.get(reverse(DASHBOARD))
    assert response.status_code == 200
    html = response.content.decode()
    assert "$5.75" in html  # 1.50 + 0.25 + 4.00 in the last 30 days; the $100 run is older
    assert html.count("<svg") >= 6
    assert "Acme" in html and "Globex" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "provider_5xx" in html and "<b>upstream</b>" not in html


def test_company_filter_changes_the_numbers_and_the_drilldown(staff_client: Client, spend: dict[str, Any]) -> None:
    company_id = spend["b"].company.pk
    response = staff_client.get(reverse(DASHBOARD), {"company": company_id})
    html = response.content.decode()
    assert "$4.00" in html and "$5.75" not in html
    assert f"tenant_id__exact={company_id}" in html

    wider = staff_client.get(
        reverse(DASHBOARD),
        {"company": company_id, "date_from": (timezone.now() - timedelta(days=90)).date().isoformat()},
    )
    assert "$104.00" in wider.content.decode()


def test_htmx_requests_get_only_the_dashboard_fragment(staff_client: Client, spend: dict[str, Any]) -> None:
    response = staff_client.get(reverse(DASHBOARD), {"company": spend["a"].company.pk}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dashboard">')
    assert "<html" not in html and "$1.75" in html


def test_drilldown_links_open_the_airun_changelist_with_the_same_filters(
    staff_client: Client, spend: dict[str, Any]
) -> None:
    from analytics.selectors.dashboard import airun_changelist_url
    from analytics.selectors.spend import SpendFilters

    url = airun_changelist_url(filters=SpendFilters.last_days(30, tenant_id=spend["a"].company.pk, feature="parse_cv"))
    response = staff_client.get(url)
    assert response.status_code == 200
    assert list(response.context["cl"].queryset.values_list("cost", flat=True)) == [Decimal("1.50")]


def test_admin_index_links_the_dashboard(staff_client: Client) -> None:
    html = staff_client.get(reverse("admin:index")).content.decode()
    assert reverse(DASHBOARD) in html
    assert "Site administration" in html or "app-auth" in html  # the normal index still renders


def test_csv_export_streams_the_filtered_view(staff_client: Client, spend: dict[str, Any]) -> None:
    response = staff_client.get(reverse("admin:analytics_export_csv"), {"company": spend["a"].company.pk})
    assert response.status_code == 200
    assert response.streaming
    assert isinstance(response, StreamingHttpResponse)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row["company"] for row in rows} == {"Acme"}
    assert sum(Decimal(row["cost_usd"]) for row in rows) == Decimal("1.75")


def test_export_spend_command_uses_the_same_filters(spend: dict[str, Any], tmp_path: Any) -> None:
    target = tmp_path / "spend.csv"
    since = (timezone.now() - timedelta(days=90)).date().isoformat()
    call_command("export_spend", "--company", str(spend["b"].company.pk), "--since", since, "--output", str(target))
    rows = list(csv.DictReader(target.open()))
    assert sum(Decimal(row["cost_usd"]) for row in rows) == Decimal("104.00")
    assert {row["company_id"] for row in rows} == {str(spend["b"].company.pk)}
