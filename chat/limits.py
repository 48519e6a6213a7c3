"""Limits of the public resume bot that the gateway cannot key: per visitor IP and per link.

The gateway's own limits still apply to every chat call (RPM/TPM per user and tenant, tenant
budgets; llm.ratelimits, llm.budgets); a recruiter's messages per minute is the gateway's
per-user RPM. Anonymous visitors have no user, so their counters live here, in the same cache
and with the same fixed one-minute windows.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

WINDOW_SECONDS = 60
PUBLIC_MESSAGES_PER_MINUTE_PER_IP = 6
PUBLIC_MESSAGES_PER_MINUTE_PER_LINK = 30
MAX_QUESTION_CHARACTERS = 2000


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    retry_after: int | None = None


def _count(key: str) -> int:
    cache = caches[settings.LLM_RATE_LIMIT_CACHE]
    if cache.add(key, 1, timeout=WINDOW_SECONDS * 2):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        return 1


def public_message_admit(*, link_id: int, client_ip: str) -> Refusal | None:
    """Count one visitor message against the per-IP and per-link limits, or say why not."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    retry_after = math.ceil((window + 1) * WINDOW_SECONDS - now)
    limits = (
        (f"chat:rl:ip:{client_ip}:{window}", PUBLIC_MESSAGES_PER_MINUTE_PER_IP, "from your network"),
        (f"chat:rl:link:{link_id}:{window}", PUBLIC_MESSAGES_PER_MINUTE_PER_LINK, "for this CV"),
    )
    for key, limit, who in limits:
        if _count(key) > limit:
            return Refusal(
                "rate_limited",
                f"Too many questions {who} this minute (limit {limit}); please try again in {retry_after} s.",
                retry_after,
            )
    return None


def question_refusal(question: str) -> Refusal | None:
    if not question.strip():
        return Refusal("invalid_request", "Type a question first.")
    if len(question) > MAX_QUESTION_CHARACTERS:
        return Refusal(
            "too_long",
            f"Your message is {len(question)} characters long; the limit is {MAX_QUESTION_CHARACTERS}. "
            "Please shorten it.",
        )
    return None
