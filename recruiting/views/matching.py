"""Ranking and match explanation pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from recruiting import selectors, services
from recruiting.decorators import company_member_required
from recruiting.http import TenantRequest
from recruiting.matching import candidate_label
from recruiting.matching.inputs import keyword_match_for
from recruiting.models import MatchAssessment
from recruiting.services.matching import ANONYMIZED_REVIEW_SESSION_KEY, anonymized_review_on


def _anonymized_review(request: TenantRequest) -> bool:
    """The recruiter's "anonymized review" switch: `?anonymized=1|0` sets it for the session."""
    if "anonymized" in request.GET:
        request.session[ANONYMIZED_REVIEW_SESSION_KEY] = request.GET["anonymized"] == "1"
    return anonymized_review_on(request.session)


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


@require_GET
@company_member_required
def match_explanation(request: TenantRequest, pk: int, candidate_id: int) -> HttpResponse:
    """The explanation panel: cached assessments; its buttons stream a new one over the panel's
    socket (recruiting/consumers/match_explanation.py), which stores it."""
    company = request.company
    job = get_object_or_404(selectors.job_list(company=company), pk=pk)
    candidate = get_object_or_404(selectors.candidate_list(company=company), pk=candidate_id)
    anonymized = _anonymized_review(request)
    cv = selectors.candidate_latest_cv(candidate=candidate)
    stored = selectors.match_assessments_for(job=job, candidate=candidate, anonymized=anonymized)
    context = {
        "job": job,
        "candidate": candidate,
        "display_name": candidate_label(candidate.pk) if anonymized else str(candidate),
        "anonymized": anonymized,
        "keyword": keyword_match_for(job=job, cv=cv) if cv else None,
        "assessments": [(feature, label, stored.get(feature)) for feature, label in MatchAssessment.Feature.choices],
    }
    return render(request, "recruiting/match_explanation.html", context)
