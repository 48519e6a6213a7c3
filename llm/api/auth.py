"""Who is calling: a Bearer API token (no CSRF: the browser never sends it by itself) or the
session (then CSRF is enforced, since the views themselves are CSRF-exempt for token clients)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

from llm.api.errors import ApiError
from llm.api.tokens import api_token_user


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> Any:
        return reason


def _never_called(request: HttpRequest) -> HttpResponse:
    raise AssertionError("the CSRF check only inspects the request")


def _csrf_failure_reason(request: HttpRequest) -> str | None:
    # The middleware's own checks, run on demand: its get_response is never called here.
    check = _CsrfCheck(_never_called)
    check.process_request(request)
    reason: str | None = check.process_view(request, _never_called, (), {})  # type: ignore[assignment]
    return reason


async def authenticated_user(*, request: HttpRequest) -> Any:
    authorization = request.headers.get("Authorization", "")
    if authorization:
        scheme, _, raw_token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not raw_token.strip():
            raise ApiError(status=401, code="invalid_token", message="Use 'Authorization: Bearer hh_…'.")
        user = await api_token_user(raw_token=raw_token.strip())
        if user is None:
            raise ApiError(status=401, code="invalid_token", message="The API token is invalid or revoked.")
        return user
    user = await request.auser()
    if not user.is_authenticated:
        raise ApiError(status=401, code="not_authenticated", message="Log in or send an API token.")
    reason = _csrf_failure_reason(request)
    if reason:
        raise ApiError(status=403, code="csrf_failed", message=f"CSRF check failed: {reason}")
    return user
