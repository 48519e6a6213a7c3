"""Candidate create and edit pages: deduplication by email/phone, CV files, tenant scoping."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from recruiting.models import CV, AuditEvent, Candidate
from tests.conftest import Tenant
from tests.recruiting.cv_files import cv_text


def logged_in(tenant: Tenant) -> Client:
    client = Client()
    assert client.login(username=tenant.user.username, password=tenant.password)
    return client


def candidate_fields(**overrides: str) -> dict[str, str]:
    return {
        "full_name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "+44 20 7946 0018",
        "location": "London",
        **overrides,
    }


def make_candidate(tenant: Tenant, **overrides: str) -> Candidate:
    from recruiting import services

    return services.candidate_create(company=tenant.company, actor=tenant.user, **candidate_fields(**overrides))


@pytest.mark.django_db
def test_create_stores_normalised_keys_and_links_to_the_new_candidate(tenant_a: Tenant) -> None:
    client = logged_in(tenant_a)
    assert "New candidate" in client.get(reverse("recruiting:candidate_list")).content.decode()
    assert client.get(reverse("recruiting:candidate_create")).status_code == 200

    response = client.post(reverse("recruiting:candidate_create"), candidate_fields())

    candidate = Candidate.objects.get(company=tenant_a.company)
    assert response.status_code == 302 and response["Location"] == reverse(
        "recruiting:candidate_detail", args=[candidate.pk]
    )
    assert (candidate.full_name, candidate.location) == ("Ada Lovelace", "London")
    assert candidate.email_key == "ada@example.com" and candidate.phone_key == "442079460018"


@pytest.mark.django_db
def test_create_with_a_known_email_or_phone_says_so_and_links_to_the_existing_candidate(tenant_a: Tenant) -> None:
    existing = make_candidate(tenant_a)
    client = logged_in(tenant_a)

    # Same email typed differently; then a new email but the same phone written another way.
    for fields in (
        candidate_fields(full_name="A. Lovelace", email=" ADA@Example.com ", phone=""),
        candidate_fields(full_name="Ada L.", email="other@example.com", phone="0044 20 7946 0018"),
    ):
        response = client.post(reverse("recruiting:candidate_create"), fields)
        page = response.content.decode()
        assert response.status_code == 200
        assert "This candidate already exists" in page
        assert reverse("recruiting:candidate_detail", args=[existing.pk]) in page
    assert Candidate.objects.filter(company=tenant_a.company).count() == 1


@pytest.mark.django_db
def test_the_same_email_in_another_company_is_another_person(tenant_a: Tenant, tenant_b: Tenant) -> None:
    make_candidate(tenant_a)
    response = logged_in(tenant_b).post(reverse("recruiting:candidate_create"), candidate_fields())
    assert response.status_code == 302
    assert Candidate.objects.filter(company=tenant_b.company, email_key="ada@example.com").count() == 1


@pytest.mark.django_db
def test_bad_input_gets_clear_messages(tenant_a: Tenant) -> None:
    client = logged_in(tenant_a)
    response = client.post(
        reverse("recruiting:candidate_create"), candidate_fields(full_name="", email="not-an-email", phone="12")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in page
    assert "Enter a valid email address." in page
    assert "at least 7 digits" in page
    assert not Candidate.objects.exists()


@pytest.mark.django_db
def test_create_with_cv_files_parses_them_onto_that_candidate(
    tenant_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in(tenant_a)
    # The CV names another person and email: typed details win, the CV fills the blanks.
    files = [SimpleUploadedFile("ada.txt", cv_text(4).encode()), SimpleUploadedFile("empty.txt", b"")]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("recruiting:candidate_create"), {**candidate_fields(location=""), "files": files}, follow=True
        )
    page = response.content.decode()
    candidate = Candidate.objects.get(company=tenant_a.company)
    cv = CV.objects.get(company=tenant_a.company)
    assert cv.candidate == candidate and cv.status == CV.Status.DONE
    assert candidate.email == "ada@example.com" and candidate.location == "Berlin, Germany"
    assert candidate.skills  # filled from the parsed CV
    assert "1 CV(s) queued" in page and "empty.txt: The file is empty." in page


@pytest.mark.django_db
def test_edit_saves_the_fields_and_updates_the_dedup_keys(tenant_a: Tenant) -> None:
    candidate = make_candidate(tenant_a)
    client = logged_in(tenant_a)
    form_page = client.get(reverse("recruiting:candidate_edit", args=[candidate.pk])).content.decode()
    assert 'value="ada@example.com"' in form_page

    response = client.post(
        reverse("recruiting:candidate_edit", args=[candidate.pk]),
        candidate_fields(email="ada@analytical.example", phone="+44 20 7946 0999"),
    )

    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.email_key == "ada@analytical.example" and candidate.phone_key == "442079460999"


@pytest.mark.django_db
def test_an_edit_that_collides_goes_to_the_merge_page_with_an_explanation(tenant_a: Tenant) -> None:
    ada = make_candidate(tenant_a)
    grace = make_candidate(tenant_a, full_name="Grace Hopper", email="grace@example.com", phone="+1 202 555 0147")
    client = logged_in(tenant_a)

    response = client.post(
        reverse("recruiting:candidate_edit", args=[ada.pk]), candidate_fields(phone="001 202 555 0147")
    )

    merge_url = reverse("recruiting:candidate_merge", args=[ada.pk])
    assert response.status_code == 302 and response["Location"].startswith(merge_url)
    page = client.get(response["Location"]).content.decode()
    assert "Your change was not saved" in page and "phone number you entered already belongs to" in page
    assert f'name="duplicate" value="{grace.pk}"' in page  # offered for merging, though the names differ
    ada.refresh_from_db()
    assert ada.phone_key == "442079460018"  # unchanged

    client.post(merge_url, {"duplicate": grace.pk})
    grace.refresh_from_db()
    assert grace.merged_into == ada


@pytest.mark.django_db
def test_merge_page_ignores_a_collision_hint_naming_another_company(tenant_a: Tenant, tenant_b: Tenant) -> None:
    ada = make_candidate(tenant_a)
    foreign = make_candidate(tenant_b)
    page = logged_in(tenant_a).get(
        reverse("recruiting:candidate_merge", args=[ada.pk]), {"with": str(foreign.pk), "field": "email"}
    )
    assert "Your change was not saved" not in page.content.decode()
    assert f'value="{foreign.pk}"' not in page.content.decode()


@pytest.mark.django_db
def test_another_companys_candidate_cannot_be_edited(tenant_a: Tenant, tenant_b: Tenant) -> None:
    foreign = make_candidate(tenant_b)
    client = logged_in(tenant_a)
    assert client.get(reverse("recruiting:candidate_edit", args=[foreign.pk])).status_code == 404
    response = client.post(reverse("recruiting:candidate_edit", args=[foreign.pk]), candidate_fields(full_name="X"))
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.full_name == "Ada Lovelace"
    assert not AuditEvent.objects.filter(company=tenant_a.company).exists()


def test_pages_need_a_login(client: Client, db: None) -> None:
    response = client.get(reverse("recruiting:candidate_create"))
    assert response.status_code == 302 and "login" in response["Location"]
