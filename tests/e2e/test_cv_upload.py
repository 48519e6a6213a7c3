"""A recruiter uploads two CVs, watches both reach "done" without reloading, then finds one
candidate by a skill named in the CV. Real daphne, real Celery worker, real Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Tenant
from tests.plugins.live import ARTIFACTS_DIR, LiveServer, database_url, start_celery_worker, start_daphne, stop_process
from tests.recruiting.cv_files import candidate_name, cv_text, docx_bytes


@pytest.fixture(scope="module")
def pipeline_server(django_db_setup: None, django_db_blocker: Any) -> Iterator[LiveServer]:
    """daphne that queues uploads for a real worker (not inline), and that worker."""
    from django.db import connection

    env = {"DATABASE_URL": database_url(connection.settings_dict), "CELERY_TASK_ALWAYS_EAGER": "0"}
    worker = start_celery_worker(env_overrides=env, concurrency=1)
    process, port, log_path = start_daphne(env_overrides=env)
    yield LiveServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", log_path)
    stop_process(process)
    stop_process(worker)


@pytest.mark.e2e
@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_upload_two_cvs_and_find_one_by_skill(
    browser: Any, pipeline_server: LiveServer, tenant_a: Tenant, tmp_path: Path
) -> None:
    first, second = tmp_path / "terraform.txt", tmp_path / "figma.docx"
    first.write_text(cv_text(4))  # skills: Terraform, Spark
    second.write_bytes(docx_bytes(cv_text(5)))  # skills: Figma, Go

    context = browser.new_context(base_url=pipeline_server.url)
    context.set_default_timeout(45_000)
    page = context.new_page()
    page.goto("/login/?next=/candidates/")
    page.fill("#id_username", tenant_a.user.username)
    page.fill("#id_password", tenant_a.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/candidates/")
    assert "No candidates yet" in page.content()

    page.set_input_files("#cv-files", [str(first), str(second)])
    page.click("#upload button[type=submit]")
    statuses = page.locator("#upload-results li.cv-status")
    statuses.first.wait_for()
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.wait_for_function(
        "document.querySelectorAll('#upload-results li[data-status=done]').length === 2", timeout=60_000
    )
    assert navigations == []  # the statuses changed in place, without a reload
    assert "terraform.txt" in page.inner_text("#upload-results")

    page.fill("#id_q", "Terraform")
    page.click("form.filters-grid button[type=submit]")
    page.wait_for_function("name => document.querySelector('#results').innerText.includes(name)", arg=candidate_name(4))
    results = page.inner_text("#results")
    assert candidate_name(4) in results and candidate_name(5) not in results
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / "cv-upload.png"), full_page=True)
    context.close()
