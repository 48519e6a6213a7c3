"""Document pages: notes written by recruiters and saved AI outputs, tenant-scoped and escaped."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from recruiting import services
from recruiting.models import Candidate, Document, Job
from recruiting.views.common import PAGE_SIZE
from tests.conftest import Tenant


def logged_in(tenant: Tenant) -> Client:
    client = Client()
    assert client.login(username=tenant.user.username, password=tenant.password)
    return client


def make_candidate(tenant: Tenant, name: str = "Ada Lovelace", email: str = "ada@example.com") -> Candidate:
    return services.candidate_create(
        company=tenant.company, actor=tenant.user, full_name=name, email=email, phone="", location=""
    )


def make_job(tenant: Tenant, title: str = "Backend Engineer") -> Job:
    return services.job_create(company=tenant.company, created_by=tenant.user, title=title)


@pytest.mark.django_db
def test_a_recruiter_writes_a_note_about_a_candidate_and_a_job(tenant_a: Tenant) -> None:
    candidate, job = make_candidate(tenant_a), make_job(tenant_a)
    client = logged_in(tenant_a)
    form = client.get(reverse("recruiting:document_create"), {"candidate": candidate.pk}).content.decode()
    assert f'<option value="{candidate.pk}" selected>' in form  # reached from the candidate page

    response = client.post(
        reverse("recruiting:document_create"),
        {
            "title": "Phone screen",
            "content": "Strong on SQL.\n\nAsk about Kafka.",
            "candidate": candidate.pk,
            "job": job.pk,
        },
    )

    document = Document.objects.get(company=tenant_a.company)
    assert response.status_code == 302
    assert response["Location"] == reverse("recruiting:document_detail", args=[document.pk])
    assert (document.kind, document.candidate, document.job, document.created_by) == (
        Document.Kind.NOTE,
        candidate,
        job,
        tenant_a.user,
    )
    detail = client.get(response["Location"]).content.decode()
    assert "<p>Strong on SQL.</p>" in detail and "<p>Ask about Kafka.</p>" in detail
    candidate_page = client.get(reverse("recruiting:candidate_detail", args=[candidate.pk])).content.decode()
    assert reverse("recruiting:document_detail", args=[document.pk]) in candidate_page


@pytest.mark.django_db
def test_bad_input_gets_clear_messages(tenant_a: Tenant) -> None:
    response = logged_in(tenant_a).post(reverse("recruiting:document_create"), {"title": "", "content": ""})
    assert response.status_code == 200 and response.content.decode().count("This field is required.") == 2
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_a_note_cannot_be_attached_to_another_companys_candidate_or_job(tenant_a: Tenant, tenant_b: Tenant) -> None:
    foreign_candidate, foreign_job = make_candidate(tenant_b), make_job(tenant_b)
    client = logged_in(tenant_a)
    form = client.get(reverse("recruiting:document_create"), {"candidate": foreign_candidate.pk}).content.decode()
    assert "Ada Lovelace" not in form

    response = client.post(
        reverse("recruiting:document_create"),
        {"title": "x", "content": "y", "candidate": foreign_candidate.pk, "job": foreign_job.pk},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Document.objects.exists()
    with pytest.raises(ValueError):
        services.document_create(
            company=tenant_a.company, created_by=tenant_a.user, title="x", candidate=foreign_candidate
        )


@pytest.mark.django_db
def test_another_companys_document_is_not_found_nor_listed(tenant_a: Tenant, tenant_b: Tenant) -> None:
    foreign = services.document_create(
        company=tenant_b.company, created_by=tenant_b.user, title="Globex secret", content="salary 90k"
    )
    client = logged_in(tenant_a)
    assert client.get(reverse("recruiting:document_detail", args=[foreign.pk])).status_code == 404
    listing = client.get(reverse("recruiting:document_list")).content.decode()
    assert "Globex secret" not in listing and "No documents yet" in listing


@pytest.mark.django_db
def test_ai_output_and_note_text_are_escaped(tenant_a: Tenant) -> None:
    attack = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    document = services.document_create(
        company=tenant_a.company,
        created_by=None,
        kind=Document.Kind.AI_OUTPUT,
        title=f"Summary {attack}",
        content=f"**Bold** {attack}",
        data={"summary": attack, "bullets": ["Python", attack], "warnings": [], "next_actions": ["Call back"]},
    )
    page = logged_in(tenant_a).get(reverse("recruiting:document_detail", args=[document.pk])).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<li>Python</li>" in page and "<h2>Next actions</h2>" in page and "<h2>Warnings</h2>" not in page


@pytest.mark.django_db
def test_list_filters_by_candidate_and_kind_and_paginates(tenant_a: Tenant) -> None:
    ada, grace = make_candidate(tenant_a), make_candidate(tenant_a, "Grace Hopper", "grace@example.com")
    for number in range(PAGE_SIZE + 2):
        services.document_create(
            company=tenant_a.company, created_by=tenant_a.user, title=f"Ada note {number:02d}", candidate=ada
        )
    services.document_create(
        company=tenant_a.company,
        created_by=tenant_a.user,
        title="Grace lens",
        candidate=grace,
        kind=Document.Kind.AI_OUTPUT,
    )
    client = logged_in(tenant_a)
    url = reverse("recruiting:document_list")

    first = client.get(url, {"candidate": ada.pk}).content.decode()
    assert first.count("Ada note") == PAGE_SIZE and "Grace lens" not in first
    assert f"candidate={ada.pk}&amp;page=2" in first  # the next page keeps the filter
    second = client.get(url, {"candidate": ada.pk, "page": 2}).content.decode()
    assert second.count("Ada note") == 2

    ai_only = client.get(url, {"kind": "ai_output"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    fragment = ai_only.content.decode()
    assert "Grace lens" in fragment and "Ada note" not in fragment
    assert "<html" not in fragment  # htmx gets the results partial only
    assert "No document of this kind" in client.get(url, {"kind": "cv_version"}).content.decode()
