"""Every recruiter page is scoped to the user's company: another tenant's objects are 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from recruiting import services
from recruiting.models import Candidate, Interview
from tests.conftest import Tenant


@pytest.fixture
def client_a(tenant_a: Tenant) -> Client:
    client = Client()
    assert client.login(username=tenant_a.user.username, password=tenant_a.password)
    return client


@pytest.mark.django_db
def test_other_companys_pages_are_404(client_a: Client, tenant_a: Tenant, tenant_b: Tenant) -> None:
    own_job = services.job_create(company=tenant_a.company, title="Own job")
    foreign_job = services.job_create(company=tenant_b.company, title="Foreign job")
    foreign_candidate = Candidate.objects.create(company=tenant_b.company, full_name="Foreign Person")

    assert client_a.get(reverse("recruiting:job_detail", args=[own_job.pk])).status_code == 200
    assert client_a.get(reverse("recruiting:job_detail", args=[foreign_job.pk])).status_code == 404
    assert client_a.get(reverse("recruiting:candidate_detail", args=[foreign_candidate.pk])).status_code == 404


@pytest.mark.django_db
def test_lists_show_only_own_company(client_a: Client, tenant_a: Tenant, tenant_b: Tenant) -> None:
    services.job_create(company=tenant_a.company, title="Own backend job")
    services.job_create(company=tenant_b.company, title="Foreign design job")
    foreign = Candidate.objects.create(company=tenant_b.company, full_name="Foreign Person")
    Interview.objects.create(company=tenant_b.company, candidate=foreign, job=tenant_b.company.jobs.get())

    jobs_page = client_a.get(reverse("recruiting:job_list")).content.decode()
    assert "Own backend job" in jobs_page
    assert "Foreign design job" not in jobs_page
    assert "Foreign Person" not in client_a.get(reverse("recruiting:candidate_list")).content.decode()
    assert "Foreign Person" not in client_a.get(reverse("recruiting:interview_list")).content.decode()


@pytest.mark.django_db
def test_pages_need_login_and_a_company(client: Client, django_user_model: type) -> None:
    response = client.get(reverse("recruiting:job_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    django_user_model.objects.create_user(username="drifter", password="x-very-long-password")  # type: ignore[attr-defined]
    client.login(username="drifter", password="x-very-long-password")
    response = client.get(reverse("recruiting:job_list"))
    assert response.status_code == 403
    assert "not a member of any company" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "empty_text"),
    [
        ("recruiting:job_list", "No jobs yet"),
        ("recruiting:candidate_list", "No candidates yet"),
        ("recruiting:interview_list", "No interviews yet"),
        ("chat:index", "No CVs to chat about yet"),
    ],
)
def test_empty_states_explain_what_to_do(client_a: Client, url_name: str, empty_text: str) -> None:
    response = client_a.get(reverse(url_name))
    assert response.status_code == 200
    assert empty_text in response.content.decode()
