"""Candidate and CV pages: list with upload and search, detail, merge, erase."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from recruiting import selectors, services
from recruiting.decorators import company_member_required
from recruiting.forms import CandidateFilterForm
from recruiting.http import TenantRequest
from recruiting.models import AuditEvent, Membership
from recruiting.services.cvs import FINAL_STATUSES
from recruiting.views.common import MAX_FILES_PER_UPLOAD, PAGE_SIZE


@company_member_required
def candidate_list(request: TenantRequest) -> HttpResponse:
    company = request.company
    form = CandidateFilterForm(request.GET or None)
    filters = selectors.CandidateFilters()
    if form.is_valid():
        filters = selectors.CandidateFilters(
            query=form.cleaned_data["q"],
            mode=form.cleaned_data["mode"] or "keyword",
            skills=form.skill_list(),
            min_years=form.cleaned_data["min_years"],
            location=form.cleaned_data["location"],
            stage=form.cleaned_data["stage"],
        )
    hits = selectors.candidate_search(company=company, filters=filters)
    page = Paginator(hits, PAGE_SIZE).get_page(request.GET.get("page"))
    recent_cvs = selectors.cv_list(company=company)[:10]
    context = {"page": page, "form": form, "filters": filters, "recent_cvs": recent_cvs, "final": FINAL_STATUSES}
    template = (
        "recruiting/candidate_list.html#results"
        if request.htmx and request.htmx.target == "results"
        else "recruiting/candidate_list.html"
    )
    return render(request, template, context)


@require_POST
@company_member_required
def cv_upload(request: TenantRequest) -> HttpResponse:
    files = request.FILES.getlist("files")
    if not files:
        return render(
            request,
            "recruiting/candidate_list.html#upload-results",
            {"outcomes": [], "upload_error": "Choose one or more CV files (PDF, DOCX or TXT)."},
        )
    if len(files) > MAX_FILES_PER_UPLOAD:
        return render(
            request,
            "recruiting/candidate_list.html#upload-results",
            {"outcomes": [], "upload_error": f"Upload at most {MAX_FILES_PER_UPLOAD} files at once."},
        )
    outcomes = [
        services.cv_upload(company=request.company, uploaded_by=request.user, filename=f.name or "cv", data=f.read())
        for f in files
    ]
    return render(
        request, "recruiting/candidate_list.html#upload-results", {"outcomes": outcomes, "final": FINAL_STATUSES}
    )


@company_member_required
def cv_status(request: TenantRequest, pk: int) -> HttpResponse:
    cv = get_object_or_404(selectors.cv_list(company=request.company), pk=pk)
    return render(request, "recruiting/candidate_list.html#cv-status", {"cv": cv, "final": FINAL_STATUSES})


@require_POST
@company_member_required
def cv_retry(request: TenantRequest, pk: int) -> HttpResponse:
    cv = get_object_or_404(selectors.cv_list(company=request.company), pk=pk)
    services.cv_requeue(cv=cv, steps={"parse", "embed"})
    return render(request, "recruiting/candidate_list.html#cv-status", {"cv": cv, "final": FINAL_STATUSES})


@company_member_required
def candidate_detail(request: TenantRequest, pk: int) -> HttpResponse:
    company = request.company
    candidate = get_object_or_404(selectors.candidate_list(company=company), pk=pk)
    services.audit_record(
        company=company, actor=request.user, action=AuditEvent.Action.VIEWED, candidate_id=candidate.pk
    )
    context = {
        "candidate": candidate,
        "cvs": candidate.cvs.all(),
        "applications": candidate.applications.select_related("job"),
        "jobs": selectors.job_list(company=company).exclude(applications__candidate=candidate),
        "duplicates": selectors.possible_duplicates(candidate=candidate),
        "is_admin": request.user.membership.role == Membership.Role.ADMIN,  # type: ignore[union-attr]
        "final": FINAL_STATUSES,
    }
    return render(request, "recruiting/candidate_detail.html", context)


@require_POST
@company_member_required
def candidate_apply(request: TenantRequest, pk: int) -> HttpResponse:
    company = request.company
    candidate = get_object_or_404(selectors.candidate_list(company=company), pk=pk)
    job = get_object_or_404(selectors.job_list(company=company), pk=request.POST.get("job") or 0)
    services.application_upsert(candidate=candidate, job=job)
    messages.success(request, f"Added to “{job.title}”.")
    return redirect("recruiting:candidate_detail", pk=candidate.pk)


@company_member_required
def candidate_merge(request: TenantRequest, pk: int) -> HttpResponse:
    company = request.company
    candidate = get_object_or_404(selectors.candidate_list(company=company), pk=pk)
    if request.method == "POST":
        duplicate = get_object_or_404(selectors.candidate_list(company=company), pk=request.POST.get("duplicate") or 0)
        services.candidate_merge(company=company, keep=candidate, duplicate=duplicate, actor=request.user)
        messages.success(request, f"Merged candidate #{duplicate.pk} into this one.")
        return redirect("recruiting:candidate_detail", pk=candidate.pk)
    return render(
        request,
        "recruiting/candidate_merge.html",
        {"candidate": candidate, "duplicates": selectors.possible_duplicates(candidate=candidate)},
    )


@require_POST
@company_member_required
def candidate_erase(request: TenantRequest, pk: int) -> HttpResponse:
    company = request.company
    if request.user.membership.role != Membership.Role.ADMIN:  # type: ignore[union-attr]
        messages.error(request, "Only company admins can erase candidates.")
        return redirect("recruiting:candidate_detail", pk=pk)
    candidate = get_object_or_404(selectors.candidate_list(company=company), pk=pk)
    services.candidate_erase(company=company, candidate=candidate, actor=request.user)
    messages.success(request, "The candidate and all their data were erased.")
    return redirect("recruiting:candidate_list")
