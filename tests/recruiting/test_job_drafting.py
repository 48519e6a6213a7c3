# ruff: noqa: F811 - pytest injects the imported gateway fixtures by name
"""Job drafting (generate_job_metadata): the incremental JSON parser, the rule-based draft, the
drafting socket (fields pushed to the form as the JSON completes) on the local provider and on the
fake OpenAI server, tenant isolation, saving a drafted job, and the JSON API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse

from llm.api.tokens import api_token_create
from llm.local import LocalRequest
from llm.models import AiRun
from llm.prompt_files import prompt_files
from recruiting import services
from recruiting.drafting.job_posting import draft_job_posting_locally
from recruiting.drafting.partial_json import MemberStream
from recruiting.models import Department, Job
from tests.conftest import Tenant
from tests.fakes.openai_server import Fault
from tests.llm.conftest import Gateway, gateway, local_only  # noqa: F401 - fixtures used by name
from tests.recruiting.drafting_sockets import html_messages_until_end, json_events_until_end, socket_for, start

SCRIPT = "<script>alert(1)</script>"
POSTING_SCHEMA: dict[str, Any] = next(
    p.output_schema for p in prompt_files() if p.slug == "generate_job_metadata" and p.version == 2 and p.output_schema
)
MODEL_POSTING = {
    "title": "Senior Backend Engineer",
    "summary": "Backend engineer for billing.",
    "content": f"Acme builds payroll software. {SCRIPT}",
    "responsibilities": ["Own the billing API", 'Review "tricky" PRs \\ escapes'],
    "qualifications": ["5+ years of backend work"],
    "skills": ["Python", "PostgreSQL"],
    "benefits": ["30 days of vacation"],
    "bullets": ["Python"],
    "warnings": [],
    "keywords_added": [],
    "next_actions": [],
}


# --- the incremental parser ---------------------------------------------------------------------


def _members(pieces: list[str]) -> list[tuple[str, Any]]:
    parser = MemberStream()
    return [member for piece in pieces for member in parser.feed(piece)]


def test_member_stream_reports_each_member_once_whatever_the_chunk_boundaries() -> None:
    document = json.dumps({**MODEL_POSTING, "count": 12, "ok": True, "nested": {"a": [1, {"b": "}]"}]}})
    expected = list(json.loads(document).items())
    for size in (1, 2, 3, 7, 64, len(document)):
        pieces = [document[i : i + size] for i in range(0, len(document), size)]
        assert _members(pieces) == expected, size
    for cut in range(len(document)):  # every single split point, escapes and numbers included
        assert _members([document[:cut], document[cut:]]) == expected


def test_member_stream_reports_a_member_only_when_its_value_is_complete() -> None:
    parser = MemberStream()
    assert parser.feed('```json\n{"content": "Half a sent') == []
    assert parser.feed('ence.", "skills": ["Py') == [("content", "Half a sentence.")]
    assert parser.feed('thon"], "years": 1') == [("skills", ["Python"])]
    assert parser.feed("0") == []  # a number may go on
    assert parser.feed("}\n```") == [("years", 10)] and parser.done


# --- the rule-based draft -----------------------------------------------------------------------


def test_local_draft_is_templated_from_title_notes_and_department_and_honest_about_benefits() -> None:
    context = {
        "title": "Senior Backend Engineer",
        "notes": "Own our billing API in Python.\nWe want a young digital native.",
        "department": "Platform",
        "department_technologies": "Kubernetes, Terraform",
        "company": "Acme",
        "location": "Berlin",
    }
    draft = draft_job_posting_locally(LocalRequest("generate_job_metadata", context, [], POSTING_SCHEMA, 1500))

    assert set(draft) == set(POSTING_SCHEMA["properties"])
    assert draft["content"].startswith("Acme is hiring a Senior Backend Engineer for the Platform team in Berlin.")
    assert "Own our billing API in Python" in draft["responsibilities"]
    assert draft["skills"] == ["Python", "Kubernetes", "Terraform"]
    assert draft["keywords_added"] == ["Kubernetes", "Terraform"]
    assert "5+ years of experience in a similar role" in draft["qualifications"]
    assert draft["benefits"] == [] and "The notes name no benefits: add the ones you offer." in draft["warnings"]
    assert "Check the wording: 'young' can exclude candidates." in draft["warnings"]
    assert not any("young" in line for line in [draft["content"], *draft["responsibilities"]])


# --- the drafting socket ------------------------------------------------------------------------


def make_job(tenant: Tenant, **fields: Any) -> Job:
    return services.job_create(company=tenant.company, title=fields.pop("title", "Backend Engineer"), **fields)


def draft_runs(job: Job) -> list[AiRun]:
    return list(AiRun.objects.filter(feature="generate_job_metadata", subject_type="recruiting.job", subject_id=job.pk))


@pytest.mark.django_db(transaction=True)
async def test_local_draft_streams_fields_into_the_form_escaped_with_one_run_about_the_job(
    local_only: None, tenant_a: Tenant
) -> None:
    department = await sync_to_async(Department.objects.create)(
        company=tenant_a.company, name="Platform", technologies=["Kubernetes", "Terraform"]
    )
    job = await sync_to_async(make_job)(tenant_a, department=department)
    communicator = await socket_for(tenant_a.user, f"/ws/recruiting/jobs/{job.pk}/draft/")
    connected, _ = await communicator.connect()
    assert connected and 'data-state="ready"' in await communicator.receive_from()

    notes = f"Own our billing API in Python {SCRIPT}.\n4+ years of backend experience.\nHybrid, 30 days vacation."
    await communicator.send_to(
        start(
            title="Senior Backend Engineer", department=str(department.pk), draft_notes=notes, csrfmiddlewaretoken="x"
        )
    )
    messages = await html_messages_until_end(communicator)
    await communicator.disconnect()

    page = "".join(messages)
    field_swaps = [m for m in messages if 'id="field-' in m]
    filled = [m.split('id="field-')[1].split('"')[0] for m in field_swaps]
    assert set(filled) == {"description", "responsibilities", "qualifications", "skills", "benefits"}
    assert all('hx-swap-oob="true"' in m for m in field_swaps)
    assert SCRIPT not in page and "Python &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Hybrid, 30 days vacation" in next(m for m in field_swaps if 'id="field-benefits"' in m)
    assert "Kubernetes\nTerraform" in next(m for m in field_swaps if 'id="field-skills"' in m)
    assert "rule-based (local)" in page
    runs = await sync_to_async(draft_runs)(job)
    assert len(runs) == 1 and runs[0].status == "succeeded" and runs[0].tenant_id == tenant_a.company.pk
    assert f'id="draft-run-id" value="{runs[0].pk}"' in page
    assert (await sync_to_async(Job.objects.get)(pk=job.pk)).description == ""  # nothing saved by drafting


@pytest.mark.django_db(transaction=True)
async def test_model_draft_pushes_each_field_as_its_json_completes(gateway: Gateway, tenant_a: Tenant) -> None:
    gateway.fake.script(Fault.reply(json.dumps(MODEL_POSTING)) | Fault.stream_chunks(40))
    job = await sync_to_async(make_job)(tenant_a)
    communicator = await socket_for(tenant_a.user, f"/ws/recruiting/jobs/{job.pk}/draft/?mode=json")
    assert (await communicator.connect())[0]

    await communicator.send_to(start(title="Senior Backend Engineer", draft_notes="Billing API, Python."))
    events = await json_events_until_end(communicator)
    await communicator.disconnect()

    kinds = [event["type"] for event in events]
    fields = [(event["name"], event["value"]) for event in events if event["type"] == "field"]
    assert fields == [
        ("description", MODEL_POSTING["content"]),
        ("responsibilities", MODEL_POSTING["responsibilities"]),
        ("qualifications", MODEL_POSTING["qualifications"]),
        ("skills", MODEL_POSTING["skills"]),
        ("benefits", MODEL_POSTING["benefits"]),
    ]
    # Each field arrives while chunks are still streaming, not after the end.
    assert kinds.index("field") < len(kinds) - 1 - kinds[::-1].index("chunk") and kinds[-1] == "complete"
    prompt = gateway.fake.requests[-1].body["messages"][-1]["content"]
    assert "Job title: Senior Backend Engineer" in prompt and "<notes>\nBilling API, Python.\n</notes>" in prompt
    runs = await sync_to_async(draft_runs)(job)
    assert len(runs) == 1 and runs[0].provider == "openai" and events[-1]["run_id"] == runs[0].pk


@pytest.mark.django_db(transaction=True)
async def test_model_draft_in_htmx_mode_escapes_markup(gateway: Gateway, tenant_a: Tenant) -> None:
    gateway.fake.script(Fault.reply(json.dumps(MODEL_POSTING)))
    communicator = await socket_for(tenant_a.user, "/ws/recruiting/jobs/draft/")
    assert (await communicator.connect())[0]
    await communicator.receive_from()  # ready

    await communicator.send_to(start(title="Senior Backend Engineer"))
    page = "".join(await html_messages_until_end(communicator))
    await communicator.disconnect()

    assert SCRIPT not in page and "payroll software. &lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in page
    assert "Review &quot;tricky&quot; PRs \\ escapes" in page
    run = await sync_to_async(AiRun.objects.get)()
    assert (run.feature, run.subject_type, run.subject_id) == ("generate_job_metadata", "", "")  # no job yet


@pytest.mark.django_db(transaction=True)
async def test_another_companys_job_closes_the_socket_and_department_is_refused(
    local_only: None, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    their_job = await sync_to_async(make_job)(tenant_b)
    their_department = await sync_to_async(Department.objects.create)(company=tenant_b.company, name="Sales")
    communicator = await socket_for(tenant_a.user, f"/ws/recruiting/jobs/{their_job.pk}/draft/")
    connected, code = await communicator.connect()
    assert not connected and code == 4403

    communicator = await socket_for(tenant_a.user, "/ws/recruiting/jobs/draft/?mode=json")
    assert (await communicator.connect())[0]
    await communicator.send_to(start(title="Seller", department=str(their_department.pk)))
    refused = await communicator.receive_json_from()
    await communicator.send_to(start(title=""))
    untitled = await communicator.receive_json_from()
    await communicator.disconnect()

    assert refused["code"] == "invalid_request" and "valid choice" in refused["message"]
    assert untitled["message"] == "Enter a job title to draft from."
    assert await sync_to_async(AiRun.objects.count)() == 0


# --- saving a drafted job -----------------------------------------------------------------------


@pytest.mark.django_db
def test_saving_a_new_job_claims_its_draft_run_but_not_another_tenants(
    local_only: None, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    from llm import runner

    mine = runner.run(
        feature="generate_job_metadata", context={"title": "Data Engineer"}, tenant=tenant_a.company, user=tenant_a.user
    )
    theirs = runner.run(
        feature="generate_job_metadata", context={"title": "Seller"}, tenant=tenant_b.company, user=tenant_b.user
    )
    client = Client()
    client.force_login(tenant_a.user)
    form = {"title": "Data Engineer", "status": "draft", "skills": "Python\nSQL", "description": mine.output["content"]}

    client.post(reverse("recruiting:job_create"), {**form, "draft_run_id": str(theirs.run_id)})
    client.post(reverse("recruiting:job_create"), {**form, "draft_run_id": str(mine.run_id)})

    first, second = Job.objects.filter(company=tenant_a.company).order_by("pk")
    assert second.skills == ["Python", "SQL"] and second.description == "We are hiring a Data Engineer."
    assert draft_runs(first) == [] and [run.pk for run in draft_runs(second)] == [mine.run_id]
    assert AiRun.objects.get(pk=theirs.run_id).subject_type == ""


# --- the JSON API -------------------------------------------------------------------------------


def _run_api(tenant: Tenant, context: dict[str, Any]) -> dict[str, Any]:
    token = api_token_create(user=tenant.user, name="tests")[1]
    response = Client().post(
        "/api/v1/ai/run",
        data=json.dumps({"feature": "generate_job_metadata", "context": context}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db(transaction=True)
def test_api_run_drafts_a_structured_posting_on_the_local_provider(local_only: None, tenant_a: Tenant) -> None:
    context = {"title": "Frontend Engineer", "notes": "React and TypeScript. Remote-first.", "department": "Web"}

    body = _run_api(tenant_a, context)

    posting = body["output"]
    assert set(posting) == set(POSTING_SCHEMA["properties"]) and body["rule_based"]
    assert posting["skills"][:2] == ["React", "TypeScript"] and posting["benefits"] == ["Remote-first"]
    assert "Frontend Engineer for the Web team" in posting["content"]
    run = AiRun.objects.get(pk=body["run_id"])
    assert (run.feature, run.tenant_id, run.prompt_version) == ("generate_job_metadata", tenant_a.company.pk, 2)


@pytest.mark.django_db(transaction=True)
def test_api_run_returns_the_models_structured_posting(gateway: Gateway, tenant_a: Tenant) -> None:
    gateway.fake.script(Fault.reply(json.dumps(MODEL_POSTING)))

    body = _run_api(tenant_a, {"title": "Senior Backend Engineer", "notes": "Billing.", "department": "Platform"})

    assert body["output"] == MODEL_POSTING and body["provider"] == "openai"
    prompt = gateway.fake.requests[-1].body["messages"][-1]["content"]
    assert "Department: Platform" in prompt and "<notes>\nBilling.\n</notes>" in prompt
