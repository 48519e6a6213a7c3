"""The audit trail: who viewed, changed, exported or erased a candidate (field names, never values)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from recruiting import services
from recruiting.models import AuditEvent, Candidate, Membership
from tests.conftest import TEST_PASSWORD, Tenant
from tests.recruiting.cv_files import cv_text


def logged_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=TEST_PASSWORD)
    return client


@pytest.fixture
def admin(tenant_a: Tenant) -> Any:
    return services.member_create(
        company=tenant_a.company,
        username="acme-admin",
        email="admin@acme.example",
        password=TEST_PASSWORD,
        role=Membership.Role.ADMIN,
    )


@pytest.fixture
def candidate(tenant_a: Tenant, django_capture_on_commit_callbacks: Any) -> Candidate:
    """A candidate from a parsed CV, in a job's pipeline, with a note."""
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.cv_create_from_text(company=tenant_a.company, filename="cv.txt", text=cv_text(2))
    assert outcome.cv is not None
    outcome.cv.refresh_from_db()
    person = outcome.cv.candidate
    assert person is not None
    job = services.job_create(company=tenant_a.company, created_by=tenant_a.user, title="Backend Engineer")
    services.application_upsert(candidate=person, job=job)
    services.document_create(
        company=tenant_a.company, created_by=tenant_a.user, title="Phone screen", content="Strong.", candidate=person
    )
    return person


def events(candidate: Candidate, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(candidate_id=candidate.pk, action=action))


@pytest.mark.django_db
def test_viewing_the_candidate_page_is_recorded(tenant_a: Tenant, candidate: Candidate) -> None:
    logged_in(tenant_a.user.username).get(reverse("recruiting:candidate_detail", args=[candidate.pk]))
    [viewed] = events(candidate, AuditEvent.Action.VIEWED)
    assert viewed.actor == tenant_a.user and viewed.company == tenant_a.company


@pytest.mark.django_db
def test_an_edit_records_the_changed_field_names_without_values(tenant_a: Tenant, candidate: Candidate) -> None:
    client = logged_in(tenant_a.user.username)
    fields = {"full_name": candidate.full_name, "email": "new.address@example.org", "phone": candidate.phone}
    client.post(reverse("recruiting:candidate_edit", args=[candidate.pk]), {**fields, "location": "Hamburg"})
    client.post(reverse("recruiting:candidate_edit", args=[candidate.pk]), {**fields, "location": "Hamburg"})

    [changed] = events(candidate, AuditEvent.Action.CHANGED)  # the second, identical save changed nothing
    assert changed.actor == tenant_a.user
    assert changed.detail == "changed email, location"
    assert "new.address" not in changed.detail and "Hamburg" not in changed.detail


@pytest.mark.django_db
def test_a_candidate_created_by_hand_records_who_created_it(tenant_a: Tenant) -> None:
    logged_in(tenant_a.user.username).post(
        reverse("recruiting:candidate_create"), {"full_name": "Ada Lovelace", "email": "ada@example.com"}
    )
    candidate = Candidate.objects.get(company=tenant_a.company)
    [created] = events(candidate, AuditEvent.Action.CHANGED)
    assert created.detail == "created with full_name, email" and created.actor == tenant_a.user


@pytest.mark.django_db
def test_export_downloads_everything_as_json_and_is_recorded(tenant_a: Tenant, candidate: Candidate) -> None:
    client = logged_in(tenant_a.user.username)
    assert client.get(reverse("recruiting:candidate_export", args=[candidate.pk])).status_code == 405

    response = client.post(reverse("recruiting:candidate_export", args=[candidate.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="candidate-{candidate.pk}.json"'
    data = json.loads(response.content)
    assert data["candidate"]["email"] == candidate.email and data["candidate"]["id"] == candidate.pk
    [cv] = data["cvs"]
    assert cv["profile"]["email"] == candidate.email and cv["profile"]["experience"]  # the parsed JSON
    assert [a["job_title"] for a in data["applications"]] == ["Backend Engineer"]
    assert [d["title"] for d in data["documents"]] == ["Phone screen"]
    [exported] = events(candidate, AuditEvent.Action.EXPORTED)
    assert exported.actor == tenant_a.user and candidate.email not in exported.detail


@pytest.mark.django_db
def test_erasure_is_recorded_and_outlives_the_candidate(tenant_a: Tenant, admin: Any, candidate: Candidate) -> None:
    logged_in(admin.username).post(reverse("recruiting:candidate_erase", args=[candidate.pk]))
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    [erased] = events(candidate, AuditEvent.Action.ERASED)
    assert erased.actor == admin and candidate.full_name not in erased.detail


@pytest.mark.django_db
def test_admins_see_the_trail_and_recruiters_do_not(tenant_a: Tenant, admin: Any, candidate: Candidate) -> None:
    detail_url = reverse("recruiting:candidate_detail", args=[candidate.pk])
    recruiter = logged_in(tenant_a.user.username)
    recruiter.post(reverse("recruiting:candidate_export", args=[candidate.pk]))
    assert 'id="audit-trail"' not in recruiter.get(detail_url).content.decode()
    assert recruiter.get(reverse("recruiting:candidate_audit", args=[candidate.pk])).status_code == 403

    admin_client = logged_in(admin.username)
    page = admin_client.get(detail_url).content.decode()
    assert 'id="audit-trail"' in page and "Exported" in page and tenant_a.user.username in page
    full = admin_client.get(reverse("recruiting:candidate_audit", args=[candidate.pk])).content.decode()
    assert full.count("<tr>") == 1 + AuditEvent.objects.filter(candidate_id=candidate.pk).count()


@pytest.mark.django_db
def test_another_companys_candidate_cannot_be_exported_or_audited(
    tenant_a: Tenant, tenant_b: Tenant, candidate: Candidate
) -> None:
    outsider = services.member_create(
        company=tenant_b.company,
        username="globex-admin",
        email="a@globex.example",
        password=TEST_PASSWORD,
        role=Membership.Role.ADMIN,
    )
    client = logged_in(outsider.username)
    assert client.post(reverse("recruiting:candidate_export", args=[candidate.pk])).status_code == 404
    assert client.get(reverse("recruiting:candidate_audit", args=[candidate.pk])).status_code == 404
    assert not events(candidate, AuditEvent.Action.EXPORTED)
