"""Document pages: recruiters' notes and saved AI outputs (list with filters, detail, new note)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from recruiting import selectors, services
from recruiting.decorators import company_member_required
from recruiting.forms import DocumentForm
from recruiting.http import TenantRequest
from recruiting.models import Document
from recruiting.views.common import PAGE_SIZE

# The list fields of the generative features' standard output shape, shown as bullet lists.
STANDARD_LIST_FIELDS = (
    ("bullets", "Key points"),
    ("warnings", "Warnings"),
    ("keywords_added", "Keywords added"),
    ("next_actions", "Next actions"),
)


def _id_param(request: TenantRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


@company_member_required
def document_list(request: TenantRequest) -> HttpResponse:
    company = request.company
    kind = request.GET.get("kind", "")
    kind = kind if kind in Document.Kind.values else ""
    candidate_id, job_id = _id_param(request, "candidate"), _id_param(request, "job")
    documents = selectors.document_list(company=company, candidate_id=candidate_id, job_id=job_id, kind=kind)
    context = {
        "page": Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page")),
        "kind": kind,
        "kinds": Document.Kind.choices,
        # Only the tenant's own records are named in the filter caption.
        "candidate": selectors.candidate_list(company=company).filter(pk=candidate_id).first()
        if candidate_id
        else None,
        "job": selectors.job_list(company=company).filter(pk=job_id).first() if job_id else None,
    }
    template = (
        "recruiting/document_list.html#results"
        if request.htmx and request.htmx.target == "results"
        else "recruiting/document_list.html"
    )
    return render(request, template, context)


@company_member_required
def document_detail(request: TenantRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(selectors.document_list(company=request.company), pk=pk)
    data = document.data if isinstance(document.data, dict) else {}
    lists = [
        (label, [str(item) for item in data[key]])
        for key, label in STANDARD_LIST_FIELDS
        if isinstance(data.get(key), list) and data[key]
    ]
    context = {
        "document": document,
        "summary": data.get("summary") if isinstance(data.get("summary"), str) else "",
        "lists": lists,
        "data_json": json.dumps(data, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder) if data else "",
    }
    return render(request, "recruiting/document_detail.html", context)


@company_member_required
def document_create(request: TenantRequest) -> HttpResponse:
    company = request.company
    initial = {"candidate": _id_param(request, "candidate"), "job": _id_param(request, "job")}
    form = DocumentForm(request.POST or None, initial=initial, company=company)
    if request.method == "POST" and form.is_valid():
        document = services.document_create(
            company=company,
            created_by=request.user,
            title=form.cleaned_data["title"],
            content=form.cleaned_data["content"],
            candidate=form.cleaned_data["candidate"],
            job=form.cleaned_data["job"],
        )
        messages.success(request, "Note saved.")
        return redirect("recruiting:document_detail", pk=document.pk)
    return render(request, "recruiting/document_form.html", {"form": form})
