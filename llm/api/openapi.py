"""The OpenAPI 3.1 description of the JSON API, built from the live feature list."""

from __future__ import annotations

from typing import Any

from llm.api.payloads import MAX_TEMPERATURE, MAX_TOKENS_LIMIT
from llm.models import ApiFeatureAccess
from llm.selectors import catalog

API_VERSION = "1.0.0"
ERROR_STATUSES = {
    "400": "Invalid request body.",
    "401": "Not authenticated, or an invalid or revoked token.",
    "403": "CSRF failure (session auth), feature switched off, no company, or the plan may not call the feature.",
    "404": "Unknown feature.",
    "429": "Rate limit or budget reached; see the Retry-After header.",
    "502": "The provider failed (not retryable).",
    "503": "The provider failed (retryable) or the gateway is misconfigured.",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _features_open_to_some_plan() -> list[str]:
    closed = {access.feature for access in ApiFeatureAccess.objects.all() if not access.allowed_plans}
    return sorted(set(catalog().prompts) - closed)


def _schemas(features: list[str]) -> dict[str, Any]:
    usage = {
        "type": "object",
        "required": ["input_tokens", "cached_input_tokens", "output_tokens", "reasoning_tokens", "estimated"],
        "properties": {
            "input_tokens": {"type": "integer"},
            "cached_input_tokens": {"type": "integer"},
            "output_tokens": {"type": "integer"},
            "reasoning_tokens": {"type": "integer"},
            "estimated": {"type": "boolean", "description": "Counted locally: the provider sent no usage."},
        },
    }
    money = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "USD, as a decimal string."}
    outcome = {
        "run_id": {"type": "integer"},
        "status": {"type": "string", "enum": ["succeeded", "cached"]},
        "text": {"type": "string"},
        "output": {"description": "The parsed JSON for JSON features, else null."},
        "usage": _ref("Usage"),
        "cost": money,
        "cost_saved": money,
        "model": {"type": "string"},
        "provider": {"type": "string"},
        "prompt_version": {"type": ["integer", "null"]},
        "rule_based": {"type": "boolean", "description": "Answered by the built-in rule-based provider."},
        "cached": {"type": "boolean"},
        "fallback_used": {"type": "boolean"},
        "repaired": {
            "type": "boolean",
            "description": "JSON output: the first answer was invalid and this is the model's one repair.",
        },
        "latency_ms": {"type": "integer"},
        "ttft_ms": {"type": ["integer", "null"]},
    }
    error_fields = {
        "code": {"type": "string", "examples": ["rate_limited", "budget_exceeded", "plan_not_allowed"]},
        "message": {"type": "string"},
        "retryable": {"type": "boolean"},
        "retry_after": {"type": ["number", "null"], "description": "Seconds to wait before retrying."},
    }
    return {
        "CallRequest": {
            "type": "object",
            "additionalProperties": False,
            "required": ["feature"],
            "properties": {
                "feature": {"type": "string", "enum": features},
                "context": {"type": "object", "description": "The prompt template's variables."},
                "overrides": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "model": {"type": "string"},
                        "prompt_version": {"type": "integer", "minimum": 1},
                        "max_tokens": {"type": "integer", "minimum": 1, "maximum": MAX_TOKENS_LIMIT},
                        "temperature": {"type": "number", "minimum": 0, "maximum": MAX_TEMPERATURE},
                    },
                },
            },
        },
        "Usage": usage,
        "RunResult": {
            "type": "object",
            "required": ["run_id", "status", "text", "output", "usage", "cost", "model", "provider"],
            "properties": {**outcome, "feature": {"type": "string"}, "request_id": {"type": "string"}},
        },
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {"type": "object", "required": list(error_fields), "properties": error_fields},
            },
        },
        "StatusEvent": {
            "type": "object",
            "required": ["type", "status", "message", "progress"],
            "properties": {
                "type": {"const": "status"},
                "status": {"type": "string", "enum": ["thinking", "analyzing", "generating"]},
                "message": {"type": "string"},
                "progress": {"type": "integer"},
            },
        },
        "ChunkEvent": {
            "type": "object",
            "required": ["type", "content"],
            "properties": {"type": {"const": "chunk"}, "content": {"type": "string"}},
        },
        "CompleteEvent": {
            "type": "object",
            "required": ["type", "run_id", "status", "text", "usage", "cost", "model", "provider"],
            "properties": {"type": {"const": "complete"}, **outcome},
        },
        "ErrorEvent": {
            "type": "object",
            "required": ["type", "run_id", "code", "message", "retryable", "retry_after"],
            "properties": {"type": {"const": "error"}, "run_id": {"type": ["integer", "null"]}, **error_fields},
        },
        "StreamEvent": {
            "description": "The `data:` of one SSE event; the SSE `event:` name equals `type`.",
            "oneOf": [_ref("StatusEvent"), _ref("ChunkEvent"), _ref("CompleteEvent"), _ref("ErrorEvent")],
            "discriminator": {"propertyName": "type"},
        },
    }


def _errors() -> dict[str, Any]:
    return {
        status: {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}
        for status, description in ERROR_STATUSES.items()
    }


def _operation(*, operation_id: str, summary: str, success: dict[str, Any]) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "summary": summary,
        "security": [{"apiToken": []}, {"session": [], "csrfToken": []}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("CallRequest")}}},
        "responses": {"200": success, **_errors()},
    }


def openapi_schema(*, server_url: str) -> dict[str, Any]:
    features = _features_open_to_some_plan()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Headhunter AI API",
            "version": API_VERSION,
            "description": (
                "Calls the AI features of Headhunter for the caller's company. Every call is accounted "
                "(tokens, cost), budgeted and rate-limited per user and company. Which plans may call "
                "which feature is configured in admin (API feature access)."
            ),
        },
        "servers": [{"url": server_url.rstrip("/") + "/api/v1/ai"}],
        "paths": {
            "/run": {
                "post": _operation(
                    operation_id="runFeature",
                    summary="Run a feature and wait for the whole answer.",
                    success={
                        "description": "The finished call.",
                        "content": {"application/json": {"schema": _ref("RunResult")}},
                    },
                )
            },
            "/stream": {
                "post": _operation(
                    operation_id="streamFeature",
                    summary="Run a feature and receive its answer as Server-Sent Events.",
                    success={
                        "description": (
                            "`event: <type>` / `data: <StreamEvent JSON>` frames: status events, chunk "
                            "events, then exactly one complete or error event. Refusals after the stream "
                            "has started (rate limit, budget) arrive as an error event. Closing the "
                            "connection cancels the call."
                        ),
                        "content": {
                            "text/event-stream": {
                                "schema": {"type": "string"},
                                # OpenAPI 3.2's itemSchema (one SSE event), as an extension in 3.1.
                                "x-itemSchema": _ref("StreamEvent"),
                            }
                        },
                    },
                )
            },
        },
        "components": {
            "securitySchemes": {
                "apiToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "hh_<token>",
                    "description": "A per-user API token (admin: API tokens). No CSRF token needed.",
                },
                "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
                "csrfToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-CSRFToken",
                    "description": "Required with session auth: the csrftoken cookie's value.",
                },
            },
            "schemas": _schemas(features),
        },
    }
