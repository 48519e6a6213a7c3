"""A recruiter logs in with real Chromium and sees their company's jobs."""

from __future__ import annotations

from typing import Any

import pytest

from recruiting import services
from tests.conftest import Tenant
from tests.plugins.live import ARTIFACTS_DIR


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_recruiter_logs_in_and_sees_jobs(page: Any, tenant_a: Tenant, tenant_b: Tenant) -> None:
    services.job_create(company=tenant_a.company, title="Staff Platform Engineer", status="open")
    services.job_create(company=tenant_b.company, title="Someone else's job", status="open")

    page.goto("/jobs/")
    assert "/login/" in page.url
    page.fill("#id_username", tenant_a.user.username)
    page.fill("#id_password", tenant_a.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/jobs/")

    assert page.locator("h1").inner_text().startswith("Jobs")
    assert page.get_by_role("link", name="Staff Platform Engineer").is_visible()
    assert page.get_by_text("Someone else's job").count() == 0
    assert page.evaluate("typeof window.htmx") == "object"  # htmx 2 served from django-htmx's static files
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / "jobs-page.png"))
