# ruff: noqa: F811 - pytest injects the imported gateway fixtures by name
"""The company profile extraction socket: a posted source (upload, pasted HTML) streamed through
extract_company_info into the review form, escaped, one AiRun about the company, nothing saved;
the source id is bound to its company and user (4403 otherwise, 4401 when anonymous)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from llm.models import AiRun
from recruiting.models import Company, Department
from tests.conftest import Tenant
from tests.fakes.openai_server import Fault
from tests.llm.conftest import Gateway, gateway, local_only  # noqa: F401 - fixtures used by name
from tests.recruiting.drafting_sockets import html_messages_until_end, json_events_until_end, socket_for
from tests.recruiting.test_profiles import SCRIPT, SITE_HTML, client_for, company_runs, schema, source_token


def posted_source(tenant: Tenant, **source: Any) -> str:
    try:
        page = client_for(tenant).post(reverse("recruiting:company_profile_extract"), source).content.decode()
        return source_token(page)
    finally:
        connection.close()  # a worker thread's connection must not outlive the test DB


@pytest.mark.django_db(transaction=True)
async def test_local_extraction_of_an_uploaded_page_streams_into_the_review_form_escaped_and_unsaved(
    local_only: None, tenant_a: Tenant
) -> None:
    await sync_to_async(Department.objects.create)(company=tenant_a.company, name="Sales")
    # Markup written as entities is text on the page: it survives HTML-to-text and must be escaped.
    html = SITE_HTML.replace("Our mission is", "Our mission &lt;script&gt;alert(1)&lt;/script&gt; is")
    upload = SimpleUploadedFile("about.html", html.encode(), content_type="text/html")
    token = await sync_to_async(posted_source)(tenant_a, page=upload)

    communicator = await socket_for(tenant_a.user, f"/ws/recruiting/company/extract/{token}/")
    assert (await communicator.connect())[0]
    messages = await html_messages_until_end(communicator)  # it starts on its own
    await communicator.disconnect()

    page = "".join(messages)
    runs = await sync_to_async(company_runs)(tenant_a.company)
    assert len(runs) == 1 and runs[0].status == "succeeded" and runs[0].tenant_id == tenant_a.company.pk
    filled = {m.split('id="field-')[1].split('"')[0] for m in messages if 'id="field-' in m}
    assert filled >= {"name", "mission", "size", "new_departments", "website"}
    assert SCRIPT not in page and "Our mission &lt;script&gt;alert(1)&lt;/script&gt; is" in page
    assert 'value="Acme Payroll"' in page and "rule-based (local)" in page
    assert '<option value="51-200" selected>' in page
    new_departments = page.split('name="new_departments"')[1].split("</textarea>")[0]
    assert "Engineering\nCustomer Success" in new_departments and "Sales" not in new_departments  # Sales exists
    company = await sync_to_async(Company.objects.get)(pk=tenant_a.company.pk)
    assert (company.name, company.mission, company.values) == ("Acme", "", [])  # nothing saved yet

    # The id is spent: opening it again extracts nothing.
    again = await socket_for(tenant_a.user, f"/ws/recruiting/company/extract/{token}/")
    assert await again.connect() == (False, 4403)


@pytest.mark.django_db(transaction=True)
async def test_model_extraction_fences_the_site_text_and_pushes_fields_while_streaming(
    gateway: Gateway, tenant_a: Tenant
) -> None:
    answer = {
        name: [] if spec["type"] == "array" else ""
        for name, spec in schema("extract_company_info")["properties"].items()
    }
    answer |= {"name": f"Acme {SCRIPT}", "mission": "Payroll for all.", "values": ["Craft"], "size": "11-50"}
    gateway.fake.script(Fault.reply(json.dumps(answer)) | Fault.stream_chunks(25))
    token = await sync_to_async(posted_source)(tenant_a, text=SITE_HTML)

    communicator = await socket_for(tenant_a.user, f"/ws/recruiting/company/extract/{token}/?mode=json")
    assert (await communicator.connect())[0]
    events = await json_events_until_end(communicator)
    await communicator.disconnect()

    kinds = [event["type"] for event in events]
    fields = {event["name"]: event["value"] for event in events if event["type"] == "field"}
    assert fields["name"] == f"Acme {SCRIPT}" and fields["values"] == ["Craft"] and fields["size"] == "11-50"
    assert kinds.index("field") < len(kinds) - 1 - kinds[::-1].index("chunk") and kinds[-1] == "complete"
    prompt = gateway.fake.requests[-1].body["messages"][-1]["content"]
    assert prompt.startswith("<site>\nAcme Payroll | Payroll for small teams") and prompt.endswith("</site>")
    assert "window.track" not in prompt and "Ignore previous" not in prompt
    runs = await sync_to_async(company_runs)(tenant_a.company)
    assert len(runs) == 1 and runs[0].provider == "openai" and runs[0].prompt_version == 2


@pytest.mark.django_db(transaction=True)
async def test_model_extraction_in_htmx_mode_escapes_markup(gateway: Gateway, tenant_a: Tenant) -> None:
    answer = {
        name: [] if spec["type"] == "array" else ""
        for name, spec in schema("extract_company_info")["properties"].items()
    }
    gateway.fake.script(Fault.reply(json.dumps(answer | {"name": f"Acme {SCRIPT}"})))
    token = await sync_to_async(posted_source)(tenant_a, text=SITE_HTML)
    communicator = await socket_for(tenant_a.user, f"/ws/recruiting/company/extract/{token}/")
    assert (await communicator.connect())[0]
    page = "".join(await html_messages_until_end(communicator))
    await communicator.disconnect()
    assert SCRIPT not in page and 'value="Acme &lt;script&gt;alert(1)&lt;/script&gt;"' in page


@pytest.mark.django_db(transaction=True)
async def test_a_source_id_opens_only_for_its_company_and_user(
    local_only: None, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    token = await sync_to_async(posted_source)(tenant_a, text=SITE_HTML)
    path = f"/ws/recruiting/company/extract/{token}/"
    assert await (await socket_for(tenant_b.user, path)).connect() == (False, 4403)
    assert await (await socket_for(None, path)).connect() == (False, 4401)
    assert await (await socket_for(tenant_a.user, "/ws/recruiting/company/extract/guessed/")).connect() == (
        False,
        4403,
    )
    assert await sync_to_async(AiRun.objects.filter(feature="extract_company_info").count)() == 0
