"""The chat sockets and the channel layer: the chat uses none, and the production Redis layer's
receive loop survives its own idle waits (redis-py 8's 5 s read timeout raced channels_redis'
5 s BZPOPMIN and closed a socket with 1011 every few seconds; bench/chat_concurrency.py --postgres
lost sockets that way)."""

from __future__ import annotations

import asyncio
import runpy
from pathlib import Path
from typing import Any

import pytest
from channels.layers import get_channel_layer

from recruiting.models import CV
from tests.chat.conftest import ask, receive_until_end, recruiter_socket
from tests.conftest import Tenant
from tests.llm.conftest import Gateway
from tests.plugins.services import free_port

pytestmark = pytest.mark.django_db(transaction=True)

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"


def production_channel_layers(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """CHANNEL_LAYERS as config/settings.py builds it in production mode (REDIS_URL set)."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    layers: dict[str, Any] = runpy.run_path(str(SETTINGS_FILE))["CHANNEL_LAYERS"]
    return layers


async def test_chat_answers_with_an_unreachable_redis_channel_layer_configured(
    gateway: Gateway, tenant_a: Tenant, cv_a: CV, settings: Any
) -> None:
    # A socket subscribed to this layer would die on its first receive (connection refused).
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{free_port()}/0"]},
        }
    }
    communicator = await recruiter_socket(tenant_a, cv_a)

    await ask(communicator, "Where did Jane study?")
    events = await receive_until_end(communicator)

    assert events[-1]["type"] == "complete" and events[-1]["text"].startswith("Echo:")
    await communicator.disconnect()


@pytest.mark.integration
async def test_redis_channel_layer_and_chat_socket_outlive_an_idle_wait(
    gateway: Gateway, tenant_a: Tenant, cv_a: CV, settings: Any, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.CHANNEL_LAYERS = production_channel_layers(redis_url, monkeypatch)
    layer = get_channel_layer()
    channel = await layer.new_channel()
    receiving = asyncio.create_task(layer.receive(channel))
    communicator = await recruiter_socket(tenant_a, cv_a)
    try:
        # Longer than one BZPOPMIN wait: the first wait ends with nothing, the loop waits again.
        await asyncio.sleep(layer.brpop_timeout + 1.0)
        assert not receiving.done(), receiving.exception() if receiving.done() else None
        await layer.send(channel, {"type": "chat.probe"})
        assert (await asyncio.wait_for(receiving, timeout=5))["type"] == "chat.probe"

        await ask(communicator, "Where did Jane study?")
        events = await receive_until_end(communicator)
        assert events[-1]["type"] == "complete"
    finally:
        receiving.cancel()
        await communicator.disconnect()
        await layer.close_pools()
