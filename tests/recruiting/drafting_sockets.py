"""Helpers for the drafting socket tests: a logged-in WebsocketCommunicator on the real ASGI
application (origin check, session auth, routing), and reading events until a stream ends."""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client

from config.asgi import application

RECEIVE_TIMEOUT = 5


def _login_cookie(user: Any) -> str:
    try:
        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value
    finally:
        connection.close()  # runs in a worker thread; its connection must not outlive the test DB


async def socket_for(user: Any, path: str) -> WebsocketCommunicator:
    cookie = await sync_to_async(_login_cookie)(user)
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost"), (b"cookie", f"sessionid={cookie}".encode())]
    return WebsocketCommunicator(application, path, headers=headers)


async def json_events_until_end(communicator: WebsocketCommunicator) -> list[dict[str, Any]]:
    events = []
    while True:
        event = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
        events.append(event)
        if event["type"] in ("complete", "error"):
            return events


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
