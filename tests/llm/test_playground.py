"""The staff prompt playground page: who may open it, the variable fields it derives from the
chosen prompt, and what a submitted form turns into (the runner call)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from llm.forms import PlaygroundForm, template_variables
from llm.models import LLMModel, PromptTemplate
from llm.runner.types import Overrides

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(local_only: None) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_user(username="staffer", password="unused", is_staff=True))
    return client


def test_template_variables_are_listed_once_in_order_of_appearance() -> None:
    template = PromptTemplate(
        system_template="You help ${name}. ${name} likes ${tone}.", user_template="${question} $$5"
    )
    assert template_variables(template) == ["name", "tone", "question"]


def test_staff_get_the_playground_with_its_socket_and_the_first_prompts_variables(staff_client: Client) -> None:
    response = staff_client.get("/llm/playground/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'ws-connect="/ws/llm/playground/"' in html and 'id="playground-output"' in html
    first = PromptTemplate.objects.order_by("slug", "-version").first()
    assert first is not None
    for name in template_variables(first):
        assert f'name="var_{name}"' in html
    assert 'id="playground-cancel"' in html and "gpt-4o-mini (openai)" in html


@pytest.mark.parametrize("staff", [False, None])
def test_non_staff_and_anonymous_users_are_sent_to_the_admin_login(local_only: None, staff: bool | None) -> None:
    client = Client()
    if staff is not None:
        client.force_login(get_user_model().objects.create_user(username="recruiter", password="unused"))

    for url in ("/llm/playground/", "/llm/playground/variables/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_choosing_a_prompt_swaps_in_its_variable_fields(staff_client: Client) -> None:
    resume_chat = PromptTemplate.objects.filter(slug="resume_chat").first()
    assert resume_chat is not None

    response = staff_client.get("/llm/playground/variables/", {"template": resume_chat.pk})

    html = response.content.decode()
    assert html.lstrip().startswith('<fieldset id="playground-variables"')
    for name in ("cv_text", "history", "question"):
        assert f'name="var_{name}"' in html


def test_a_submitted_form_becomes_the_call_context_and_overrides(local_only: None) -> None:
    template = PromptTemplate.objects.get(slug="playground", version=1)
    model = LLMModel.objects.get(name="gpt-4o")
    form = PlaygroundForm(
        data={
            "template": str(template.pk),
            "model": str(model.pk),
            "max_tokens": "120",
            "temperature": "0.3",
            "var_system": "Be brief.",
            "var_prompt": "Hello",
            "var_not_in_template": "ignored",
        }
    )

    assert form.is_valid(), form.errors
    assert form.context() == {"system": "Be brief.", "prompt": "Hello"}
    assert form.overrides() == Overrides(model="gpt-4o", prompt_version=1, max_tokens=120, temperature=0.3)


@pytest.mark.parametrize(
    ("field", "value"), [("max_tokens", "0"), ("temperature", "3"), ("template", "nope"), ("model", "999999")]
)
def test_out_of_range_choices_are_rejected(local_only: None, field: str, value: Any) -> None:
    template = PromptTemplate.objects.get(slug="playground", version=1)
    form = PlaygroundForm(data={"template": str(template.pk), field: value})
    assert not form.is_valid() and field in form.errors
