# ruff: noqa: F811 - pytest injects the imported gateway fixtures by name
"""The department profile socket: generate_department_profile streamed into the edit form
(description, technologies, job templates), escaped, one AiRun about the department, nothing saved;
another company's department closes 4403, an anonymous socket 4401."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async

from llm.models import AiRun
from recruiting.models import Department
from tests.conftest import Tenant
from tests.fakes.openai_server import Fault
from tests.llm.conftest import Gateway, gateway, local_only  # noqa: F401 - fixtures used by name
from tests.recruiting.drafting_sockets import html_messages_until_end, json_events_until_end, socket_for, start
from tests.recruiting.test_profiles import SCRIPT, department_runs, schema


def empty_answer() -> dict[str, object]:
    """A schema-valid profile with every member empty."""
    properties = schema("generate_department_profile")["properties"].items()
    return {name: [] if spec["type"] == "array" else "" for name, spec in properties}


def profile_path(department: Department, mode: str = "") -> str:
    return f"/ws/recruiting/departments/{department.pk}/profile/" + (f"?mode={mode}" if mode else "")


@pytest.mark.django_db(transaction=True)
async def test_local_department_profile_streams_into_the_form_escaped_and_unsaved(
    local_only: None, tenant_a: Tenant
) -> None:
    tenant_a.company.mission = "Pay everyone correctly."
    await sync_to_async(tenant_a.company.save)()
    department = await sync_to_async(Department.objects.create)(
        company=tenant_a.company, name="Platform", description=f"Runs our Terraform and Go services {SCRIPT}."
    )
    communicator = await socket_for(tenant_a.user, profile_path(department))
    assert (await communicator.connect())[0]
    assert 'data-state="ready"' in await communicator.receive_from()

    await communicator.send_to(start())
    messages = await html_messages_until_end(communicator)
    await communicator.disconnect()

    page = "".join(messages)
    runs = await sync_to_async(department_runs)(department)
    assert len(runs) == 1 and runs[0].status == "succeeded" and runs[0].tenant_id == tenant_a.company.pk
    filled = {m.split('id="field-')[1].split('"')[0] for m in messages if 'id="field-' in m}
    assert filled == {"description", "technologies", "job_templates"}
    assert SCRIPT not in page and "Go services &lt;script&gt;alert(1)&lt;/script&gt;" in page
    technologies = page.split('name="technologies"')[1].split("</textarea>")[0]
    assert "Terraform\nGo\nKubernetes" in technologies
    assert "Platform Engineer\nSite Reliability Engineer" in page and "rule-based (local)" in page
    await sync_to_async(department.refresh_from_db)()
    assert department.technologies == [] and department.job_templates == []  # nothing saved yet


@pytest.mark.django_db(transaction=True)
async def test_model_department_profile_pushes_fields_while_streaming(gateway: Gateway, tenant_a: Tenant) -> None:
    department = await sync_to_async(Department.objects.create)(company=tenant_a.company, name="Data")
    answer = empty_answer()
    answer |= {"content": f"Data builds the warehouse. {SCRIPT}", "technologies": ["dbt"], "job_templates": ["Analyst"]}
    gateway.fake.script(Fault.reply(json.dumps(answer)) | Fault.stream_chunks(25))
    communicator = await socket_for(tenant_a.user, profile_path(department, "json"))
    assert (await communicator.connect())[0]

    await communicator.send_to(start())
    events = await json_events_until_end(communicator)
    await communicator.disconnect()

    kinds = [event["type"] for event in events]
    fields = {event["name"]: event["value"] for event in events if event["type"] == "field"}
    assert fields == {"description": answer["content"], "technologies": ["dbt"], "job_templates": ["Analyst"]}
    assert kinds.index("field") < len(kinds) - 1 - kinds[::-1].index("chunk") and kinds[-1] == "complete"
    prompt = gateway.fake.requests[-1].body["messages"][-1]["content"]
    assert "<department>\nName: Data" in prompt and "<company>\nAcme" in prompt
    runs = await sync_to_async(department_runs)(department)
    assert len(runs) == 1 and runs[0].provider == "openai" and events[-1]["run_id"] == runs[0].pk


@pytest.mark.django_db(transaction=True)
async def test_model_department_profile_in_htmx_mode_escapes_markup(gateway: Gateway, tenant_a: Tenant) -> None:
    department = await sync_to_async(Department.objects.create)(company=tenant_a.company, name="Data")
    answer = empty_answer()
    gateway.fake.script(Fault.reply(json.dumps(answer | {"content": f"Data builds the warehouse. {SCRIPT}"})))
    communicator = await socket_for(tenant_a.user, profile_path(department))
    assert (await communicator.connect())[0]
    await communicator.receive_from()  # ready
    await communicator.send_to(start())
    page = "".join(await html_messages_until_end(communicator))
    await communicator.disconnect()
    assert SCRIPT not in page and "Data builds the warehouse. &lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in page


@pytest.mark.django_db(transaction=True)
async def test_another_companys_department_closes_4403_and_anonymous_4401_without_a_run(
    local_only: None, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    theirs = await sync_to_async(Department.objects.create)(company=tenant_b.company, name="Sales")
    assert await (await socket_for(tenant_a.user, profile_path(theirs))).connect() == (False, 4403)
    assert await (await socket_for(None, profile_path(theirs))).connect() == (False, 4401)
    assert await sync_to_async(AiRun.objects.count)() == 0
