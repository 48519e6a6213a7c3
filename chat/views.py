from django.http import HttpResponse
from django.shortcuts import render

from recruiting import selectors as recruiting_selectors
from recruiting.decorators import company_member_required
from recruiting.http import TenantRequest


@company_member_required
def chat_index(request: TenantRequest) -> HttpResponse:
    cvs = recruiting_selectors.cv_list(company=request.company)[:50]
    return render(request, "chat/index.html", {"cvs": cvs})
