"""What the health endpoint says about the configured LLM provider (no network call)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def configured_provider_status() -> dict[str, object]:
    if settings.LLM_DEFAULT_PROVIDER == "local":
        return {"status": "ok", "provider": "local", "detail": "built-in rule-based provider"}
    base_url = settings.OPENAI_BASE_URL or "https://api.openai.com/v1"
    # Only the host is reported: a base URL may carry credentials in its userinfo part.
    host = urlsplit(base_url).hostname or "?"
    if not settings.OPENAI_API_KEY:
        return {"status": "degraded", "provider": "openai", "host": host, "detail": "OPENAI_API_KEY is not set"}
    return {"status": "ok", "provider": "openai", "host": host}
