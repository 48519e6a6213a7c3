"""Resume chat in real Chromium, through daphne, against the fake OpenAI server: open a CV, ask two
questions, reload (the conversation is there), and Stop a slow answer."""

from __future__ import annotations

from typing import Any

import pytest

from chat.models import Message
from llm.models import AiRun
from tests.chat.conftest import make_cv
from tests.conftest import Tenant
from tests.fakes.openai_server import FakeOpenAIServer, Fault
from tests.plugins.live import ARTIFACTS_DIR, wait_for_htmx_settled

# The playground's daphne on the fake OpenAI server, and its Chromium page.


def _answers(page: Any) -> list[str]:
    return [text.strip() for text in page.locator(".chat-answer .chat-text").all_inner_texts()]


@pytest.mark.e2e
@pytest.mark.integration
def test_ask_two_questions_reload_and_stop(
    transactional_db: None, tenant_a: Tenant, fake_openai: FakeOpenAIServer, fake_openai_page: Any
) -> None:
    cv = make_cv(tenant_a)
    page = fake_openai_page
    page.goto(f"/login/?next=/chat/cv/{cv.pk}/")
    page.fill("#id_username", tenant_a.user.username)
    page.fill("#id_password", tenant_a.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/chat/cv/{cv.pk}/")
    page.wait_for_selector('#chat-status[data-state="ready"]')
    assert page.locator("[data-suggestion]").count() >= 2  # first questions built from the CV

    page.fill("#chat-question", "Where did Jane study?")
    page.press("#chat-question", "Enter")
    page.wait_for_selector('#chat-status[data-state="complete"]')
    page.wait_for_selector('.chat-answer[data-status="complete"]')
    page.wait_for_function("/\\/chat\\/cv\\/\\d+\\/c\\/\\d+\\/$/.test(location.pathname)")  # names the conversation
    page.fill("#chat-question", "Which languages")
    page.press("#chat-question", "Shift+Enter")
    page.type("#chat-question", "does she speak?")
    assert page.input_value("#chat-question") == "Which languages\ndoes she speak?"
    page.press("#chat-question", "Enter")
    page.wait_for_function("document.querySelectorAll('.chat-answer[data-status=\"complete\"]').length === 2")
    before = _answers(page)
    assert len(before) == 2 and all(answer.startswith("Echo:") for answer in before)

    page.reload()
    page.wait_for_selector('#chat-status[data-state="ready"]')
    assert [q.strip() for q in page.locator(".chat-question").all_inner_texts()] == [
        "Where did Jane study?",
        "Which languages\ndoes she speak?",
    ]
    assert _answers(page) == before
    assert page.locator("#chat-conversations li").count() == 1

    fake_openai.script(Fault.chunk_delay(0.3))
    page.fill("#chat-question", "Tell me everything about her experience")
    page.click("#chat-send")
    page.wait_for_function(
        "(() => { const a = document.querySelectorAll('.chat-answer .chat-text'); "
        "return a.length === 3 && a[2].textContent.startsWith('Echo:'); })()"
    )
    page.click("#chat-stop")
    page.wait_for_selector('.chat-answer[data-status="stopped"]')
    wait_for_htmx_settled(page)
    stopped = Message.objects.get(role="assistant", status="stopped")
    assert stopped.content and _answers(page)[2] == stopped.content
    assert AiRun.objects.filter(status="cancelled", subject_id=str(stopped.pk)).count() == 1
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / "resume-chat.png"), full_page=True)

    page.reload()
    page.wait_for_selector('.chat-answer[data-status="stopped"]')
    assert "Stopped" in page.inner_text(f"#chat-msg-{stopped.pk}")
