"""The admin cost dashboard and its CSV export (wired into admin by analytics.admin)."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from analytics.forms import SpendFilterForm
from analytics.selectors.dashboard import dashboard_get
from analytics.selectors.exports import spend_export_rows
from analytics.services.alerts import alert_dismiss
from analytics.services.rollups import rollups_refresh_if_stale


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def dashboard_view(request: HtmxHttpRequest) -> HttpResponse:
    form = SpendFilterForm(request.GET or None)
    filters = form.spend_filters()
    # Celery keeps the rollups current every 30 s; this closes the gap to "now" for the viewer.
    rollups_refresh_if_stale(max_age_seconds=settings.ANALYTICS_DASHBOARD_REFRESH_SECONDS)
    context = {
        **admin.site.each_context(request),
        "title": "LLM cost dashboard",
        "dashboard": dashboard_get(filters=filters),
        "export_query": request.GET.urlencode(),
    }
    template = "analytics/dashboard.html#dashboard" if request.htmx else "analytics/dashboard.html"
    return render(request, template, context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_csv_view(request: HttpRequest) -> StreamingHttpResponse:
    filters = SpendFilterForm(request.GET or None).spend_filters()
    writer = csv.writer(_Echo())
    lines: Iterator[str] = (writer.writerow(row) for row in spend_export_rows(filters=filters))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="llm-spend-{filters.date_from}-{filters.date_to}.csv"'
    return response


@require_POST
def alert_dismiss_view(request: HttpRequest, alert_id: int) -> HttpResponseRedirect:
    alert_dismiss(alert_id=alert_id, user_id=request.user.pk)
    return HttpResponseRedirect(request.POST.get("next") or reverse("admin:analytics_dashboard"))
