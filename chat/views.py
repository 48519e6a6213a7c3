from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from recruiting import selectors as recruiting_selectors
from recruiting.decorators import company_member_required


@company_member_required
def chat_index(request: HttpRequest) -> HttpResponse:
    cvs = recruiting_selectors.cv_list(company=request.company)[:50]  # type: ignore[attr-defined]
    return render(request, "chat/index.html", {"cvs": cvs})
