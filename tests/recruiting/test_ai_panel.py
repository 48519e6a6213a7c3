"""The AI panel: context chips change the prompt context and the token estimate; a memory note
reaches the prompt of the next run (seen in the fake server's recorded request); answers are saved
as tenant-scoped Documents; the job and candidate pages load the panel."""

from __future__ import annotations

import re
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from llm.models import AiMemory
from recruiting.models import Document
from recruiting.services.ai_panel import ai_panel_build, ai_panel_estimate, next_selection
from tests.conftest import Tenant, make_tenant
from tests.llm import conftest as llm_fixtures
from tests.llm.conftest import Gateway
from tests.recruiting.interviews import interview_for
from tests.recruiting.test_interview_feedback import connected_socket, events_until_end

gateway = llm_fixtures.gateway  # fixtures, used by name
local_only = llm_fixtures.local_only


def tokens_in(html: str) -> int:
    match = re.search(r'data-tokens="(\d+)"', html)
    assert match, html[:500]
    return int(match[1])


def logged_in(tenant: Tenant) -> Client:
    client = Client()
    client.force_login(tenant.user)
    return client


@pytest.mark.django_db
def test_chips_add_and_remove_context_and_change_the_token_estimate(tenant_a: Tenant, local_only: None) -> None:
    interview = interview_for(tenant_a)
    note = Document.objects.create(
        company=tenant_a.company, candidate=interview.candidate, title="Reference call", content="Reliable. " * 80
    )
    panel = ai_panel_build(host_type="interview", host=interview, user=tenant_a.user)
    cv_key = next(chip.key for chip in panel.chips if chip.kind == "cv")
    assert panel.selected_keys == [cv_key, f"job:{interview.job_id}", "memory:on"]
    assert "Shopware" in panel.context["cv_text"] and panel.context["documents"] == ""
    client = logged_in(tenant_a)
    url = f"/ai-panel/interview/{interview.pk}/"
    default = tokens_in(client.get(url).content.decode())
    assert default == ai_panel_estimate(panel=panel, user=tenant_a.user).input_tokens

    without_cv = client.get(url, {"chips": "1", "selected": panel.selected_keys, "toggle": cv_key}).content.decode()
    with_document = client.get(
        url, {"chips": "1", "selected": panel.selected_keys, "toggle": f"doc:{note.pk}"}
    ).content.decode()

    assert tokens_in(without_cv) < default < tokens_in(with_document)
    assert f'data-chip="{cv_key}" aria-pressed="false"' in without_cv
    assert f'data-chip="doc:{note.pk}" aria-pressed="true"' in with_document
    chosen = next_selection(selected=panel.selected_keys, toggle=f"doc:{note.pk}")
    context = ai_panel_build(host_type="interview", host=interview, user=tenant_a.user, selected=chosen).context
    assert "Reference call" in context["documents"]


def test_adding_a_cv_or_job_chip_replaces_the_one_of_its_kind() -> None:
    assert next_selection(selected=["cv:1", "job:2", "doc:3"], toggle="cv:9") == ["job:2", "doc:3", "cv:9"]
    assert next_selection(selected=["cv:1", "doc:3"], toggle="doc:4") == ["cv:1", "doc:3", "doc:4"]
    assert next_selection(selected=["cv:1", "doc:3"], toggle="doc:3") == ["cv:1"]


@pytest.mark.django_db(transaction=True)
async def test_a_memory_note_reaches_the_prompt_of_the_next_run(gateway: Gateway) -> None:
    def setup() -> tuple[Tenant, Any, str]:
        tenant = make_tenant(slug="acme")
        interview = interview_for(tenant)
        client = logged_in(tenant)
        response = client.post(
            f"/ai-panel/interview/{interview.pk}/memory/", {"key": "Location", "value": "Must be in Berlin"}
        )
        return tenant, interview, response.content.decode()

    tenant, interview, html = await sync_to_async(setup)()
    assert "Must be in Berlin" in html and "AI memory" in html and "1 note(s)" in html
    note = await sync_to_async(AiMemory.objects.get)()
    assert (note.user_id, note.scope_type, note.scope_id) == (tenant.user.pk, "job", str(interview.job_id))

    communicator = await connected_socket(tenant, interview)
    await communicator.send_json_to({"type": "start"})
    assert (await events_until_end(communicator))[-1]["type"] == "complete"
    system = gateway.fake.requests[-1].body["messages"][0]["content"]
    assert "<memory>" in system and "- Location: Must be in Berlin" in system

    # Without the memory chip the note stays out.
    keys = [
        key
        for key in (
            await sync_to_async(
                lambda: ai_panel_build(host_type="interview", host=interview, user=tenant.user).selected_keys
            )()
        )
        if key != "memory:on"
    ]
    await communicator.send_json_to({"type": "start", "selected": keys})
    assert (await events_until_end(communicator))[-1]["type"] == "complete"
    assert "Must be in Berlin" not in gateway.fake.requests[-1].body["messages"][0]["content"]
    await communicator.disconnect()


