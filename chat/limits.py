"""Limits of the public resume bot that the gateway cannot key: per visitor IP and per link.

The gateway's own limits still apply to every chat call (RPM/TPM per user and tenant, tenant
budgets; llm.ratelimits, llm.budgets); a recruiter's messages per minute is the gateway's
per-user RPM. Anonymous visitors have no user, so their counters are keyed here and charged
with the gateway's counters (llm.ratelimits.sliding_window_admit).
"""

from __future__ import annotations

from dataclasses import dataclass

from llm.ratelimits import sliding_window_admit

PUBLIC_MESSAGES_PER_MINUTE_PER_IP = 6
PUBLIC_MESSAGES_PER_MINUTE_PER_LINK = 30
MAX_QUESTION_CHARACTERS = 2000


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    retry_after: int | None = None


def public_message_admit(*, link_id: int, client_ip: str) -> Refusal | None:
    """Count one visitor message against the per-IP and per-link limits, or say why not. A refused
    message counts against neither."""
    limits = (
        (f"chat:ip:{client_ip}", PUBLIC_MESSAGES_PER_MINUTE_PER_IP, "from your network"),
        (f"chat:link:{link_id}", PUBLIC_MESSAGES_PER_MINUTE_PER_LINK, "for this CV"),
    )
    refused = sliding_window_admit(limits=[(name, limit) for name, limit, _ in limits])
    if refused is None:
        return None
    _, limit, who = limits[refused.limit_index]
    return Refusal(
        "rate_limited",
        f"Too many questions {who} in the last minute (limit {limit}); please try again in {refused.retry_after} s.",
        refused.retry_after,
    )


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
