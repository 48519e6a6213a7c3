"""Staff open the cost dashboard in Chromium and narrow it with htmx-driven filters."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.analytics.runs import make_run
from tests.conftest import Tenant
from tests.plugins.live import ARTIFACTS_DIR, wait_for_htmx_settled


def wait_for_cost(page: Any, cost: str) -> None:
    page.wait_for_function("cost => document.querySelector('#kpi-cost .value').innerText === cost", arg=cost)
    wait_for_htmx_settled(page)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_staff_filter_the_dashboard_by_date_and_company(page: Any, tenant_a: Tenant, tenant_b: Tenant) -> None:
    get_user_model().objects.create_superuser("finance", "finance@example.com", "pw-finance-123")
    now = timezone.now()
    for day in range(5):
        make_run(created_at=now - timedelta(days=day, hours=1), tenant_id=tenant_a.company.pk, cost=Decimal("1.25"))
        make_run(
            created_at=now - timedelta(days=day, hours=2),
            tenant_id=tenant_a.company.pk,
            feature="resume_chat",
            model="gpt-4o",
            cost=Decimal("0.75"),
        )
    make_run(created_at=now - timedelta(days=45), tenant_id=tenant_b.company.pk, cost=Decimal("40.00"))

    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", "finance")
    page.fill("#id_password", "pw-finance-123")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    page.click("text=LLM cost dashboard")
    page.wait_for_url("**/dashboard/")
    page.wait_for_function("typeof window.htmx === 'object'")  # deferred script: filters work once it is in

    cost = page.locator("#kpi-cost .value")
    assert cost.inner_text() == "$10.00"  # five days x ($1.25 + $0.75); the old run is out of range
    bars_before = page.locator("#chart-cost-by-day rect").count()
    assert bars_before == 10  # two features stacked on five days

    page.fill("#f-from", (now - timedelta(days=60)).date().isoformat())
    wait_for_cost(page, "$50.00")
    assert page.locator("#chart-cost-by-day rect").count() == 11
    assert "date_from=" in page.url  # hx-push-url keeps the view linkable

    page.select_option("#f-company", str(tenant_b.company.pk))
    wait_for_cost(page, "$40.00")
    assert page.locator("#kpi-calls .value").inner_text() == "1"
    assert page.locator("#chart-cost-by-day rect").count() == 1
    assert page.locator("#table-companies").inner_text().count("Globex") == 1

    page.select_option("#f-company", "")
    wait_for_cost(page, "$50.00")
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / "dashboard.png"), full_page=True)
