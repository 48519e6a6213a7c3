"""Interview pages: the list, scheduling one for an application, and the interview itself with
its notes, its feedback and the AI panel that streams feedback (recruiting.consumers.interview_feedback)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from recruiting import selectors, services
from recruiting.decorators import company_member_required
from recruiting.forms import InterviewCreateForm, InterviewForm
from recruiting.http import TenantRequest
from recruiting.views.ai_panel import panel_page_context
from recruiting.views.common import PAGE_SIZE


@company_member_required
def interview_list(request: TenantRequest) -> HttpResponse:
    interviews = selectors.interview_list(company=request.company)
    page = Paginator(interviews, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "recruiting/interview_list.html", {"page": page})


@company_member_required
def interview_create(request: TenantRequest) -> HttpResponse:
    company = request.company
    if request.method == "POST":
        form = InterviewCreateForm(request.POST, company=company)
        if form.is_valid():
            interview = services.interview_create(
                application=form.cleaned_data["application"],
                interviewer=form.cleaned_data["interviewer"],
                scheduled_at=form.cleaned_data["scheduled_at"],
                notes=form.cleaned_data["notes"],
            )
            messages.success(request, "Interview created.")
            return redirect("recruiting:interview_detail", pk=interview.pk)
    else:
        form = InterviewCreateForm(
            initial={"application": request.GET.get("application"), "interviewer": request.user.pk}, company=company
        )
    return render(request, "recruiting/interview_form.html", {"form": form})


@company_member_required
def interview_detail(request: TenantRequest, pk: int) -> HttpResponse:
    interview = get_object_or_404(selectors.interview_list(company=request.company), pk=pk)
    saved = False
    if request.method == "POST":
        form = InterviewForm(request.POST, interview=interview)
        if form.is_valid():
            services.interview_update(interview=interview, **form.cleaned_data)
            if not request.htmx:
                messages.success(request, "Interview saved.")
                return redirect("recruiting:interview_detail", pk=interview.pk)
            form, saved = InterviewForm(interview=interview), True
        if request.htmx:
            return render(request, "recruiting/interview_detail.html#interview-form", {"form": form, "saved": saved})
    else:
        form = InterviewForm(interview=interview)
    context = {"interview": interview, "form": form, "saved": saved}
    context.update(panel_page_context(request, host_type="interview", host=interview))
    return render(request, "recruiting/interview_detail.html", context)
