"""Interview pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from recruiting import selectors
from recruiting.decorators import company_member_required
from recruiting.http import TenantRequest
from recruiting.views.common import PAGE_SIZE


@company_member_required
def interview_list(request: TenantRequest) -> HttpResponse:
    interviews = selectors.interview_list(company=request.company)
    page = Paginator(interviews, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "recruiting/interview_list.html", {"page": page})
