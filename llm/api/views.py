"""POST /api/v1/ai/run, POST /api/v1/ai/stream (Server-Sent Events) and the OpenAPI schema."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from llm import runner
from llm.api.access import admitted_tenant
from llm.api.auth import authenticated_user
from llm.api.errors import ApiError, api_error_from_run_error, error_response
from llm.api.openapi import openapi_schema
from llm.api.payloads import CallRequest, parse_call_request
from llm.api.results import run_result_json, sse_frame


async def _admit(request: HttpRequest) -> tuple[CallRequest, Any, Any]:
    user = await authenticated_user(request=request)
    call = parse_call_request(body=request.body)
    tenant = await admitted_tenant(user=user, call=call)
    return call, user, tenant


def _request_id(request: HttpRequest) -> str:
    return getattr(request, "request_id", "")


# CSRF-exempt because token clients have no CSRF cookie; llm.api.auth enforces CSRF for sessions.
@csrf_exempt
@require_POST
async def run_view(request: HttpRequest) -> HttpResponse:
    try:
        call, user, tenant = await _admit(request)
        result = await runner.arun(
            feature=call.feature,
            context=call.context,
            overrides=call.overrides,
            tenant=tenant,
            user=user,
            request_id=_request_id(request),
        )
    except ApiError as error:
        return error_response(error)
    except runner.RunError as error:
        return error_response(api_error_from_run_error(error))
    return JsonResponse(run_result_json(result))


async def _sse_frames(*, call: CallRequest, user: Any, tenant: Any, request_id: str) -> AsyncIterator[bytes]:
    # aclosing: when the client hangs up, Django cancels this generator, and closing the runner's
    # stream finishes the AiRun as cancelled and drops the provider connection.
    stream = runner.astream(
        feature=call.feature,
        context=call.context,
        overrides=call.overrides,
        tenant=tenant,
        user=user,
        request_id=request_id,
    )
    async with aclosing(stream):
        async for event in stream:
            yield sse_frame(event)


@csrf_exempt
@require_POST
async def stream_view(request: HttpRequest) -> HttpResponseBase:
    try:
        call, user, tenant = await _admit(request)
    except ApiError as error:
        return error_response(error)
    response = StreamingHttpResponse(
        _sse_frames(call=call, user=user, tenant=tenant, request_id=_request_id(request)),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # proxies such as nginx must not hold events back
    return response


@require_GET
def openapi_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_schema(server_url=request.build_absolute_uri("/")))
