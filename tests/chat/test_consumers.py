"""The recruiter's chat socket through the full ASGI stack, against the fake OpenAI server (real
SDK) and the local provider: streaming order, one AiRun per answer, what is stored however an
answer ends (complete, Stop, dropped socket), history, regenerate, limits and HTMX output."""

from __future__ import annotations

from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async

from chat.models import Conversation, Message
from llm.models import AiRun, Budget
from recruiting.models import CV
from tests.chat.conftest import (
    ask,
    receive_until_end,
    recruiter_socket,
    wait_for,
)
from tests.conftest import Tenant
from tests.fakes.openai_server import Fault
from tests.llm.conftest import Gateway
from tests.sockets import RECEIVE_TIMEOUT, first_chunk

pytestmark = pytest.mark.django_db(transaction=True)


def _messages() -> list[Message]:
    return list(Message.objects.order_by("pk"))


async def messages() -> list[Message]:
    return await sync_to_async(_messages)()


async def runs() -> list[AiRun]:
    return await sync_to_async(lambda: list(AiRun.objects.order_by("pk")))()


async def test_answer_streams_in_order_with_one_run_and_both_messages_stored(
    gateway: Gateway, tenant_a: Tenant, cv_a: CV
) -> None:
    communicator = await recruiter_socket(tenant_a, cv_a)

    await ask(communicator, "Where did Jane study?")
    events = await receive_until_end(communicator)

    kinds = [event["type"] for event in events]
    assert kinds[0] == "conversation" and kinds[-1] == "complete"
    first_chunk_at = kinds.index("chunk")
    assert set(kinds[1:first_chunk_at]) == {"status"} and set(kinds[first_chunk_at:-1]) == {"chunk"}
    streamed = "".join(event["content"] for event in events if event["type"] == "chunk")
    complete = events[-1]
    assert kinds.count("chunk") > 3 and complete["text"] == streamed and streamed.startswith("Echo:")
    [run] = await runs()
    assert (run.feature, run.status, run.streaming, run.prompt_version) == ("resume_chat", "succeeded", True, 2)
    question, answer = await messages()
    assert (run.subject_type, run.subject_id) == ("chat.message", str(answer.pk))
    assert (question.role, question.content) == ("user", "Where did Jane study?")
    assert (answer.role, answer.status, answer.content, answer.run_id) == ("assistant", "complete", streamed, run.pk)
    assert answer.input_tokens == run.input_tokens > 0 and answer.output_tokens == run.output_tokens > 0
    assert answer.cost_usd == run.cost > 0
    conversation = await sync_to_async(Conversation.objects.get)()
    assert events[0]["conversation_id"] == conversation.pk and conversation.title == "Where did Jane study?"
    # The CV went to the model fenced, by section, with the v2 citation instruction.
    sent = gateway.fake.requests[-1].body["messages"]
    assert "(Source: <name>)" in sent[0]["content"]
    assert "<cv>\n[Section: Contact details]" in sent[1]["content"] and "[Section: Education]" in sent[1]["content"]
    await communicator.disconnect()


async def test_local_provider_answers_from_the_matching_section_and_cites_it(
    local_only: None, tenant_a: Tenant, cv_a: CV
) -> None:
    communicator = await recruiter_socket(tenant_a, cv_a)

    await ask(communicator, "Which university did she study at?")
    events = await receive_until_end(communicator)
    studied = events[-1]
    await ask(communicator, "What is her favourite food?", conversation=events[0]["conversation_id"])
    unknown = (await receive_until_end(communicator))[-1]

    assert "Technical University of Munich" in studied["text"] and studied["text"].endswith("(Source: Education)")
    assert studied["rule_based"] and unknown["text"] == "The CV does not say."
    answers = [m for m in await messages() if m.role == "assistant"]
    assert answers[0].cited_sections == ["Education"] and answers[1].cited_sections == []
    await communicator.disconnect()


async def test_stop_mid_answer_keeps_the_partial_answer_marked_stopped_and_records_the_run(
    gateway: Gateway, tenant_a: Tenant, cv_a: CV
) -> None:
    gateway.fake.script(Fault.chunk_delay(0.2))
    communicator = await recruiter_socket(tenant_a, cv_a)
    await ask(communicator, "Summarise her experience")
    received = []
    event = await first_chunk(communicator)
    received.append(event["content"])

    await communicator.send_json_to({"type": "cancel"})
    ended = await receive_until_end(communicator)

    received += [event["content"] for event in ended if event["type"] == "chunk"]
    assert ended[-1]["code"] == "cancelled" and not any(event["type"] == "complete" for event in ended)
    _question, answer = await messages()
    assert answer.status == "stopped" and answer.content == "".join(received) and answer.content
    assert answer.tokens_estimated and answer.output_tokens > 0
    [run] = await runs()
    assert (run.status, run.usage_estimated, run.subject_id) == ("cancelled", True, str(answer.pk))
    assert run.output_tokens > 0 and run.finished_at is not None
    # The stopped message names its run and carries the run's estimated cost.
    assert (answer.run_id, answer.cost_usd) == (run.pk, run.cost) and run.cost > 0
    await communicator.disconnect()


