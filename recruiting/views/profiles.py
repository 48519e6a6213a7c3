"""Company profile and department pages. AI drafts fill a review form; nothing is saved until the
recruiter confirms it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from recruiting import selectors
from recruiting.decorators import company_member_required
from recruiting.drafting.safe_fetch import FetchRefused
from recruiting.forms import CompanyProfileForm, CompanySourceForm, DepartmentForm
from recruiting.http import TenantRequest
from recruiting.services import profiles as profile_services

# --- company profile ----------------------------------------------------------------------------


@company_member_required
def company_profile(request: TenantRequest) -> HttpResponse:
    company = request.company
    form = CompanyProfileForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        created = profile_services.company_profile_save(
            company=company,
            name=form.cleaned_data["name"],
            website=form.cleaned_data["website"],
            industry=form.cleaned_data["industry"],
            size=form.cleaned_data["size"],
            mission=form.cleaned_data["mission"],
            values=form.cleaned_data["values"],
            profile=form.profile(),
            new_departments=form.cleaned_data["new_departments"],
        )
        messages.success(
            request, "Company profile saved." + (f" {len(created)} departments created." if created else "")
        )
        return redirect("recruiting:company_profile")
    context = {"company": company, "source_form": CompanySourceForm(), "form": form, "source_token": ""}
    return render(request, "recruiting/company_profile.html", context)


@require_POST
@company_member_required
def company_profile_extract(request: TenantRequest) -> HttpResponse:
    """Reads the source to text and keeps it for the extraction socket, which streams the answer
    into the review form (recruiting/consumers/company_profile.py)."""
    company = request.company
    source_form = CompanySourceForm(request.POST, request.FILES)
    source_token = ""
    if source_form.is_valid():
        upload = source_form.cleaned_data["page"]
        try:
            site_text, source_url = profile_services.company_site_text(
                text=source_form.cleaned_data["text"],
                html=upload.read() if upload else None,
                url=source_form.cleaned_data["url"],
            )
            if not site_text:
                source_form.add_error(None, "No readable text was found in that source.")
            else:
                source_token = profile_services.company_source_store(
                    company=company, user=request.user, site_text=site_text, source_url=source_url
                )
        except FetchRefused as refusal:
            source_form.add_error("url", str(refusal))
    context = {
        "company": company,
        "source_form": source_form,
        "form": CompanyProfileForm(instance=company),
        "source_token": source_token,
    }
    template = "recruiting/company_profile.html#workspace" if request.htmx else "recruiting/company_profile.html"
    return render(request, template, context)


# --- departments --------------------------------------------------------------------------------


@company_member_required
def department_list(request: TenantRequest) -> HttpResponse:
    company = request.company
    form = DepartmentForm(request.POST or None, company=company)
    if request.method == "POST" and form.is_valid():
        department = profile_services.department_create(company=company, **form.cleaned_data)
        messages.success(request, f"Department {department.name} created.")
        return redirect("recruiting:department_edit", pk=department.pk)
    departments = selectors.department_list(company=company)
    return render(request, "recruiting/department_list.html", {"departments": departments, "form": form})


@company_member_required
def department_detail(request: TenantRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(selectors.department_list(company=request.company), pk=pk)
    return render(request, "recruiting/department_detail.html", {"department": department})


@company_member_required
def department_edit(request: TenantRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(selectors.department_list(company=request.company), pk=pk)
    form = DepartmentForm(request.POST or None, instance=department, company=request.company)
    if request.method == "POST" and form.is_valid():
        profile_services.department_update(department=department, **form.cleaned_data)
        messages.success(request, "Department saved.")
        return redirect("recruiting:department_detail", pk=department.pk)
    return render(request, "recruiting/department_form.html", {"department": department, "form": form})
