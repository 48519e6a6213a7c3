"""HTML fragments for htmx 2's ws extension: each runner event becomes out-of-band swaps.

Fragment ids, for a page that uses the prefix "stream" (the default):
    #stream-output    chunks are appended (hx-swap-oob="beforeend:#stream-output")
    #stream-status    replaced on every status, complete, error and cancel
    #stream-progress  a <progress> bar, replaced with each status
    #stream-usage     replaced on complete: tokens, cost, latency, TTFT, model, rule-based label
    #stream-error     replaced on error (and emptied when a stream starts)

Model output is untrusted: chunks go through `escape`, everything else through templates with
autoescape on.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.html import escape

Event = dict[str, Any]
FRAGMENT_TEMPLATE = "llm/partials/stream_fragments.html"


def fragment_ids(prefix: str) -> dict[str, str]:
    return {part: f"{prefix}-{part}" for part in ("output", "status", "progress", "usage", "error")}


def chunk_html(content: str, prefix: str) -> str:
    # Only the wrapper's children are appended, so the text lands directly inside #<prefix>-output.
    return f'<div hx-swap-oob="beforeend:#{prefix}-output">{escape(content)}</div>'


def event_html(event: Event, prefix: str) -> str:
    """The fragments for one protocol event (status, chunk, complete, error), `ready` or the `started` reset."""
    if event["type"] == "chunk":
        return chunk_html(event["content"], prefix)
    return render_to_string(FRAGMENT_TEMPLATE, {"event": event, "ids": fragment_ids(prefix)})


def ready_event() -> Event:
    """Not part of the JSON protocol: tells an HTMX page that its socket is open."""
    return {"type": "ready"}


def started_event() -> Event:
    """Not part of the JSON protocol: tells an HTMX page to clear the previous answer."""
    return {"type": "started"}