@pytest.mark.django_db
def test_memory_notes_are_per_recruiter_unless_shared_and_tenant_scoped(tenant_a: Tenant, local_only: None) -> None:
    interview = interview_for(tenant_a)
    colleague = make_tenant(slug="acme", username="colleague")
    client = logged_in(tenant_a)
    url = f"/ai-panel/interview/{interview.pk}/memory/"
    client.post(url, {"key": "Salary", "value": "Budget 80k"})
    client.post(url, {"key": "Location", "value": "Berlin", "shared": "on"})
    bad = client.post(url, {"key": "", "value": ""}).content.decode()
    assert "This field is required" in bad

    colleague_view = logged_in(colleague).get(f"/ai-panel/interview/{interview.pk}/").content.decode()
    assert "Berlin" in colleague_view and "Budget 80k" not in colleague_view
    outsider = logged_in(make_tenant(slug="globex", plan="pro"))
    assert outsider.get(f"/ai-panel/interview/{interview.pk}/").status_code == 404
    assert outsider.post(url, {"key": "x", "value": "y"}).status_code == 404
    shared = AiMemory.objects.get(key="Location")
    assert outsider.post(f"{url}{shared.pk}/delete/").status_code == 404
    assert logged_in(tenant_a).post(f"{url}{shared.pk}/delete/").status_code == 200
    assert list(AiMemory.objects.values_list("key", flat=True)) == ["Salary"]


@pytest.mark.django_db
def test_save_as_document_and_as_cv_version_is_tenant_scoped(tenant_a: Tenant, local_only: None) -> None:
    interview = interview_for(tenant_a)
    client = logged_in(tenant_a)
    url = f"/ai-panel/interview/{interview.pk}/save/"

    saved = client.post(url, {"kind": "ai_output", "title": "Feedback <b>", "content": "Strong Python."})
    cv_version = client.post(url, {"kind": "cv_version", "title": "Tailored CV", "content": "Ana, Python."})
    empty = client.post(url, {"kind": "ai_output", "content": ""})

    assert "Saved as “Feedback &lt;b&gt;” (AI output)" in saved.content.decode()
    assert "Saved as" in cv_version.content.decode() and "This field is required" in empty.content.decode()
    documents = list(Document.objects.order_by("pk"))
    assert [(d.kind, d.company_id, d.candidate_id, d.job_id) for d in documents] == [
        ("ai_output", tenant_a.company.pk, interview.candidate_id, interview.job_id),
        ("cv_version", tenant_a.company.pk, interview.candidate_id, interview.job_id),
    ]
    assert documents[0].created_by == tenant_a.user and documents[0].data["feature"] == "generate_interview_feedback"

    outsider = logged_in(make_tenant(slug="globex", plan="pro"))
    assert outsider.post(url, {"kind": "ai_output", "content": "x"}).status_code == 404
    assert Document.objects.count() == 2


@pytest.mark.django_db
def test_job_and_candidate_pages_load_the_panel(tenant_a: Tenant, local_only: None) -> None:
    interview = interview_for(tenant_a)
    client = logged_in(tenant_a)

    for host_type, pk, page in (
        ("job", interview.job_id, f"/jobs/{interview.job_id}/"),
        ("candidate", interview.candidate_id, f"/candidates/{interview.candidate_id}/"),
    ):
        assert f'hx-get="/ai-panel/{host_type}/{pk}/"' in client.get(page).content.decode()
        panel = client.get(f"/ai-panel/{host_type}/{pk}/").content.decode()
        assert f'ws-connect="/ws/ai-panel/{host_type}/{pk}/"' in panel
        assert "CV" in panel and "Job" in panel and tokens_in(panel) > 0
    assert client.get("/ai-panel/nope/1/").status_code == 404


@pytest.mark.django_db(transaction=True)
async def test_the_job_panel_streams_a_recruiter_lens_of_the_selected_cv(local_only: None) -> None:
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from llm.models import AiRun
    from tests.sockets import login_cookie

    def setup() -> tuple[Tenant, Any, str]:
        tenant = make_tenant(slug="acme")
        return tenant, interview_for(tenant), login_cookie(tenant.user)

    _, interview, cookie = await sync_to_async(setup)()
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost"), (b"cookie", f"sessionid={cookie}".encode())]
    communicator = WebsocketCommunicator(
        application, f"/ws/ai-panel/job/{interview.job_id}/?mode=json", headers=headers
    )
    assert (await communicator.connect())[0]

    await communicator.send_json_to({"type": "start"})
    events = await events_until_end(communicator)

    assert [e["status"] for e in events if e["type"] == "status"] == ["thinking", "analyzing", "generating"]
    assert "CV: Ana Silva" in next(e["message"] for e in events if e.get("status") == "analyzing")
    complete = events[-1]
    assert complete["type"] == "complete" and "score" in complete["output"]
    run = await sync_to_async(AiRun.objects.get)()
    assert (run.feature, run.subject_type, run.subject_id) == (
        "recruiter_lens",
        "recruiting.job",
        str(interview.job_id),
    )
    await communicator.disconnect()
