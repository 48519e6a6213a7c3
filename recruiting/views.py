"""Recruiter pages. Thin: parse input, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from recruiting import selectors, services
from recruiting.decorators import company_member_required
from recruiting.forms import CandidateFilterForm, JobForm
from recruiting.http import TenantRequest
from recruiting.models import Application, AuditEvent, Job, Membership
from recruiting.services.cvs import FINAL_STATUSES

PAGE_SIZE = 25
MAX_FILES_PER_UPLOAD = 50


# --- Jobs ---------------------------------------------------------------------------------------


@company_member_required
def job_list(request: TenantRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    jobs = selectors.job_list(company=request.company, status=status)
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "recruiting/job_list.html", {"page": page, "status": status, "statuses": Job.Status.choices})


@company_member_required
def job_detail(request: TenantRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(selectors.job_list(company=request.company), pk=pk)
    return render(request, "recruiting/job_detail.html", {"job": job})


@company_member_required
def job_edit(request: TenantRequest, pk: int | None = None) -> HttpResponse:
    company = request.company
    job = get_object_or_404(selectors.job_list(company=company), pk=pk) if pk else None
    form = JobForm(request.POST or None, instance=job, company=company)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if job is None:
            job = services.job_create(company=company, created_by=request.user, **changes)
            messages.success(request, "Job created.")
        else:
            services.job_update(job=job, **changes)
            messages.success(request, "Job saved.")
        return redirect("recruiting:job_detail", pk=job.pk)
    return render(request, "recruiting/job_form.html", {"form": form, "job": job})


@company_member_required
def job_board(request: TenantRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(selectors.job_list(company=request.company), pk=pk)
    return _render_board(request, job)


def _render_board(request: TenantRequest, job: Job) -> HttpResponse:
    board = selectors.applications_by_stage(job=job)
    columns = [(value, label, board[value]) for value, label in Application.Stage.choices]
    template = "recruiting/job_board.html#board" if request.htmx else "recruiting/job_board.html"
    return render(request, template, {"job": job, "columns": columns, "stages": Application.Stage.choices})


@require_POST
@company_member_required
def application_move(request: TenantRequest, pk: int) -> HttpResponse:
    company = request.company
    application = get_object_or_404(Application.objects.filter(company=company).select_related("job"), pk=pk)
    stage = request.POST.get("stage", "")
    if stage not in Application.Stage.values:
        return HttpResponseBadRequest("Unknown stage.")
    services.application_move(application=application, stage=stage)
    return _render_board(request, application.job)


# --- Candidates and CVs -------------------------------------------------------------------------


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


# --- Interviews ---------------------------------------------------------------------------------


@company_member_required
def interview_list(request: TenantRequest) -> HttpResponse:
    interviews = selectors.interview_list(company=request.company)
    page = Paginator(interviews, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "recruiting/interview_list.html", {"page": page})


# --- Matching -----------------------------------------------------------------------------------

ANONYMIZED_REVIEW_SESSION_KEY = "anonymized_review"


def _anonymized_review(request: TenantRequest) -> bool:
    """The recruiter's "anonymized review" switch: `?anonymized=1|0` sets it for the session."""
    if "anonymized" in request.GET:
        request.session[ANONYMIZED_REVIEW_SESSION_KEY] = request.GET["anonymized"] == "1"
    return bool(request.session.get(ANONYMIZED_REVIEW_SESSION_KEY, False))


@company_member_required
def job_ranking(request: TenantRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(selectors.job_list(company=request.company), pk=pk)
    anonymized = _anonymized_review(request)
    ranked = selectors.job_ranking(job=job, anonymized=anonymized)
    return render(request, "recruiting/job_ranking.html", {"job": job, "ranked": ranked, "anonymized": anonymized})


@require_POST
@company_member_required
def job_ranking_assess_top(request: TenantRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(selectors.job_list(company=request.company), pk=pk)
    queued = services.match_assessments_enqueue_top(job=job, anonymized=_anonymized_review(request))
    messages.success(request, f"Queued AI assessments for {len(queued)} candidate(s); reload to see them.")
    return redirect("recruiting:job_ranking", pk=job.pk)


@company_member_required
def match_explanation(request: TenantRequest, pk: int, candidate_id: int) -> HttpResponse:
    """The explanation panel (GET: cached assessments; POST `feature`: run one now)."""
    from llm import runner
    from recruiting.matching import candidate_label
    from recruiting.matching.inputs import keyword_match_for
    from recruiting.models import MatchAssessment
    from recruiting.services.matching import NoParsedCV

    company = request.company
    job = get_object_or_404(selectors.job_list(company=company), pk=pk)
    candidate = get_object_or_404(selectors.candidate_list(company=company), pk=candidate_id)
    anonymized = _anonymized_review(request)
    error = ""
    if request.method == "POST":
        feature = request.POST.get("feature", MatchAssessment.Feature.MATCH_CANDIDATE)
        if feature not in MatchAssessment.Feature.values:
            return HttpResponseBadRequest("Unknown feature.")
        try:
            services.match_assessment_run(
                job=job, candidate=candidate, feature=feature, anonymized=anonymized, user=request.user
            )
        except NoParsedCV:
            error = "This candidate has no parsed CV yet."
        except runner.RunError as exc:
            error = f"The assessment could not run ({exc.code}). Try again later."
    cv = selectors.candidate_latest_cv(candidate=candidate)
    context = {
        "job": job,
        "candidate": candidate,
        "display_name": candidate_label(candidate.pk) if anonymized else str(candidate),
        "anonymized": anonymized,
        "keyword": keyword_match_for(job=job, cv=cv) if cv else None,
        "assessments": selectors.match_assessments_for(job=job, candidate=candidate, anonymized=anonymized),
        "features": MatchAssessment.Feature.choices,
        "error": error,
    }
    return render(request, "recruiting/match_explanation.html", context)
