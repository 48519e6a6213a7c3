"""A staff member streams a prompt in the playground with real Chromium, through daphne, against
the fake OpenAI server, then cancels a slow stream."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from llm.models import AiRun
from tests.fakes.openai_server import FakeOpenAIServer, Fault
from tests.plugins.live import ARTIFACTS_DIR

PASSWORD = "correct-horse-battery-staple"
SLOW_PROMPT = " ".join(f"word{i}" for i in range(25))


@pytest.mark.e2e
@pytest.mark.integration
def test_staff_stream_a_prompt_and_cancel_a_slow_one(
    transactional_db: None, fake_openai: FakeOpenAIServer, fake_openai_page: Any
) -> None:
    get_user_model().objects.create_superuser(username="admin", email="admin@example.com", password=PASSWORD)
    page = fake_openai_page

    page.goto("/admin/login/?next=/llm/playground/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/llm/playground/")
    page.wait_for_selector('#playground-status[data-state="ready"]')
    page.select_option("#id_template", label="playground v1 (production)")
    page.wait_for_selector("#id_var_prompt")
    page.fill("#id_var_system", "Be brief.")
    page.fill("#id_var_prompt", "Hello from Chromium")
    page.click("#playground-run")

    page.wait_for_selector('#playground-status[data-state="complete"]')
    assert page.inner_text("#playground-output") == "Echo: Hello from Chromium"
    usage = page.inner_text("#playground-usage")
    assert "Cost" in usage and "$0.0000" in usage and "gpt-4o-mini · openai" in usage and "first token" in usage
    assert fake_openai.requests[-1].body["messages"][-1]["content"] == "Hello from Chromium"
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / "playground.png"), full_page=True)

    fake_openai.script(Fault.chunk_delay(0.3))
    page.fill("#id_var_prompt", SLOW_PROMPT)
    page.click("#playground-run")
    page.wait_for_function("document.querySelector('#playground-output').textContent.startsWith('Echo: word0')")
    page.click("#playground-cancel")

    page.wait_for_selector('#playground-status[data-state="cancelled"]')
    assert fake_openai.wait_until(lambda: fake_openai.stats["stream_disconnects"] == 1)
    partial = page.inner_text("#playground-output")
    assert partial.startswith("Echo: word0") and len(partial) < len("Echo: " + SLOW_PROMPT)
    assert list(AiRun.objects.order_by("pk").values_list("status", flat=True)) == ["succeeded", "cancelled"]
    page.screenshot(path=str(ARTIFACTS_DIR / "playground-cancelled.png"), full_page=True)
