"""Resume chat fixtures: a parsed CV per tenant and sockets through the full ASGI stack."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client

from config.asgi import application
from recruiting.models import CV, Candidate
from recruiting.parsing import parse_cv_text
from tests.chat.documents import CV_TEXT, OTHER_CV_TEXT
from tests.conftest import Tenant

RECEIVE_TIMEOUT = 5


def make_cv(tenant: Tenant, text: str = CV_TEXT, name: str = "Jane Roe") -> CV:
    candidate = Candidate.objects.create(company=tenant.company, full_name=name)
    return CV.objects.create(
        company=tenant.company,
        candidate=candidate,
        original_filename=f"{name}.pdf",
        text=text,
        status=CV.Status.DONE,
        profile=parse_cv_text(text),
    )


@pytest.fixture
def cv_a(tenant_a: Tenant) -> CV:
    return make_cv(tenant_a)


@pytest.fixture
def cv_b(tenant_b: Tenant) -> CV:
    return make_cv(tenant_b, OTHER_CV_TEXT, name="Max Secret")


def login_cookie(user: Any) -> str:
    try:
        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value
    finally:
        connection.close()  # runs in a worker thread; its connection must not outlive the test DB


def visitor_cookie(token: str) -> str:
    """An anonymous visitor's session, made by opening the public page (it sets the visitor key)."""
    try:
        client = Client()
        response = client.get(f"/chat/p/{token}/")
        assert response.status_code == 200
        return client.cookies["sessionid"].value
    finally:
        connection.close()


async def socket(path: str, *, cookie: str | None = None, client_ip: str = "127.0.0.1") -> WebsocketCommunicator:
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    communicator.scope["client"] = (client_ip, 50000)
    return communicator


async def recruiter_socket(tenant: Tenant, cv: CV, mode: str = "json") -> WebsocketCommunicator:
    cookie = await sync_to_async(login_cookie)(tenant.user)
    communicator = await socket(f"/ws/chat/cv/{cv.pk}/?mode={mode}", cookie=cookie)
    connected, code = await communicator.connect()
    assert connected, code
    return communicator


async def ask(communicator: WebsocketCommunicator, question: str, conversation: Any = "", **fields: Any) -> None:
    await communicator.send_json_to(
        {"type": "start", "question": question, "conversation": str(conversation), "action": "ask", **fields}
    )


async def receive_until_end(communicator: WebsocketCommunicator) -> list[dict[str, Any]]:
    """JSON events up to the stream's complete or error."""
    events = []
    while True:
        event = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
        events.append(event)
        if event["type"] in ("complete", "error"):
            return events


async def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll a database condition from async code."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await sync_to_async(condition)():
            return True
        await asyncio.sleep(0.05)
    return False


from tests.llm.conftest import gateway, local_only  # noqa: E402, F401 - the gateway's fixtures, shared
