"""One candidate per email and per phone within a company, held by the database (partial unique
constraints), so that concurrent CV parses of the same person cannot create two candidates."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from recruiting import services
from recruiting.models import Candidate
from recruiting.services.candidates import candidate_match_or_create, candidate_merge, candidate_update_from_profile
from tests.conftest import Tenant


@pytest.mark.django_db
def test_the_database_refuses_a_second_live_candidate_with_the_same_contact_key(tenant_a: Tenant) -> None:
    company = tenant_a.company
    first = Candidate.objects.create(company=company, email_key="ada@example.com", phone_key="442079460018")
    for keys in ({"email_key": "ada@example.com"}, {"phone_key": "442079460018"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Candidate.objects.create(company=company, **keys)
    # Blank keys repeat freely, a merged pointer may keep its key, and other companies are separate.
    Candidate.objects.create(company=company)
    Candidate.objects.create(company=company)
    Candidate.objects.create(company=company, email_key="ada@example.com", merged_into=first)
    other = services.company_get_or_create(slug="other", name="Other", plan="pro")
    Candidate.objects.create(company=other, email_key="ada@example.com")


@pytest.mark.django_db
def test_a_merge_hands_the_duplicates_keys_to_the_kept_candidate(tenant_a: Tenant) -> None:
    company = tenant_a.company
    keep = candidate_match_or_create(company=company, full_name="Ada", email="ada@example.com", phone="")
    duplicate = candidate_match_or_create(company=company, full_name="Ada L.", email="", phone="+44 20 7946 0018")

    candidate_merge(company=company, keep=keep, duplicate=duplicate, actor=tenant_a.user)

    keep.refresh_from_db()
    assert (keep.email_key, keep.phone_key) == ("ada@example.com", "442079460018")
    found = candidate_match_or_create(company=company, full_name="", email="", phone="0044 20 7946 0018")
    assert found.pk == keep.pk


@pytest.mark.django_db
def test_a_cv_contact_that_another_candidate_owns_is_kept_but_not_as_a_key(tenant_a: Tenant) -> None:
    company = tenant_a.company
    owner = candidate_match_or_create(company=company, full_name="Ada", email="", phone="+44 20 7946 0018")
    other = candidate_match_or_create(company=company, full_name="Grace", email="grace@example.com", phone="")

    candidate_update_from_profile(candidate=other, profile={"phone": "+44 20 7946 0018"}, injection_warnings=[])

    other.refresh_from_db()
    assert (other.phone, other.phone_key) == ("+44 20 7946 0018", "")
    assert candidate_match_or_create(company=company, full_name="", email="", phone="+442079460018").pk == owner.pk


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_concurrent_parses_of_one_person_make_one_candidate(tenant_a: Tenant) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    company = tenant_a.company
    workers = 8
    start = threading.Barrier(workers)
    made: list[int] = []
    errors: list[BaseException] = []

    def parse(index: int) -> None:
        try:
            start.wait()
            email = f"person{index % 2}@example.com"
            made.append(candidate_match_or_create(company=company, full_name="P", email=email, phone="").pk)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=parse, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors and len(made) == workers
    assert Candidate.objects.filter(company=company).count() == 2 == len(set(made))