async def test_a_dropped_socket_mid_answer_still_records_the_run_and_the_partial_answer(
    gateway: Gateway, tenant_a: Tenant, cv_a: CV
) -> None:
    gateway.fake.script(Fault.chunk_delay(0.2))
    communicator = await recruiter_socket(tenant_a, cv_a)
    await ask(communicator, "Summarise her experience")
    event = await first_chunk(communicator)

    await communicator.disconnect()

    assert await wait_for(lambda: Message.objects.filter(status="interrupted").exclude(content="").exists())
    answer = await sync_to_async(Message.objects.get)(role="assistant")
    assert answer.content.startswith(event["content"])
    assert await gateway.fake.wait_until_async(lambda: gateway.fake.stats["stream_disconnects"] == 1)
    [run] = await runs()
    assert (run.status, run.subject_id) == ("cancelled", str(answer.pk)) and run.finished_at is not None


async def test_a_follow_up_question_carries_the_history_and_regenerate_replaces_the_answer(
    gateway: Gateway, tenant_a: Tenant, cv_a: CV
) -> None:
    communicator = await recruiter_socket(tenant_a, cv_a)
    await ask(communicator, "Where did Jane study?")
    first = await receive_until_end(communicator)
    conversation_id = first[0]["conversation_id"]

    await ask(communicator, "And which languages does she speak?", conversation=conversation_id)
    second = await receive_until_end(communicator)
    await communicator.send_json_to({"type": "start", "action": "regenerate", "conversation": str(conversation_id)})
    again = await receive_until_end(communicator)

    assert second[0]["conversation_id"] == again[0]["conversation_id"] == conversation_id
    follow_up = gateway.fake.requests[1].body["messages"][-1]["content"]
    assert "<history>\nRecruiter: Where did Jane study?\nAssistant: Echo:" in follow_up
    assert len(gateway.fake.requests) == 3  # regenerate skips the exact cache
    stored = [(m.role, m.content[:10], m.status) for m in await messages()]
    assert [role for role, _, _ in stored] == ["user", "assistant", "user", "assistant"]
    assert again[-1]["type"] == "complete" and (await messages())[-1].run_id == again[-1]["run_id"]
    assert len(await runs()) == 3
    await communicator.disconnect()


async def test_too_long_messages_are_refused_before_anything_is_stored(
    gateway: Gateway, tenant_a: Tenant, cv_a: CV
) -> None:
    communicator = await recruiter_socket(tenant_a, cv_a)

    await ask(communicator, "x" * 2001)
    event = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)

    assert event["type"] == "error" and event["code"] == "too_long" and "limit is 2000" in event["message"]
    assert await messages() == [] and await runs() == [] and gateway.fake.requests == []
    await communicator.disconnect()


async def test_messages_per_minute_per_user_are_limited_with_a_clear_message(
    gateway: Gateway, tenant_a: Tenant, cv_a: CV
) -> None:
    gateway.settings.LLM_RATE_LIMITS = {"default": {"user_rpm": 1}}
    communicator = await recruiter_socket(tenant_a, cv_a)
    await ask(communicator, "Where did Jane study?")
    assert (await receive_until_end(communicator))[-1]["type"] == "complete"

    await ask(communicator, "Which languages does she speak?")
    refused = (await receive_until_end(communicator))[-1]

    assert refused["code"] == "rate_limited" and refused["message"].startswith("Too many questions in the last minute.")
    assert "Please wait" in refused["message"] and len(gateway.fake.requests) == 1
    answer = (await messages())[-1]
    assert (answer.status, answer.error_code) == ("failed", "rate_limited")
    assert answer.error_message == refused["message"] and answer.run_id == refused["run_id"]
    await communicator.disconnect()


async def test_the_tenant_budget_refuses_with_a_clear_message(gateway: Gateway, tenant_a: Tenant, cv_a: CV) -> None:
    await sync_to_async(Budget.objects.create)(
        scope="tenant", tenant_id=tenant_a.company.pk, cap_usd=Decimal("0.00000001"), hard=True
    )
    communicator = await recruiter_socket(tenant_a, cv_a)

    await ask(communicator, "Where did Jane study?")
    refused = (await receive_until_end(communicator))[-1]

    assert refused["code"] == "budget_exceeded" and "AI budget for this period is used up" in refused["message"]
    assert gateway.fake.requests == []
    [run] = await runs()
    assert run.status == "refused" and (await messages())[-1].status == "failed"
    await communicator.disconnect()


async def test_htmx_mode_streams_escaped_text_into_the_answer_bubble(
    gateway: Gateway, tenant_a: Tenant, cv_a: CV
) -> None:
    gateway.fake.script(Fault.reply('<script>alert("x")</script> & <b>bold</b> (Source: Education)'))
    communicator = await recruiter_socket(tenant_a, cv_a, mode="htmx")
    assert 'data-state="ready"' in await communicator.receive_from(timeout=RECEIVE_TIMEOUT)

    await ask(communicator, "Where did Jane study?")
    frames: list[str] = []
    while "chat-source" not in (frames[-1] if frames else ""):
        frames.append(await communicator.receive_from(timeout=RECEIVE_TIMEOUT))

    answer = (await messages())[-1]
    html = "".join(frames)
    assert 'hx-swap-oob="beforeend:#chat-log"' in frames[0] and f'id="chat-msg-{answer.pk}-output"' in frames[0]
    assert f'hx-swap-oob="beforeend:#chat-msg-{answer.pk}-output"' in html
    assert "&lt;script&gt;" in html and "<script" not in html and "<b>" not in html
    assert 'id="chat-conversation"' in frames[0] and "data-url=" in frames[0]
    assert "Source: Education" in frames[-1] and answer.cited_sections == ["Education"]
    await communicator.disconnect()
