"""llm/tokens.py: chat token counts are the encoder's, with OpenAI's framing per message."""

from __future__ import annotations

from llm.tokens import TOKENS_PER_MESSAGE, TOKENS_REPLY_PRIMING, count_messages, count_text, encoding_for
from llm.types import Message


def test_a_chat_counts_each_role_and_text_plus_the_framing() -> None:
    messages: list[Message] = [
        {"role": "system", "content": ""},
        {"role": "user", "content": "Summarise the candidate's last three roles."},
        {"role": "assistant", "content": "Three roles: engineer, lead, head of data."},
        {"role": "user", "content": "And before that?"},
    ]
    encoding, _ = encoding_for("gpt-4o-mini")
    by_the_encoder = TOKENS_REPLY_PRIMING + sum(
        TOKENS_PER_MESSAGE + len(encoding.encode(m["role"])) + len(encoding.encode(m["content"])) for m in messages
    )

    # Twice: the second count reads the roles' counts from the cache.
    assert count_messages(messages, "gpt-4o-mini") == count_messages(messages, "gpt-4o-mini") == by_the_encoder
    assert count_text("", "gpt-4o-mini") == 0 and count_text("And before that?", "gpt-4o-mini") == 4
