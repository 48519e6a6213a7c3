"""The AI panel (templates/recruiting/partials/ai_panel_body.html): its chips and token estimate,
the AI memory notes of the job, and saving an answer. The stream itself runs over a WebSocket
(recruiting.consumers.ai_panel, or the interview feedback consumer on interview pages)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from llm.errors import LLMError
from recruiting.decorators import company_member_required
from recruiting.forms import AiMemoryNoteForm, AiOutputSaveForm
from recruiting.http import TenantRequest
from recruiting.services.ai_panel import (
    Panel,
    ai_memory_note_delete,
    ai_memory_note_save,
    ai_output_save,
    ai_panel_build,
    ai_panel_estimate,
    ai_panel_host,
    next_selection,
)

PANEL_TEMPLATE = "recruiting/partials/ai_panel_body.html"
# The interview page streams through its own consumer; the others through the generic one.
PREFIX_FOR_HOST = {"interview": "interview-feedback", "candidate": "ai-panel", "job": "ai-panel"}


def _selection(request: TenantRequest) -> list[str] | None:
    """The chips the page sent (None on a first render: the defaults apply), after the toggle."""
    data = request.POST if request.method == "POST" else request.GET
    if not data.get("chips"):
        return None
    return next_selection(selected=data.getlist("selected"), toggle=data.get("toggle", ""))


def _panel(request: TenantRequest, host_type: str, pk: int) -> Panel:
    host = ai_panel_host(company=request.company, host_type=host_type, pk=pk)
    if host is None:
        raise Http404("No such record.")
    return ai_panel_build(host_type=host_type, host=host, user=request.user, selected=_selection(request))  # type: ignore[arg-type]


def panel_page_context(
    request: TenantRequest, *, host_type: str, host: Any, panel: Panel | None = None
) -> dict[str, Any]:
    """What the panel template needs, for a host page or a panel refresh."""
    panel = panel or ai_panel_build(host_type=host_type, host=host, user=request.user, selected=_selection(request))  # type: ignore[arg-type]
    try:
        estimate, estimate_error = ai_panel_estimate(panel=panel, user=request.user), ""
    except LLMError as error:  # no route or prompt: the panel says so instead of failing the page
        estimate, estimate_error = None, str(error)
    prefix = PREFIX_FOR_HOST[host_type]
    socket_url = (
        f"/ws/interviews/{host.pk}/feedback/" if host_type == "interview" else f"/ws/ai-panel/{host_type}/{host.pk}/"
    )
    return {
        "panel": panel,
        "estimate": estimate,
        "estimate_error": estimate_error,
        "prefix": prefix,
        "socket_url": socket_url,
        "memory_form": AiMemoryNoteForm(),
    }


def _render_panel(request: TenantRequest, panel: Panel, **extra: Any) -> HttpResponse:
    context = panel_page_context(request, host_type=panel.host_type, host=panel.host, panel=panel)
    return render(request, f"{PANEL_TEMPLATE}#panel-state", {**context, **extra})


@company_member_required
def ai_panel(request: TenantRequest, host_type: str, pk: int) -> HttpResponse:
    """The whole panel (first load on job and candidate pages), or its chips and estimate (a chip was toggled)."""
    panel = _panel(request, host_type, pk)
    if request.GET.get("chips"):
        return _render_panel(request, panel)
    return render(
        request, PANEL_TEMPLATE, panel_page_context(request, host_type=host_type, host=panel.host, panel=panel)
    )


@require_POST
@company_member_required
def ai_panel_memory(request: TenantRequest, host_type: str, pk: int) -> HttpResponse:
    panel = _panel(request, host_type, pk)
    job = panel.job
    form = AiMemoryNoteForm(request.POST)
    if job is None:
        form.add_error(None, "Choose a job first: AI memory notes belong to a job.")
    elif form.is_valid():
        ai_memory_note_save(company=request.company, job=job, user=request.user, **form.cleaned_data)
        panel = _panel(request, host_type, pk)  # the memory chip now counts the note
        return _render_panel(request, panel)
    return _render_panel(request, panel, memory_form=form)


@require_POST
@company_member_required
def ai_panel_memory_delete(request: TenantRequest, host_type: str, pk: int, note_id: int) -> HttpResponse:
    panel = _panel(request, host_type, pk)
    if panel.job is None or not ai_memory_note_delete(
        company=request.company, job=panel.job, user=request.user, note_id=note_id
    ):
        raise Http404("No such note.")
    return _render_panel(request, _panel(request, host_type, pk))


@require_POST
@company_member_required
def ai_panel_save(request: TenantRequest, host_type: str, pk: int) -> HttpResponse:
    panel = _panel(request, host_type, pk)
    form = AiOutputSaveForm(request.POST)
    document, error = None, ""
    if form.is_valid():
        try:
            document = ai_output_save(panel=panel, user=request.user, **form.cleaned_data)
        except ValueError as problem:
            error = str(problem)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    # 200 either way: htmx swaps the message in (it ignores 4xx bodies by default).
    context = {"document": document, "error": error, "prefix": PREFIX_FOR_HOST[host_type]}
    return render(request, "recruiting/partials/ai_panel_result.html#saved", context)
