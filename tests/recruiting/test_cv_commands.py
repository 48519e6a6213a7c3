from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from llm.models import AiRun, PromptTemplate
from llm.selectors import catalog, catalog_invalidate
from recruiting import services
from recruiting.models import CV, AuditEvent, Candidate
from tests.conftest import Tenant
from tests.recruiting.cv_files import cv_text


def run_command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def parsed_cvs(tenant_a: Tenant, django_capture_on_commit_callbacks: Any) -> list[CV]:
    with django_capture_on_commit_callbacks(execute=True):
        for index in range(3):
            services.cv_create_from_text(company=tenant_a.company, filename=f"{index}.txt", text=cv_text(index))
    return list(CV.objects.filter(company=tenant_a.company).order_by("id"))


def production_parse_cv_version() -> int:
    template = catalog().prompt("parse_cv")
    assert template is not None
    return template.version


@pytest.mark.django_db
def test_reparse_after_a_new_prompt_version_then_nothing_to_do(parsed_cvs: list[CV], tenant_a: Tenant) -> None:
    assert "0 CV(s) would be reparsed" in run_command("reparse_cvs", "--dry-run")

    # An operator publishes a new version of the prompt in use.
    old = production_parse_cv_version()
    new = old + 1
    template = PromptTemplate.objects.get(slug="parse_cv", version=old)
    PromptTemplate.objects.filter(pk=template.pk).update(label=PromptTemplate.Label.STAGING)
    template.pk, template.version, template.label = None, new, PromptTemplate.Label.PRODUCTION
    template.save()
    catalog_invalidate()

    dry = run_command("reparse_cvs", "--dry-run", "--company", tenant_a.company.slug)
    assert "3 CV(s) would be reparsed" in dry and f"v{old} → v{new}" in dry
    assert AiRun.objects.filter(feature="parse_cv").count() == 3  # dry run called nothing

    assert "Reparsed 3 CV(s)" in run_command("reparse_cvs", "--sync", "--company", tenant_a.company.slug)
    assert set(CV.objects.values_list("prompt_version", flat=True)) == {new}
    assert AiRun.objects.filter(feature="parse_cv", prompt_version=new).count() == 3

    assert "Reparsed 0 CV(s)" in run_command("reparse_cvs", "--sync")
    assert AiRun.objects.filter(feature="parse_cv").count() == 6


@pytest.mark.django_db
def test_cvs_parsed_with_v1_are_reparsed_with_the_dates_as_written_prompt(parsed_cvs: list[CV]) -> None:
    """The shipped parse_cv.v2 (dates kept as written) supersedes v1 on existing databases."""
    assert production_parse_cv_version() >= 2
    CV.objects.filter(pk__in=[cv.pk for cv in parsed_cvs]).update(prompt_version=1)

    assert f"v1 → v{production_parse_cv_version()}" in run_command("reparse_cvs", "--dry-run")
    run_command("reparse_cvs", "--sync")

    assert set(CV.objects.values_list("prompt_version", flat=True)) == {production_parse_cv_version()}
    assert CV.objects.get(pk=parsed_cvs[0].pk).profile["experience"][0]["start"] == "March 2019"


@pytest.mark.django_db
def test_reembed_only_what_lacks_an_embedding(parsed_cvs: list[CV]) -> None:
    assert "0 CV(s) would be re-embedded" in run_command("reembed_cvs", "--dry-run")
    CV.objects.filter(pk=parsed_cvs[0].pk).update(embedded_at=None, embedding=None)
    assert "Re-embedded 1 CV(s)" in run_command("reembed_cvs", "--sync")
    assert CV.objects.get(pk=parsed_cvs[0].pk).embedding


@pytest.mark.django_db
def test_selection_options_are_validated(parsed_cvs: list[CV]) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no company"):
        run_command("reparse_cvs", "--company", "nope")
    with pytest.raises(CommandError, match="comma-separated"):
        run_command("reparse_cvs", "--ids", "x,y")
    assert "1 CV(s) would be re-embedded" in run_command(
        "reembed_cvs", "--dry-run", "--force", "--ids", str(parsed_cvs[0].pk)
    )


@pytest.mark.django_db
def test_delete_candidate_erases_everything_but_anonymous_costs(parsed_cvs: list[CV], tenant_a: Tenant) -> None:
    candidate = parsed_cvs[0].candidate
    assert candidate is not None
    cv_file = parsed_cvs[0].file.path
    runs_before = AiRun.objects.count()

    assert "Erased candidate" in run_command("delete_candidate", str(candidate.pk), "--yes")

    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    assert not CV.objects.filter(pk=parsed_cvs[0].pk).exists()
    import os

    assert not os.path.exists(cv_file)
    assert AiRun.objects.count() == runs_before  # cost figures stay
    assert not AiRun.objects.filter(subject_type="recruiting.cv", subject_id=str(parsed_cvs[0].pk)).exists()
    assert AuditEvent.objects.filter(candidate_id=candidate.pk, action="erased").exists()
