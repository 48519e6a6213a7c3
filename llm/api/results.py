"""The JSON shapes the API returns for a finished call and for stream events."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from llm.runner import Event, RunResult


def run_result_json(result: RunResult) -> dict[str, Any]:
    return {
        "run_id": result.run_id,
        "feature": result.feature,
        "status": result.status,
        "output": result.output,
        "text": result.text,
        "usage": result.usage.as_dict(),
        "cost": f"{result.cost:f}",  # a string: money must not pass through a float
        "cost_saved": f"{result.cost_saved:f}",
        "model": result.model,
        "provider": result.provider,
        "prompt_version": result.prompt_version,
        "rule_based": result.rule_based,
        "cached": result.cached,
        "fallback_used": result.fallback_used,
        "repaired": result.repaired,
        "latency_ms": result.latency_ms,
        "ttft_ms": result.ttft_ms,
        "request_id": result.request_id,
    }


def sse_frame(event: Event) -> bytes:
    """One Server-Sent Event: the protocol event's type names it, the whole event is its data."""
    data = json.dumps(event, cls=DjangoJSONEncoder, separators=(",", ":"))
    return f"event: {event['type']}\ndata: {data}\n\n".encode()
