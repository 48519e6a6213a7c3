"""The authenticated WebSocket path: in-process through the full ASGI stack, and through daphne."""

from __future__ import annotations

import asyncio
import json

import pytest
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from config.asgi import application
from tests.conftest import Tenant
from tests.plugins.live import LiveServer


def _session_cookie(tenant: Tenant) -> str:
    try:
        client = Client()
        assert client.login(username=tenant.user.username, password=tenant.password)
        return client.cookies["sessionid"].value
    finally:
        # Runs in a worker thread: its connection would otherwise outlive the test database.
        connection.close()


@pytest.mark.django_db(transaction=True)
async def test_heartbeat_answers_a_logged_in_user(tenant_a: Tenant) -> None:
    cookie = await asyncio.to_thread(_session_cookie, tenant_a)
    communicator = WebsocketCommunicator(
        application,
        "/ws/heartbeat/",
        headers=[
            (b"origin", b"http://localhost"),
            (b"host", b"localhost"),
            (b"cookie", f"sessionid={cookie}".encode()),
        ],
    )
    connected, _ = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from()
    assert hello["type"] == "heartbeat" and hello["user_id"] == tenant_a.user.pk
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from())["type"] == "pong"
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_heartbeat_refuses_anonymous_users() -> None:
    communicator = WebsocketCommunicator(
        application, "/ws/heartbeat/", headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")]
    )
    connected, close_code = await communicator.connect()
    assert not connected
    assert close_code == 4401


@pytest.mark.django_db(transaction=True)
async def test_heartbeat_refuses_foreign_origins(tenant_a: Tenant) -> None:
    cookie = await asyncio.to_thread(_session_cookie, tenant_a)
    communicator = WebsocketCommunicator(
        application,
        "/ws/heartbeat/",
        headers=[(b"origin", b"http://evil.example"), (b"cookie", f"sessionid={cookie}".encode())],
    )
    connected, _ = await communicator.connect()
    assert not connected


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
async def test_heartbeat_through_daphne(daphne_server: LiveServer, tenant_a: Tenant) -> None:
    cookie = await asyncio.to_thread(_session_cookie, tenant_a)
    url = f"{daphne_server.ws_url}/ws/heartbeat/"
    async with connect(url, origin=daphne_server.url, additional_headers={"Cookie": f"sessionid={cookie}"}) as ws:  # type: ignore[arg-type]
        assert json.loads(await ws.recv())["type"] == "heartbeat"
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv())["type"] == "pong"
    with pytest.raises(InvalidStatus):
        async with connect(url, origin="http://evil.example", additional_headers={"Cookie": f"sessionid={cookie}"}):  # type: ignore[arg-type]
            pass
