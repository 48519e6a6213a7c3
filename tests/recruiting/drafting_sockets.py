"""Helpers for the drafting socket tests: a logged-in WebsocketCommunicator on the real ASGI
application (tests/sockets.py), and reading events until a stream ends."""

from __future__ import annotations

import json
from typing import Any

from channels.testing import WebsocketCommunicator

from tests.sockets import RECEIVE_TIMEOUT, json_events_until_end, socket_for

__all__ = ["html_messages_until_end", "json_events_until_end", "socket_for", "start"]


async def html_messages_until_end(communicator: WebsocketCommunicator) -> list[str]:
    """HTMX mode: fragments until the status turns complete or error (plus what follows it at once)."""
    messages = []
    while True:
        message = await communicator.receive_from(timeout=RECEIVE_TIMEOUT)
        messages.append(message)
        if 'data-state="complete"' in message or 'data-state="error"' in message:
            # The consumer sends the fields and the run id right after the complete status.
            while not await communicator.receive_nothing(timeout=0.3):
                messages.append(await communicator.receive_from(timeout=RECEIVE_TIMEOUT))
            return messages


def start(**fields: Any) -> str:
    return json.dumps({"type": "start", **fields})
