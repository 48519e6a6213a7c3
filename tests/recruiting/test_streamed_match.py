# ruff: noqa: F811 - pytest injects the imported gateway fixtures by name
"""The match explanation socket: an assessment (match_candidate, recruiter_lens) streamed into the
ranking page's panel on the local provider and the fake OpenAI server, stored on complete, escaped,
one AiRun about the candidate, anonymized review kept from page and prompt, tenant isolation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client
from django.urls import reverse

from config.asgi import application
from llm.models import AiRun
from recruiting.models import Candidate, Job, MatchAssessment
from tests.conftest import Tenant
from tests.fakes.openai_server import Fault
from tests.llm.conftest import Gateway, gateway, local_only  # noqa: F401 - fixtures used by name
from tests.recruiting.drafting_sockets import html_messages_until_end, json_events_until_end, socket_for, start
from tests.recruiting.test_matching_pages import SCRIPT, make_candidate, make_job

MODEL_REPLY = {
    "title": "Fit",
    "summary": f"Strong backend profile {SCRIPT}",
    "content": "",
    "bullets": ['"Built a billing API in Django backed by Postgres"'],
    "warnings": ["No Terraform"],
    "keywords_added": ["Terraform"],
    "next_actions": ["Ask about Terraform"],
    "score": 77,
    "strengths": [],
    "gaps": [],
}


def explain_path(job: Job, candidate: Candidate, mode: str = "") -> str:
    return f"/ws/recruiting/jobs/{job.pk}/ranking/{candidate.pk}/explain/" + (f"?mode={mode}" if mode else "")


def runs_about(candidate: Candidate, feature: str) -> list[AiRun]:
    return list(
        AiRun.objects.filter(feature=feature, subject_type="recruiting.candidate", subject_id=str(candidate.pk))
    )


async def setup(tenant: Tenant, capture: Any, **candidate: Any) -> tuple[Job, Candidate]:
    job = await sync_to_async(make_job)(tenant)
    person = await sync_to_async(make_candidate)(tenant, capture, **{"name": "Maria Lopez", **candidate})
    return job, person


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("feature", ["match_candidate", "recruiter_lens"])
async def test_local_assessment_streams_into_the_panel_is_stored_and_escaped(
    feature: str, local_only: None, tenant_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    job, candidate = await setup(
        tenant_a, django_capture_on_commit_callbacks, extra=f"- Ran the payment stack on AWS {SCRIPT}"
    )
    communicator = await socket_for(tenant_a.user, explain_path(job, candidate))
    connected, _ = await communicator.connect()
    assert connected and 'data-state="ready"' in await communicator.receive_from()

    await communicator.send_to(start(feature=feature))
    messages = await html_messages_until_end(communicator)
    await communicator.disconnect()

    page = "".join(messages)
    live = [m for m in messages if f'id="match-{feature}-' in m and "hx-swap-oob" in m]
    assert {m.split(f'id="match-{feature}-')[1].split('"')[0] for m in live} >= {"score", "summary", "bullets"}
    runs = await sync_to_async(runs_about)(candidate, feature)
    assert len(runs) == 1 and runs[0].status == "succeeded" and runs[0].tenant_id == tenant_a.company.pk
    assessment = await sync_to_async(MatchAssessment.objects.get)(job=job, candidate=candidate, feature=feature)
    assert assessment.rule_based and assessment.run_id == runs[0].pk and not assessment.anonymized
    assert assessment.output["score"] == assessment.llm_score and assessment.llm_score >= 60
    stored_block = messages[-1]
    assert f'id="assessment-{feature}" data-feature="{feature}" hx-swap-oob="true"' in stored_block
    assert f">{assessment.combined_score}</span> combined" in stored_block and "rule-based" in stored_block
    assert "Missing must-have skills: Terraform" in page
    assert "billing API in Django backed by Postgres" in page  # reasons quote the CV
    assert SCRIPT not in page and "on AWS &lt;script&gt;alert" in page  # quoted from the CV, as text


@pytest.mark.django_db(transaction=True)
async def test_model_assessment_pushes_score_summary_and_reasons_while_streaming(
    gateway: Gateway, tenant_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    job, candidate = await setup(tenant_a, django_capture_on_commit_callbacks)
    gateway.fake.script(Fault.reply(json.dumps(MODEL_REPLY)) | Fault.stream_chunks(30))
    communicator = await socket_for(tenant_a.user, explain_path(job, candidate, "json"))
    assert (await communicator.connect())[0]

    await communicator.send_to(start(feature="match_candidate"))
    events = await json_events_until_end(communicator)
    stored = await communicator.receive_json_from(timeout=5)
    await communicator.disconnect()

    kinds = [event["type"] for event in events]
    fields = [(event["name"], event["value"]) for event in events if event["type"] == "field"]
    assert fields == [
        ("summary", MODEL_REPLY["summary"]),
        ("bullets", MODEL_REPLY["bullets"]),
        ("warnings", MODEL_REPLY["warnings"]),
        ("score", 77),
    ]
    # The summary arrives while chunks are still streaming, not after the end.
    assert kinds.index("field") < len(kinds) - 1 - kinds[::-1].index("chunk") and kinds[-1] == "complete"
    runs = await sync_to_async(runs_about)(candidate, "match_candidate")
    assert len(runs) == 1 and runs[0].provider == "openai" and events[-1]["run_id"] == runs[0].pk
    assessment = await sync_to_async(MatchAssessment.objects.get)(job=job, candidate=candidate)
    assert stored == {"type": "stored", "assessment_id": assessment.pk, "combined_score": assessment.combined_score}
    assert assessment.llm_score == 77 and not assessment.rule_based and assessment.run_id == runs[0].pk
    assert assessment.combined_score == round(0.35 * assessment.keyword_score + 0.65 * 77)
    prompt = gateway.fake.requests[-1].body["messages"][-1]["content"]
    assert "<cv>" in prompt and "Built a billing API" in prompt and "Title: Senior Backend Engineer" in prompt


@pytest.mark.django_db(transaction=True)
async def test_model_assessment_in_htmx_mode_escapes_markup(
    gateway: Gateway, tenant_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    job, candidate = await setup(tenant_a, django_capture_on_commit_callbacks)
    gateway.fake.script(Fault.reply(json.dumps(MODEL_REPLY)))
    communicator = await socket_for(tenant_a.user, explain_path(job, candidate))
    assert (await communicator.connect())[0]
    await communicator.receive_from()  # ready

    await communicator.send_to(start(feature="recruiter_lens"))
    page = "".join(await html_messages_until_end(communicator))
    await communicator.disconnect()

    assert SCRIPT not in page and "Strong backend profile &lt;script&gt;" in page
    assert '<span class="badge score" id="match-recruiter_lens-score" hx-swap-oob="true">77</span>' in page
    assert "&quot;Built a billing API in Django backed by Postgres&quot;" in page
    assert "rule-based" not in page


async def socket_with_session(client: Client, path: str) -> WebsocketCommunicator:
    """A socket that shares a test client's session (and so its anonymized-review switch)."""
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


