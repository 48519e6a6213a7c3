"""Provider clients, one per configuration per process (their connection pools are reused)."""

from __future__ import annotations

import threading

from django.conf import settings

from llm.providers.base import LLMProvider, ProviderConfig
from llm.providers.local import LocalProvider
from llm.providers.openai_compatible import OpenAICompatibleProvider

DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
LOCAL_KIND = "local"

_clients: dict[ProviderConfig, LLMProvider] = {}
_lock = threading.Lock()


def resolved_base_url(base_url: str, kind: str) -> str:
    if kind == LOCAL_KIND:
        return ""
    return base_url or settings.OPENAI_BASE_URL or DEFAULT_OPENAI_BASE_URL


def provider_client(*, name: str, kind: str, base_url: str = "", api_key_env: str = "") -> LLMProvider:
    """The client for a provider row's settings; a changed row (or setting) gets a fresh client."""
    config = ProviderConfig(name=name, kind=kind, base_url=resolved_base_url(base_url, kind), api_key_env=api_key_env)
    client = _clients.get(config)
    if client is None:
        with _lock:
            client = _clients.get(config)
            if client is None:
                client = LocalProvider(config) if kind == LOCAL_KIND else OpenAICompatibleProvider(config)
                _clients[config] = client
    return client


__all__ = ["LLMProvider", "ProviderConfig", "provider_client", "resolved_base_url"]
