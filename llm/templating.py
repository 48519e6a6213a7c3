"""Turns a PromptTemplate and a context into chat messages, compressing the context on the way.

Templates use `${name}` (string.Template): each value is inserted once and never parsed again,
so a CV that contains `${secret}` or `{{ }}` stays text. A value cannot close the fence it sits
in either: `</cv>` inside CV text is neutralised when the template fences values with <cv>.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from llm.tokens import count_text
from llm.types import Message

_CLOSING_TAG = re.compile(r"</([A-Za-z_][\w-]*)>")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Lines this long that come back later are page headers, footers and pasted boilerplate.
BOILERPLATE_MIN_CHARS = 30


@dataclass(frozen=True)
class RenderedPrompt:
    messages: list[Message]
    compression_saved_tokens: int


class _Blank(dict[str, str]):
    """A missing variable renders as nothing rather than failing the call."""

    def __missing__(self, key: str) -> str:
        return ""


def compress_text(text: str) -> str:
    """Collapse runs of spaces and blank lines; drop repeated lines (consecutive, or long boilerplate)."""
    kept: list[str] = []
    seen_long: set[str] = set()
    for raw_line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _SPACES.sub(" ", raw_line).strip()
        if line and kept and line == kept[-1]:
            continue
        if len(line) >= BOILERPLATE_MIN_CHARS:
            if line in seen_long:
                continue
            seen_long.add(line)
        kept.append(line)
    return _BLANK_LINES.sub("\n\n", "\n".join(kept)).strip()


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _defuse_fences(value: str, fence_tags: set[str]) -> str:
    if not fence_tags or "</" not in value:
        return value
    return _CLOSING_TAG.sub(lambda m: f"</ {m[1]}>" if m[1].lower() in fence_tags else m[0], value)


def render_prompt(
    *,
    system_template: str,
    user_template: str,
    context: Mapping[str, Any],
    output_schema: dict[str, Any] | None,
    model: str,
    compress: bool = True,
) -> RenderedPrompt:
    fence_tags = {tag.lower() for tag in _CLOSING_TAG.findall(system_template + user_template)}
    values, saved = _Blank(), 0
    for name, raw in context.items():
        text = _as_text(raw)
        if compress:
            compressed = compress_text(text)
            if compressed != text:
                saved += count_text(text, model) - count_text(compressed, model)
                text = compressed
        values[name] = _defuse_fences(text, fence_tags)
    system = string.Template(system_template).safe_substitute(values) if system_template else ""
    if output_schema:
        schema_text = json.dumps(output_schema, separators=(",", ":"))
        system = f"{system}\n\nAnswer with JSON only, valid against this JSON Schema:\n{schema_text}".strip()
    user = string.Template(user_template).safe_substitute(values)
    messages: list[Message] = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": user})
    return RenderedPrompt(messages=messages, compression_saved_tokens=max(saved, 0))
