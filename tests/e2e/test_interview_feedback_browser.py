"""An interviewer generates AI feedback in Chromium, through daphne and the fake OpenAI server:
the stream is cancelled once, retried, and the filled-in feedback is saved."""

from __future__ import annotations

import json
from typing import Any

import pytest

from llm.models import AiRun
from recruiting.models import Interview
from tests.conftest import Tenant
from tests.fakes.openai_server import FakeOpenAIServer, Fault
from tests.plugins.live import ARTIFACTS_DIR, wait_for_htmx_settled
from tests.recruiting.interviews import interview_for

# The playground's daphne (on the fake OpenAI server) and its Chromium page, used by name.

ANSWER = {
    "title": "Interview feedback: Ana Silva for Backend Engineer",
    "summary": "Strong Python, weak on PostgreSQL.",
    "content": "Ana explained a Django payment API in depth. <script>alert(1)</script> PostgreSQL indexing was weak.",
    "bullets": ["Strength: Python", "Concern: PostgreSQL"],
    "warnings": [],
    "keywords_added": ["Python"],
    "next_actions": ["Probe PostgreSQL"],
    "recommendation": "yes",
}


@pytest.mark.e2e
@pytest.mark.integration
def test_generate_cancel_retry_and_accept_interview_feedback(
    transactional_db: None, tenant_a: Tenant, fake_openai: FakeOpenAIServer, fake_openai_page: Any
) -> None:
    interview = interview_for(tenant_a)
    page = fake_openai_page
    page.goto(f"/interviews/{interview.pk}/")
    page.fill("#id_username", tenant_a.user.username)
    page.fill("#id_password", tenant_a.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/interviews/{interview.pk}/")
    page.wait_for_selector('#interview-feedback-status[data-state="ready"]')
    assert page.locator(f'[data-chip="job:{interview.job_id}"][aria-pressed="true"]').is_visible()
    assert int(page.get_attribute("#interview-feedback-estimate", "data-tokens") or 0) > 0

    # A slow answer, cancelled mid-stream.
    fake_openai.script(Fault.reply(json.dumps(ANSWER)) | Fault.chunk_delay(0.3))
    page.click("#interview-feedback-run")
    page.wait_for_function("document.querySelector('#interview-feedback-output').textContent.length > 10")
    assert page.get_attribute("#interview-feedback-status", "data-status") == "generating"
    page.click("#interview-feedback-cancel")
    page.wait_for_selector('#interview-feedback-status[data-state="cancelled"]')
    assert fake_openai.wait_until(lambda: fake_openai.stats["stream_disconnects"] == 1)
    assert page.input_value("#id_feedback") == ""

    # Retry: the whole answer arrives, and the editable field is filled from it.
    fake_openai.script(Fault.reply(json.dumps(ANSWER)))
    page.click("#interview-feedback-retry")
    page.wait_for_selector('#interview-feedback-status[data-state="complete"]')
    page.wait_for_selector("#interview-feedback-filled")
    assert "Tokens" in page.inner_text("#interview-feedback-usage") and "gpt-4o" in page.inner_text(
        "#interview-feedback-usage"
    )
    assert "<script>alert(1)</script>" in page.inner_text("#interview-feedback-output")  # shown as text
    feedback = page.input_value("#id_feedback")
    assert feedback.startswith("Ana explained a Django payment API") and page.input_value("#id_recommendation") == "yes"
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / "interview-feedback.png"), full_page=True)

    # Accept: edit a little, save, and it persists.
    page.fill("#id_feedback", feedback + "\n\nAgreed by the panel.")
    page.click("#interview-save")
    page.wait_for_selector("#interview-saved")
    wait_for_htmx_settled(page)
    interview = Interview.objects.get(pk=interview.pk)
    assert interview.feedback.startswith("Ana explained") and interview.feedback.endswith("Agreed by the panel.")
    assert interview.recommendation == "yes"
    runs = list(AiRun.objects.order_by("pk").values_list("status", "pk"))
    assert [status for status, _ in runs] == ["cancelled", "succeeded"] and interview.feedback_run_id == runs[-1][1]
    page.reload()
    assert "Agreed by the panel." in page.input_value("#id_feedback")
