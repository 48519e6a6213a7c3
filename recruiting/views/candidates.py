"""Candidate and CV pages: list with upload and search, detail, create/edit, merge, export,
audit trail, erase."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from recruiting import selectors, services
from recruiting.decorators import company_member_required
from recruiting.forms import CandidateFilterForm, CandidateForm
from recruiting.http import TenantRequest
from recruiting.models import AuditEvent, Candidate, Membership
from recruiting.services.candidates import EDITABLE_FIELDS
from recruiting.services.cvs import FINAL_STATUSES
from recruiting.views.common import MAX_FILES_PER_UPLOAD, PAGE_SIZE

AUDIT_PREVIEW = 10  # events shown on the candidate page; the audit page has them all


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
    if not hits and filters.mode == "meaning" and filters.query.strip():
        context["embedding_models"] = selectors.cv_counts_by_embedding_model(company=company)
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
    is_admin = _is_company_admin(request)
    context = {
        "candidate": candidate,
        "cvs": candidate.cvs.all(),
        "applications": candidate.applications.select_related("job"),
        "jobs": selectors.job_list(company=company).exclude(applications__candidate=candidate),
        "duplicates": selectors.possible_duplicates(candidate=candidate),
        "documents": selectors.document_list(company=company, candidate_id=candidate.pk)[:10],
        "is_admin": is_admin,
        "audit_events": (
            selectors.candidate_audit_trail(company=company, candidate_id=candidate.pk)[:AUDIT_PREVIEW]
            if is_admin
            else []
        ),
        "final": FINAL_STATUSES,
    }
    return render(request, "recruiting/candidate_detail.html", context)


def _is_company_admin(request: TenantRequest) -> bool:
    return request.user.membership.role == Membership.Role.ADMIN  # type: ignore[union-attr]


@company_member_required
def candidate_edit(request: TenantRequest, pk: int | None = None) -> HttpResponse:
    """Create (no pk) or edit a candidate. Deduplication applies: an email or phone already on
    another candidate is the same person, so creating says so and links to them, and editing goes
    to the merge page."""
    company = request.company
    candidate = get_object_or_404(selectors.candidate_list(company=company), pk=pk) if pk else None
    initial = {field: getattr(candidate, field) for field in EDITABLE_FIELDS} if candidate else None
    form = CandidateForm(request.POST or None, initial=initial)
    files = request.FILES.getlist("files")
    context = {"form": form, "candidate": candidate, "max_files": MAX_FILES_PER_UPLOAD}
    if request.method != "POST" or not form.is_valid():
        return render(request, "recruiting/candidate_form.html", context)
    if len(files) > MAX_FILES_PER_UPLOAD:
        form.add_error(None, f"Upload at most {MAX_FILES_PER_UPLOAD} files at once.")
        return render(request, "recruiting/candidate_form.html", context)
    fields = {field: form.cleaned_data[field] for field in EDITABLE_FIELDS}
    try:
        if candidate is None:
            candidate = services.candidate_create(company=company, actor=request.user, **fields)
            messages.success(request, "Candidate created.")
        else:
            changed = services.candidate_update(company=company, candidate=candidate, actor=request.user, **fields)
            messages.success(request, "Candidate saved." if changed else "Nothing changed.")
    except services.CandidateCollisionError as error:
        if candidate is None:
            return render(request, "recruiting/candidate_form.html", {**context, "collision": error.collision})
        query = urlencode({"with": str(error.collision.candidate.pk), "field": error.collision.field})
        return redirect(f"{reverse('recruiting:candidate_merge', args=[candidate.pk])}?{query}")
    if files:
        outcomes = services.candidate_attach_cvs(
            company=company,
            candidate=candidate,
            uploaded_by=request.user,
            files=[(f.name or "cv", f.read()) for f in files],
        )
        _report_uploads(request, outcomes)
    return redirect("recruiting:candidate_detail", pk=candidate.pk)


def _report_uploads(request: TenantRequest, outcomes: list[services.UploadOutcome]) -> None:
    accepted = sum(1 for outcome in outcomes if outcome.accepted)
    if accepted:
        messages.info(request, f"{accepted} CV(s) queued: they are parsed in the background.")
    for outcome in outcomes:
        if outcome.duplicate_of is not None:
            owner = outcome.duplicate_of.candidate
            where = f"candidate “{owner}” (#{owner.pk})" if owner else "an earlier upload"
            messages.warning(request, f"{outcome.filename}: already on file for {where}, not stored twice.")
        elif outcome.error:
            messages.error(request, f"{outcome.filename}: {outcome.error}")


@require_POST
@company_member_required
def candidate_export(request: TenantRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(selectors.candidate_list(company=request.company), pk=pk)
    data = services.candidate_export(company=request.company, candidate=candidate, actor=request.user)
    response = JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="candidate-{candidate.pk}.json"'
    return response


@company_member_required
def candidate_audit(request: TenantRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(selectors.candidate_list(company=request.company), pk=pk)
    if not _is_company_admin(request):
        return HttpResponseForbidden("Only company admins can read the audit trail.")
    events = selectors.candidate_audit_trail(company=request.company, candidate_id=candidate.pk)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "recruiting/candidate_audit.html", {"candidate": candidate, "page": page})


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
    duplicates = list(selectors.possible_duplicates(candidate=candidate))
    # Arriving from an edit whose email or phone belongs to another candidate (?with=<id>&field=email).
    collision_with = _colliding_candidate(request, candidate)
    if collision_with is not None and collision_with not in duplicates:
        duplicates.insert(0, collision_with)
    context = {
        "candidate": candidate,
        "duplicates": duplicates,
        "collision_with": collision_with,
        "collision_field": "phone number" if request.GET.get("field") == "phone" else "email address",
    }
    return render(request, "recruiting/candidate_merge.html", context)


def _colliding_candidate(request: TenantRequest, candidate: Candidate) -> Candidate | None:
    other_id = request.GET.get("with", "")
    if not other_id.isdigit() or int(other_id) == candidate.pk:
        return None
    return selectors.candidate_list(company=request.company).filter(merged_into=None, pk=int(other_id)).first()


@require_POST
@company_member_required
def candidate_erase(request: TenantRequest, pk: int) -> HttpResponse:
    company = request.company
    if not _is_company_admin(request):
        messages.error(request, "Only company admins can erase candidates.")
        return redirect("recruiting:candidate_detail", pk=pk)
    candidate = get_object_or_404(selectors.candidate_list(company=company), pk=pk)
    services.candidate_erase(company=company, candidate=candidate, actor=request.user)
    messages.success(request, "The candidate and all their data were erased.")
    return redirect("recruiting:candidate_list")
