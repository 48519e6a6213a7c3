from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from recruiting import selectors
from recruiting.decorators import company_member_required
from recruiting.models import Job

PAGE_SIZE = 25


@company_member_required
def job_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    jobs = selectors.job_list(company=request.company, status=status)  # type: ignore[attr-defined]
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "recruiting/job_list.html", {"page": page, "status": status, "statuses": Job.Status.choices})


@company_member_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(selectors.job_list(company=request.company), pk=pk)  # type: ignore[attr-defined]
    return render(request, "recruiting/job_detail.html", {"job": job})


@company_member_required
def candidate_list(request: HttpRequest) -> HttpResponse:
    candidates = selectors.candidate_list(company=request.company)  # type: ignore[attr-defined]
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "recruiting/candidate_list.html", {"page": page})


@company_member_required
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(selectors.candidate_list(company=request.company), pk=pk)  # type: ignore[attr-defined]
    return render(request, "recruiting/candidate_detail.html", {"candidate": candidate, "cvs": candidate.cvs.all()})


@company_member_required
def interview_list(request: HttpRequest) -> HttpResponse:
    interviews = selectors.interview_list(company=request.company)  # type: ignore[attr-defined]
    page = Paginator(interviews, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "recruiting/interview_list.html", {"page": page})
