"""Small text helpers the rule-based drafters share."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_BULLET = re.compile(r"^\s*(?:[-*•·\u2013]|\d+[.)])\s*")


def sentences(text: str) -> list[str]:
    """Sentences and lines of `text`, bullets stripped, in order."""
    found = []
    for part in _SENTENCE_END.split(text or ""):
        cleaned = _BULLET.sub("", part).strip()
        if len(cleaned) > 2:
            found.append(cleaned)
    return found


def unique(items: Iterable[str]) -> list[str]:
    """Non-empty items, first spelling kept, duplicates (ignoring case) dropped."""
    seen: dict[str, str] = {}
    for item in items:
        cleaned = " ".join(str(item).split())
        if cleaned:
            seen.setdefault(cleaned.casefold(), cleaned)
    return list(seen.values())


def split_list(text: str) -> list[str]:
    """ "Python, Django; PostgreSQL" or one item per line -> items."""
    return unique(re.split(r"[,;\n]", text or ""))


def sentence_case(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:] if text else text
