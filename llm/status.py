"""What the health endpoint says about the configured LLM provider (no network call).

A provider the router has put into cooldown (too many failed calls in a row) is reported as
degraded until the cooldown ends: meanwhile its calls fall back along the chain, to `local` last.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from llm.selectors import providers_in_cooldown


def _cooldown_status() -> dict[str, object] | None:
    try:
        cooling = providers_in_cooldown(now=timezone.now())
    except DatabaseError:  # the database's own health is reported separately
        return None
    if not cooling:
        return None
    names = ", ".join(provider.name for provider in cooling)
    until = max(provider.unhealthy_until for provider in cooling if provider.unhealthy_until is not None)
    return {
        "status": "degraded",
        "cooldown": [provider.name for provider in cooling],
        "cooldown_until": until.isoformat(),
        "detail": f"in cooldown after repeated failures ({names}); calls fall back to the next model",
    }


def configured_provider_status() -> dict[str, object]:
    if settings.LLM_DEFAULT_PROVIDER == "local":
        return {"status": "ok", "provider": "local", "detail": "built-in rule-based provider"}
    base_url = settings.OPENAI_BASE_URL or "https://api.openai.com/v1"
    # Only the host is reported: a base URL may carry credentials in its userinfo part.
    host = urlsplit(base_url).hostname or "?"
    if not settings.OPENAI_API_KEY:
        return {"status": "degraded", "provider": "openai", "host": host, "detail": "OPENAI_API_KEY is not set"}
    cooldown = _cooldown_status()
    if cooldown is not None:
        return {"provider": "openai", "host": host, **cooldown}
    return {"status": "ok", "provider": "openai", "host": host}
