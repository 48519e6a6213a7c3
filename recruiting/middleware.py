"""Attaches the user's company (the tenant) to every request as `request.company`."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from recruiting.selectors import company_for_user


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.company = company_for_user(user=request.user)  # type: ignore[attr-defined]
        return self.get_response(request)
