"""A recruiter drafts a job in real Chromium: the posting streams from the (fake) model over the
job form's socket, fields fill in while the stream is still running, the recruiter edits one and
saves; the saved job holds the edited draft and the draft's AI run is linked to it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from llm.models import AiRun
from recruiting.models import Department, Job
from tests.conftest import Tenant
from tests.fakes.openai_server import FakeOpenAIServer, Fault
from tests.plugins.live import ARTIFACTS_DIR

POSTING = {
    "title": "Senior Backend Engineer",
    "summary": "Backend engineer for billing.",
    "content": "Acme builds payroll software. <script>window.pwned = true</script>",
    "responsibilities": ["Own the billing API", "Review pull requests"],
    "qualifications": ["5+ years of backend work"],
    "skills": ["Python", "PostgreSQL"],
    "benefits": ["30 days of vacation"],
    "bullets": ["Python"],
    "warnings": ["Salary range not stated."],
    "keywords_added": [],
    "next_actions": [],
}


@pytest.mark.e2e
@pytest.mark.integration
def test_draft_a_job_with_streaming_edit_and_save(
    transactional_db: None, tenant_a: Tenant, fake_openai: FakeOpenAIServer, fake_openai_page: Any
) -> None:
    department = Department.objects.create(company=tenant_a.company, name="Payments", technologies=["Python"])
    # Slow enough that the first fields are visible long before the stream ends.
    fake_openai.script(Fault.reply(json.dumps(POSTING)) | Fault.stream_chunks(80) | Fault.chunk_delay(0.04))
    page = fake_openai_page

    page.goto("/login/?next=/jobs/new/")
    page.fill("#id_username", tenant_a.user.username)
    page.fill("#id_password", tenant_a.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/jobs/new/")
    page.wait_for_selector('#draft-status[data-state="ready"]')
    page.fill("#id_title", "Senior Backend Engineer")
    page.select_option("#id_department", str(department.pk))
    page.fill("#id_draft_notes", "Owns billing. Python, Postgres.")
    page.click("#draft-run")

    page.wait_for_function("document.querySelector('#id_description').value.startsWith('Acme builds')")
    assert page.get_attribute("#draft-status", "data-state") == "running"  # filled mid-stream
    page.wait_for_selector('#draft-status[data-state="complete"]')
    assert page.input_value("#id_skills") == "Python\nPostgreSQL"
    assert page.input_value("#id_benefits") == "30 days of vacation"
    assert page.evaluate("window.pwned") is None  # the model's markup is text, not code
    assert "Salary range not stated." in page.inner_text("#draft-warnings")
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / "job-draft.png"), full_page=True)

    page.fill("#id_benefits", "30 days of vacation\nLearning budget")
    page.click("#job-save")
    page.wait_for_url("**/jobs/*/")

    job = Job.objects.get(company=tenant_a.company)
    assert job.title == "Senior Backend Engineer" and job.department == department
    assert job.description == POSTING["content"] and job.skills == ["Python", "PostgreSQL"]
    assert job.benefits == ["30 days of vacation", "Learning budget"]
    run = AiRun.objects.get(feature="generate_job_metadata")
    assert (run.subject_type, run.subject_id, run.status) == ("recruiting.job", str(job.pk), "succeeded")
    assert "&lt;script&gt;window.pwned = true&lt;/script&gt;" in page.content()  # the job page shows it as text
    assert page.evaluate("window.pwned") is None
