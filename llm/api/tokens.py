"""Per-user API tokens: `hh_` + 32 random URL-safe bytes; only the SHA-256 hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.utils import timezone

from llm.models import ApiToken

TOKEN_PREFIX = "hh_"  # noqa: S105 (a public marker that tells tokens apart, not a secret)
DISPLAY_PREFIX_LENGTH = 10
# Writing last_used_at on every call would cost a write per request; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def api_token_set_secret(*, token: ApiToken) -> str:
    """Gives an unsaved token a fresh secret and returns it: the only time it is ever visible."""
    raw_token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token.token_hash = token_hash(raw_token)
    token.token_prefix = raw_token[:DISPLAY_PREFIX_LENGTH]
    return raw_token


def api_token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the raw token, which is never available again."""
    token = ApiToken(user=user, name=name)
    raw_token = api_token_set_secret(token=token)
    token.save()
    return token, raw_token


def api_token_revoke(*, token: ApiToken) -> None:
    token.revoked = True
    token.save(update_fields=["revoked"])


async def api_token_user(*, raw_token: str) -> Any | None:
    """The active user a live token belongs to, or None; marks the token used."""
    if not raw_token.startswith(TOKEN_PREFIX):
        return None
    token = (
        await ApiToken.objects.select_related("user")
        .filter(token_hash=token_hash(raw_token), revoked=False, user__is_active=True)
        .afirst()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        await ApiToken.objects.filter(pk=token.pk).aupdate(last_used_at=now)
    return token.user