def anonymized_recruiter(tenant: Tenant, job: Job) -> tuple[Client, str]:
    try:
        client = Client()
        assert client.login(username=tenant.user.username, password=tenant.password)
        ranking = client.get(reverse("recruiting:job_ranking", args=[job.pk]), {"anonymized": "1"})
        return client, ranking.content.decode()
    finally:
        connection.close()  # a worker thread's connection must not outlive the test DB


@pytest.mark.django_db(transaction=True)
async def test_anonymized_review_hides_identity_from_panel_stream_and_prompt(
    gateway: Gateway, tenant_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    job, candidate = await setup(tenant_a, django_capture_on_commit_callbacks, pronoun="She")
    client, ranking = await sync_to_async(anonymized_recruiter)(tenant_a, job)
    panel = await sync_to_async(client.get)(reverse("recruiting:match_explanation", args=[job.pk, candidate.pk]))
    reply = {**MODEL_REPLY, "summary": "Solid backend engineer."}
    gateway.fake.script(Fault.reply(json.dumps(reply)))
    communicator = await socket_with_session(client, explain_path(job, candidate))
    assert (await communicator.connect())[0]
    await communicator.receive_from()  # ready

    await communicator.send_to(start(feature="match_candidate"))
    stream = "".join(await html_messages_until_end(communicator))
    await communicator.disconnect()

    prompt = gateway.fake.requests[-1].body["messages"][-1]["content"]
    for text in (ranking, panel.content.decode(), stream, prompt):
        for cue in ("Maria", "Lopez", "marialopez@example.com", "+49 30", "github.com"):
            assert cue not in text, cue
    assert f"Candidate #{candidate.pk}" in panel.content.decode() and f"Candidate #{candidate.pk}" in prompt
    assert "She builds" not in prompt and "They builds" in prompt and "Built a billing API" in prompt
    assert (await sync_to_async(MatchAssessment.objects.get)(candidate=candidate)).anonymized


@pytest.mark.django_db(transaction=True)
async def test_anonymized_switch_turned_on_after_the_panel_opened_still_anonymizes(
    gateway: Gateway, tenant_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    job, candidate = await setup(tenant_a, django_capture_on_commit_callbacks)
    client = Client()
    assert await sync_to_async(client.login)(username=tenant_a.user.username, password=tenant_a.password)
    gateway.fake.script(Fault.reply(json.dumps(MODEL_REPLY)))
    communicator = await socket_with_session(client, explain_path(job, candidate, "json"))
    assert (await communicator.connect())[0]
    # Another tab turns the switch on while this socket is open.
    await sync_to_async(client.get)(reverse("recruiting:job_ranking", args=[job.pk]), {"anonymized": "1"})

    await communicator.send_to(start(feature="match_candidate"))
    await json_events_until_end(communicator)
    await communicator.receive_json_from(timeout=5)  # stored
    await communicator.disconnect()

    prompt = gateway.fake.requests[-1].body["messages"][-1]["content"]
    assert "Maria" not in prompt and f"Candidate #{candidate.pk}" in prompt
    assert (await sync_to_async(MatchAssessment.objects.get)(candidate=candidate)).anonymized


@pytest.mark.django_db(transaction=True)
async def test_another_companys_job_or_candidate_closes_4403_and_anonymous_4401_without_a_run(
    local_only: None, tenant_a: Tenant, tenant_b: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    job, candidate = await setup(tenant_a, django_capture_on_commit_callbacks)
    their_job = await sync_to_async(make_job)(tenant_b)
    for path in (explain_path(job, candidate), explain_path(their_job, candidate)):
        communicator = await socket_for(tenant_b.user, path)
        assert await communicator.connect() == (False, 4403)
    anonymous = await socket_for(None, explain_path(job, candidate))
    assert await anonymous.connect() == (False, 4401)
    assert await sync_to_async(AiRun.objects.filter(feature__in=["match_candidate", "recruiter_lens"]).count)() == 0


@pytest.mark.django_db(transaction=True)
async def test_unknown_feature_and_missing_cv_are_refused_without_a_run(
    local_only: None, tenant_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    job, candidate = await setup(tenant_a, django_capture_on_commit_callbacks)
    no_cv = await sync_to_async(Candidate.objects.create)(company=tenant_a.company, full_name="No CV")
    communicator = await socket_for(tenant_a.user, explain_path(job, candidate, "json"))
    assert (await communicator.connect())[0]
    await communicator.send_to(start(feature="parse_cv"))
    refused = await communicator.receive_json_from(timeout=5)
    await communicator.disconnect()
    assert (refused["code"], refused["message"]) == ("invalid_request", "Unknown assessment.")

    communicator = await socket_for(tenant_a.user, explain_path(job, no_cv, "json"))
    assert (await communicator.connect())[0]
    await communicator.send_to(start(feature="match_candidate"))
    refused = await communicator.receive_json_from(timeout=5)
    await communicator.disconnect()
    assert refused["message"] == "This candidate has no parsed CV yet."
    assert await sync_to_async(AiRun.objects.filter(feature__in=["match_candidate", "recruiter_lens"]).count)() == 0
