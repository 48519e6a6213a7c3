"""The staff prompt playground: the page, and the variable fields of the chosen prompt (htmx).
Running happens over the WebSocket (llm.consumers.PlaygroundConsumer)."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from llm.forms import PlaygroundForm


@staff_member_required
def playground(request: HttpRequest) -> HttpResponse:
    return render(request, "llm/playground.html", {"form": PlaygroundForm()})


@staff_member_required
def playground_variables(request: HttpRequest) -> HttpResponse:
    form = PlaygroundForm(initial={"template": request.GET.get("template")})
    return render(request, "llm/partials/playground_variables.html", {"form": form})
