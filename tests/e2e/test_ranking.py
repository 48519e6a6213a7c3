"""A recruiter opens a job's ranked candidates in real Chromium, sees the scores, opens one
explanation and runs the (rule-based) match assessment in place."""

from __future__ import annotations

from typing import Any

import pytest

from recruiting import services
from recruiting.models import CV
from tests.conftest import Tenant
from tests.plugins.live import ARTIFACTS_DIR, wait_for_htmx_settled
from tests.recruiting.cv_files import candidate_name, cv_text


@pytest.mark.e2e
@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_ranked_list_shows_scores_and_opens_an_explanation(page: Any, tenant_a: Tenant) -> None:
    job = services.job_create(
        company=tenant_a.company,
        title="Platform Engineer",
        status="open",
        skills=["Kubernetes", "React", "Terraform"],
    )
    # The pipeline runs inline here (eager Celery, local provider). CV 3 lists Kubernetes and React,
    # CV 6 React, CV 5 none of the three.
    for index in (3, 5, 6):
        services.cv_create_from_text(company=tenant_a.company, filename=f"cv{index}.txt", text=cv_text(index))
    assert set(CV.objects.values_list("status", flat=True)) == {"done"}

    page.goto(f"/login/?next=/jobs/{job.pk}/ranking/")
    page.fill("#id_username", tenant_a.user.username)
    page.fill("#id_password", tenant_a.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/jobs/{job.pk}/ranking/")

    rows = page.locator("#ranking tbody tr")
    assert rows.count() == 3
    order = [candidate_name(3), candidate_name(6), candidate_name(5)]
    assert [name in rows.nth(i).inner_text() for i, name in enumerate(order)] == [True, True, True]
    assert [rows.nth(i).locator(".badge.score").inner_text() for i in range(3)] == ["67", "33", "0"]
    first = rows.first

    first.locator("button.explain").click()
    panel = page.locator("#explanation .match-explanation")
    panel.wait_for()
    wait_for_htmx_settled(page)
    assert "Keyword match: 67/100" in panel.inner_text() and "Missing: Terraform" in panel.inner_text()
    panel.locator("button.assess[data-feature=match_candidate]").click()
    page.locator("#explanation .badge.rule-based").wait_for()
    text = page.inner_text("#explanation")
    assert "Rule-based assessment" in text and "Kubernetes" in text
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / "ranking.png"), full_page=True)
