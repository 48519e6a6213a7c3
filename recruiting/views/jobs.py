"""Job pages: list, detail, create/edit and the stage board."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from recruiting import selectors, services
from recruiting.decorators import company_member_required
from recruiting.forms import JobForm
from recruiting.http import TenantRequest
from recruiting.models import Application, Job
from recruiting.services.jobs import job_claim_draft_run
from recruiting.views.common import PAGE_SIZE


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
    # "Start a job" links from a department's job templates prefill the title and department.
    prefill = {name: request.GET[name] for name in ("title", "department") if job is None and name in request.GET}
    form = JobForm(request.POST or None, instance=job, company=company, initial=prefill)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if job is None:
            job = services.job_create(company=company, created_by=request.user, **changes)
            # An AI draft made before the job existed is accounted to it from now on.
            job_claim_draft_run(job=job, user=request.user, run_id=request.POST.get("draft_run_id", ""))
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
