"""The prompt fits the model's context window by token count: long histories are summarised or
dropped from the oldest end, the CV is never cut silently."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from chat.models import Conversation, Message
from chat.prompting import ModelLimits, Turn, build_prompt, format_sections
from llm.models import LLMModel
from llm.tokens import count_messages
from recruiting.models import CV
from recruiting.selectors import ChatCV, ChatCVSection, cv_for_chat
from tests.chat.conftest import ask, receive_until_end, recruiter_socket
from tests.conftest import Tenant
from tests.llm.conftest import Gateway

WINDOW = 8_000
TURNS = 200


def _long_conversation(tenant: Tenant, cv: CV) -> Conversation:
    conversation = Conversation.objects.create(company=tenant.company, cv=cv, user=tenant.user, title="Long")
    rows = []
    for turn in range(TURNS):
        rows.append(
            Message(conversation=conversation, role="user", content=f"Question number {turn} about project {turn}?")
        )
        rows.append(
            Message(
                conversation=conversation,
                role="assistant",
                content=f"Answer {turn}: " + " ".join(f"detail{turn}x{word}" for word in range(40)),
            )
        )
    Message.objects.bulk_create(rows)
    return conversation


@pytest.mark.django_db(transaction=True)
async def test_a_200_turn_conversation_stays_under_the_window_with_the_cv_intact_and_the_latest_turns(
    gateway: Gateway, tenant_a: Tenant, cv_a: CV
) -> None:
    # Pro plans route resume_chat to gpt-4o, then gpt-4o-mini: the smaller window governs.
    await sync_to_async(LLMModel.objects.filter(name="gpt-4o-mini").update)(context_window=WINDOW)
    conversation = await sync_to_async(_long_conversation)(tenant_a, cv_a)
    communicator = await recruiter_socket(tenant_a, cv_a)

    await ask(communicator, "What is her most recent role?", conversation=conversation.pk)
    assert (await receive_until_end(communicator))[-1]["type"] == "complete"

    sent = gateway.fake.requests[-1].body["messages"]
    assert count_messages(sent, "gpt-4o") <= WINDOW - 600  # room left for the answer (max_tokens)
    prompt = sent[-1]["content"]
    chat_cv = await sync_to_async(cv_for_chat)(company=tenant_a.company, cv_id=cv_a.pk)
    assert chat_cv is not None and f"<cv>\n{format_sections(chat_cv.sections)}\n</cv>" in prompt
    assert "Question number 199 about project 199?" in prompt and "detail199x39" in prompt
    assert "Question number 0 about" not in prompt or "detail0x1" not in prompt  # the oldest turns went
    assert "Earlier in this conversation" in prompt and prompt.rstrip().endswith(
        "Question: What is her most recent role?"
    )
    await communicator.disconnect()


def _cv(sections: list[tuple[str, str]]) -> ChatCV:
    return ChatCV(
        cv_id=1,
        company_id=1,
        candidate_name="Jane Roe",
        sections=tuple(ChatCVSection(key=heading.lower(), heading=heading, text=text) for heading, text in sections),
        skills=(),
        total_years_experience=None,
    )


def test_history_is_kept_newest_first_and_older_turns_are_summarised() -> None:
    cv = _cv([("Education", "M.Sc. Computer Science, TU Munich")])
    history = [Turn(f"Question {i}?", "An answer " + "word " * 60) for i in range(TURNS)]
    limits = ModelLimits(model="gpt-4o-mini", context_window=3_000, reply_tokens=600)

    prompt = build_prompt(
        cv=cv, history=history, question="Now?", limits=limits, system_template="s", user_template="u"
    )

    assert prompt.input_tokens <= 3_000 - 600
    assert prompt.turns_verbatim > 0 and prompt.turns_verbatim + prompt.turns_summarised + prompt.turns_dropped == TURNS
    assert prompt.context["history"].endswith(f"Recruiter: Question {TURNS - 1}?\nAssistant: {history[-1].answer}")
    assert prompt.turns_summarised > 0 and "Earlier in this conversation" in prompt.context["history"]
    assert prompt.context["cv_text"] == format_sections(cv.sections) and prompt.notice == ""


def test_a_cv_too_long_for_the_window_says_so_and_keeps_its_most_relevant_sections() -> None:
    filler = " ".join(f"filler{i}" for i in range(1_500))
    cv = _cv([("Summary", filler), ("Education", "M.Sc. Computer Science, TU Munich"), ("Experience", filler)])
    limits = ModelLimits(model="gpt-4o-mini", context_window=3_000, reply_tokens=600)

    prompt = build_prompt(
        cv=cv,
        history=[],
        question="Which degree and education does she have?",
        limits=limits,
        system_template="s",
        user_template="u",
    )

    assert prompt.input_tokens <= 3_000 - 600
    assert "Education" in prompt.sections_used and "TU Munich" in prompt.context["cv_text"]
    assert prompt.sections_left_out and "longer than the model's context window" in prompt.notice
    assert prompt.context["cv_text"].startswith("[Note: the CV is too long")
