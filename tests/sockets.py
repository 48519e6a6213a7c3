"""WebSocket test helpers shared by every consumer test: a logged-in session cookie, a
communicator on the real ASGI stack (origin check, session auth, routing), and reading JSON
events until a stream ends."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client

from config.asgi import application

RECEIVE_TIMEOUT = 5


def login_cookie(user: Any) -> str:
    """The session id of a fresh login (call through sync_to_async from async tests)."""
    try:
        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value
    finally:
        connection.close()  # runs in a worker thread; its connection must not outlive the test DB


def communicator_for(
    path: str, *, cookie: str | None = None, client_ip: str = "127.0.0.1", app: Any = application
) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(app, path, headers=headers)
    communicator.scope["client"] = (client_ip, 50000)
    return communicator


async def socket_for(user: Any | None, path: str, app: Any = application) -> WebsocketCommunicator:
    """A communicator for `path`, logged in as `user` (None: anonymous)."""
    cookie = await sync_to_async(login_cookie)(user) if user is not None else None
    return communicator_for(path, cookie=cookie, app=app)


async def json_events_until_end(communicator: WebsocketCommunicator) -> list[dict[str, Any]]:
    """JSON events up to the stream's complete or error."""
    events = []
    while True:
        event = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
        events.append(event)
        if event["type"] in ("complete", "error"):
            return events


async def first_chunk(communicator: WebsocketCommunicator) -> dict[str, Any]:
    """Skip the stream's status events up to its first chunk, and return that chunk."""
    while (event := await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT))["type"] != "chunk":
        pass
    return event
