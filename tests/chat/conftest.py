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

from recruiting.models import CV, Candidate
from recruiting.parsing import parse_cv_text
from tests.chat.documents import CV_TEXT, OTHER_CV_TEXT
from tests.conftest import Tenant
from tests.sockets import communicator_for, json_events_until_end, login_cookie


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
    return communicator_for(path, cookie=cookie, client_ip=client_ip)


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


receive_until_end = json_events_until_end


async def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll a database condition from async code."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await sync_to_async(condition)():
            return True
        await asyncio.sleep(0.05)
    return False


from tests.llm.conftest import gateway, local_only  # noqa: E402, F401 - the gateway's fixtures, shared
