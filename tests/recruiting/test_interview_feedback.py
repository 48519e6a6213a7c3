"""Interview feedback over the socket (recruiting.consumers.interview_feedback), through the full
ASGI stack, against the fake OpenAI server and with the `local` provider: the protocol, cancel and
disconnect, who may connect, the output's shape, the AiRun, and escaping on the page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client

from llm.models import AiRun
from llm.prompt_files import STANDARD_SCHEMA
from recruiting.interview_feedback import interview_feedback_locally
from recruiting.models import Interview
from tests import sockets
from tests.conftest import Tenant, make_tenant
from tests.fakes.openai_server import Fault
from tests.llm import conftest as llm_fixtures
from tests.llm.conftest import Gateway
from tests.recruiting.interviews import interview_for
from tests.sockets import RECEIVE_TIMEOUT, first_chunk

pytestmark = pytest.mark.django_db(transaction=True)
# The gateway's fixtures (the fake OpenAI server wired in; the local provider alone), used by name.
gateway = llm_fixtures.gateway
local_only = llm_fixtures.local_only

SCRIPT = '<script>alert("x")</script>'


async def socket_for(user: Any | None, interview_id: int, mode: str = "json") -> WebsocketCommunicator:
    path = f"/ws/interviews/{interview_id}/feedback/" + ("?mode=json" if mode == "json" else "")
    return await sockets.socket_for(user, path)


async def connected_socket(tenant: Tenant, interview: Interview, mode: str = "json") -> WebsocketCommunicator:
    communicator = await socket_for(tenant.user, interview.pk, mode)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


events_until_end = sockets.json_events_until_end


async def setup(notes: str | None = None, cv_text: str | None = None) -> tuple[Tenant, Interview]:
    def make() -> tuple[Tenant, Interview]:
        tenant = make_tenant(slug="acme")
        extra = {k: v for k, v in (("notes", notes), ("cv_text", cv_text)) if v is not None}
        return tenant, interview_for(tenant, **extra)

    return await sync_to_async(make)()


async def only_run() -> AiRun:
    return await sync_to_async(AiRun.objects.get)()


async def test_feedback_streams_statuses_in_order_then_chunks_then_complete(gateway: Gateway) -> None:
    tenant, interview = await setup()
    communicator = await connected_socket(tenant, interview)

    await communicator.send_json_to({"type": "start"})
    events = await events_until_end(communicator)

    statuses = [event["status"] for event in events if event["type"] == "status"]
    assert statuses == ["thinking", "analyzing", "generating"]
    first_chunk_at = next(i for i, event in enumerate(events) if event["type"] == "chunk")
    assert all(event["type"] == "status" for event in events[:first_chunk_at])
    assert {event["type"] for event in events[first_chunk_at:-1]} == {"chunk"}
    complete = events[-1]
    assert complete["type"] == "complete"
    assert complete["text"] == "".join(event["content"] for event in events if event["type"] == "chunk")
    assert complete["usage"]["input_tokens"] > 0 and complete["usage"]["output_tokens"] > 0
    assert set(STANDARD_SCHEMA["required"]) | {"recommendation"} <= set(complete["output"])
    assert complete["model"] == "gpt-4o" and not complete["rule_based"]
    run = await only_run()
    assert complete["cost"] == f"{run.cost:f}" and run.cost > 0
    assert (run.feature, run.status, run.prompt_version) == ("generate_interview_feedback", "succeeded", 2)
    assert (run.subject_type, run.subject_id) == ("recruiting.interview", str(interview.pk))
    # v2 fences the CV and the job description as well as the notes.
    user_message = gateway.fake.requests[-1].body["messages"][-1]["content"]
    assert "<cv>" in user_message and "Shopware" in user_message
    assert "<job>" in user_message and "Required skills: Python, PostgreSQL, Kubernetes" in user_message
    assert "<notes>" in user_message and "query plan" in user_message
    await communicator.disconnect()


async def test_cancel_mid_stream_stops_the_provider_stream_and_records_a_cancelled_run(gateway: Gateway) -> None:
    gateway.fake.script(Fault.reply(json.dumps({"content": " ".join(["word"] * 60)})) | Fault.chunk_delay(0.2))
    tenant, interview = await setup()
    communicator = await connected_socket(tenant, interview)
    await communicator.send_json_to({"type": "start"})
    await first_chunk(communicator)

    await communicator.send_json_to({"type": "cancel"})

    ended = await events_until_end(communicator)
    assert ended[-1]["code"] == "cancelled" and not any(event["type"] == "complete" for event in ended)
    assert await gateway.fake.wait_until_async(lambda: gateway.fake.stats["stream_disconnects"] == 1)
    run = await only_run()
    assert (run.status, run.usage_estimated, run.feature) == ("cancelled", True, "generate_interview_feedback")
    assert run.input_tokens > 0 and run.output_tokens > 0 and run.cost > 0 and run.finished_at
    await communicator.disconnect()


async def test_disconnect_mid_stream_stops_the_provider_stream_and_records_a_cancelled_run(gateway: Gateway) -> None:
    gateway.fake.script(Fault.reply(json.dumps({"content": " ".join(["word"] * 60)})) | Fault.chunk_delay(0.2))
    tenant, interview = await setup()
    communicator = await connected_socket(tenant, interview)
    await communicator.send_json_to({"type": "start"})
    await first_chunk(communicator)

    await communicator.disconnect()

    assert await gateway.fake.wait_until_async(lambda: gateway.fake.stats["stream_disconnects"] == 1)
    run = await only_run()
    assert (run.status, run.usage_estimated) == ("cancelled", True) and run.output_tokens > 0 and run.finished_at


async def test_only_members_of_the_interviews_company_may_connect(gateway: Gateway) -> None:
    _, interview = await setup()
    other = await sync_to_async(make_tenant)(slug="globex", plan="pro")
    outsider = await sync_to_async(get_user_model().objects.create_user)(username="no-company", password="x")

    for user, expected in ((other.user, 4403), (outsider, 4403), (None, 4401)):
        communicator = await socket_for(user, interview.pk)
        assert await communicator.connect() == (False, expected)
    missing = await socket_for(other.user, interview.pk + 1000)
    assert await missing.connect() == (False, 4403)
    assert await sync_to_async(AiRun.objects.count)() == 0 and gateway.fake.requests == []


async def test_local_provider_answers_in_the_schema_shape_from_the_notes(local_only: None) -> None:
    tenant, interview = await setup()
    communicator = await connected_socket(tenant, interview)

    await communicator.send_json_to({"type": "start"})
    complete = (await events_until_end(communicator))[-1]

    assert complete["type"] == "complete" and complete["rule_based"] and complete["provider"] == "local"
    output = complete["output"]
    assert set(output) == set(STANDARD_SCHEMA["required"]) | {"recommendation"}
    assert output["recommendation"] == "yes"  # two strengths, one concern
    assert any("PostgreSQL" in bullet and bullet.startswith("Concern") for bullet in output["bullets"])
    assert any("not on the CV: PostgreSQL" in bullet for bullet in output["bullets"])
    assert output["keywords_added"] == ["Python"]
    assert any("Kubernetes" in action for action in output["next_actions"])
    runs = await sync_to_async(lambda: list(AiRun.objects.all()))()
    assert len(runs) == 1 and runs[0].feature == "generate_interview_feedback"
    assert (runs[0].subject_type, runs[0].subject_id, runs[0].status) == (
        "recruiting.interview",
        str(interview.pk),
        "succeeded",
    )
    await communicator.disconnect()


async def test_unsaved_notes_from_the_page_are_what_the_feedback_reads(local_only: None) -> None:
    tenant, interview = await setup()
    communicator = await connected_socket(tenant, interview)

    await communicator.send_json_to({"type": "start", "notes": "Weak answers. Vague about testing. Poor design."})
    output = (await events_until_end(communicator))[-1]["output"]

    assert output["recommendation"] == "strong_no"
    assert any("judgment without evidence" in warning for warning in output["warnings"])
    await communicator.disconnect()


def test_local_handler_warns_about_protected_traits_and_leaves_them_out() -> None:
    from llm.local import LocalRequest

    request = LocalRequest(
        feature="generate_interview_feedback",
        context={"notes": "Seems too old for a young team. Has kids, so may not travel.", "job_title": "Engineer"},
        messages=[],
        output_schema=None,
        max_tokens=500,
    )
    output = interview_feedback_locally(request)
    assert any("age" in warning for warning in output["warnings"])
    assert any("family" in warning for warning in output["warnings"])
    assert any("too short" in warning for warning in output["warnings"])
    assert output["bullets"] == [] and output["recommendation"] == "no"


async def test_htmx_mode_escapes_script_in_notes_cv_and_model_output(gateway: Gateway) -> None:
    reply = {
        "title": f"Feedback {SCRIPT}",
        "summary": "Fine.",
        "content": f"Said {SCRIPT} & left.",
        "bullets": [SCRIPT],
        "warnings": [],
        "keywords_added": [],
        "next_actions": [],
        "recommendation": "yes",
    }
    gateway.fake.script(Fault.reply(json.dumps(reply)))
    tenant, interview = await setup(notes=f"Good answer. {SCRIPT}", cv_text=f"Ana {SCRIPT}")
    communicator = await connected_socket(tenant, interview, mode="htmx")
    assert 'data-state="ready"' in await communicator.receive_from(timeout=RECEIVE_TIMEOUT)

    await communicator.send_json_to({"type": "start"})
    messages: list[str] = []
    while not any('id="interview-feedback-fields"' in message for message in messages):
        messages.append(await communicator.receive_from(timeout=RECEIVE_TIMEOUT))

    html = "".join(messages)
    assert "<script" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html  # the rendered answer
    assert 'hx-swap-oob="true"' in html and 'id="interview-feedback-output"' in html
    assert 'name="feedback"' in html and 'value="yes" selected' in html  # the form fields are filled
    user_message = gateway.fake.requests[-1].body["messages"][-1]["content"]
    assert SCRIPT in user_message  # the model sees the text as data, fenced
    await communicator.disconnect()


def test_page_shows_notes_cv_and_saved_ai_feedback_as_text(tenant_a: Tenant, local_only: None) -> None:
    interview = interview_for(tenant_a, notes=f"Good. {SCRIPT}")
    run = AiRun.objects.create(
        feature="generate_interview_feedback",
        tenant_id=tenant_a.company.pk,
        subject_type="recruiting.interview",
        subject_id=str(interview.pk),
        status="succeeded",
    )
    client = Client()
    client.force_login(tenant_a.user)

    saved = client.post(
        f"/interviews/{interview.pk}/",
        {"notes": interview.notes, "feedback": f"AI says {SCRIPT}", "recommendation": "yes", "feedback_run_id": run.pk},
    )
    assert saved.status_code == 302
    page = client.get(f"/interviews/{interview.pk}/").content.decode()

    interview.refresh_from_db()
    assert (interview.feedback, interview.recommendation, interview.feedback_run_id) == (
        f"AI says {SCRIPT}",
        "yes",
        run.pk,
    )
    assert "<script>alert" not in page and page.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 2
    assert 'ws-connect="/ws/interviews/' in page and 'id="interview-feedback-run"' in page


def test_feedback_cannot_name_another_interviews_run(tenant_a: Tenant, local_only: None) -> None:
    interview = interview_for(tenant_a)
    run = AiRun.objects.create(feature="generate_interview_feedback", tenant_id=tenant_a.company.pk, status="succeeded")
    client = Client()
    client.force_login(tenant_a.user)

    response = client.post(f"/interviews/{interview.pk}/", {"feedback": "x", "feedback_run_id": run.pk})

    assert response.status_code == 200 and "does not belong to this interview" in response.content.decode()
    interview.refresh_from_db()
    assert interview.feedback == ""


def test_interview_pages_are_tenant_scoped(tenant_a: Tenant, tenant_b: Tenant, local_only: None) -> None:
    interview = interview_for(tenant_a)
    interview_for(tenant_b, name="Globex Candidate")
    client = Client()
    client.force_login(tenant_b.user)

    assert client.get(f"/interviews/{interview.pk}/").status_code == 404
    assert client.post(f"/interviews/{interview.pk}/", {"feedback": "hijack"}).status_code == 404
    application = interview.candidate.applications.get()
    response = client.post("/interviews/new/", {"application": application.pk})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Interview.objects.filter(company=tenant_a.company).count() == 1
    assert Interview.objects.count() == 2


def test_create_an_interview_from_an_application(tenant_a: Tenant, local_only: None) -> None:
    existing = interview_for(tenant_a)
    application = existing.candidate.applications.get()
    client = Client()
    client.force_login(tenant_a.user)

    form = client.get(f"/interviews/new/?application={application.pk}").content.decode()
    assert f'value="{application.pk}" selected' in form
    response = client.post(
        "/interviews/new/",
        {"application": application.pk, "interviewer": tenant_a.user.pk, "scheduled_at": "2030-05-04T10:30"},
    )

    created = Interview.objects.exclude(pk=existing.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/interviews/{created.pk}/"
    assert (created.candidate_id, created.job_id, created.interviewer_id) == (
        application.candidate_id,
        application.job_id,
        tenant_a.user.pk,
    )
    application.refresh_from_db()
    assert application.stage == "interview"
