"""API errors: one JSON shape, `{"error": {"code", "message", "retryable", "retry_after"}}`, and the
HTTP status for each runner error code."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.http import JsonResponse

from llm.runner import RunError

# Runner refusal and failure codes -> HTTP status. Unlisted failures are the provider's (502/503).
STATUS_FOR_CODE = {
    "feature_disabled": 403,
    "rate_limited": 429,
    "budget_exceeded": 429,
    "configuration_error": 503,
}


@dataclass
class ApiError(Exception):
    status: int
    code: str
    message: str
    retryable: bool = False
    retry_after: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "retryable": self.retryable,
            "retry_after": self.retry_after,
        }


def _seconds_until_next_utc_day(now: datetime) -> int:
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, math.ceil((tomorrow - now).total_seconds()))


def api_error_from_run_error(error: RunError) -> ApiError:
    code = error.code
    retry_after = error.retry_after
    if code == "budget_exceeded" and retry_after is None:
        # The earliest a budget can free up is the next daily period; a monthly one will refuse again.
        retry_after = _seconds_until_next_utc_day(datetime.now(UTC))
    status = STATUS_FOR_CODE.get(code) or (503 if error.retryable else 502)
    # A rate-limited call succeeds when retried after the window; the runner calls it a refusal.
    retryable = error.retryable or code == "rate_limited"
    return ApiError(status=status, code=code, message=error.message, retryable=retryable, retry_after=retry_after)


def error_response(error: ApiError) -> JsonResponse:
    response = JsonResponse({"error": error.as_dict()}, status=error.status)
    if error.retry_after is not None:
        response["Retry-After"] = str(math.ceil(error.retry_after))
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="headhunter-ai"'
    return response
