"""The rule-based side of the `local` provider: a registry of per-feature handlers.

Apps register their handlers in `AppConfig.ready()`:

    from llm.local import LocalRequest, register_handler

    def parse_cv_locally(request: LocalRequest) -> dict[str, Any]:
        return heuristic_profile(request.context["cv_text"])

    register_handler("parse_cv", parse_cv_locally)

A handler receives a LocalRequest and returns text, or a dict for JSON features (the runner
validates it against the prompt's schema like any model's answer). A feature with no handler gets
a generic extractive answer built from its context; for JSON features it is shaped to the schema.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from llm.types import Message

EMBEDDING_DIMENSIONS = 256
EXTRACT_SENTENCES = 5
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#.-]{1,}")


@dataclass(frozen=True)
class LocalRequest:
    feature: str
    context: Mapping[str, Any]
    messages: list[Message]
    output_schema: dict[str, Any] | None
    max_tokens: int


LocalHandler = Callable[[LocalRequest], str | dict[str, Any]]
_handlers: dict[str, LocalHandler] = {}


def register_handler(feature: str, handler: LocalHandler) -> None:
    """Make `handler` answer `feature` on the local provider (last registration wins)."""
    _handlers[feature] = handler


def registered_features() -> list[str]:
    return sorted(_handlers)


def local_answer(request: LocalRequest) -> str:
    """The local provider's reply text for a request: the feature's handler, else a generic answer."""
    handler = _handlers.get(request.feature, generic_answer)
    answer = handler(request)
    if isinstance(answer, str):
        return answer
    return json.dumps(answer, ensure_ascii=False)


# ----- the generic extractive answer ------------------------------------------------------


def _context_sentences(context: Mapping[str, Any]) -> list[str]:
    sentences: list[str] = []
    for value in context.values():
        text = value if isinstance(value, str) else ""
        sentences.extend(s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) > 2)
    return sentences


def _keywords(sentences: list[str], limit: int = 8) -> list[str]:
    counts = Counter(word.lower() for s in sentences for word in _WORD.findall(s) if len(word) > 3)
    return [word for word, _ in counts.most_common(limit)]


def _top_sentences(sentences: list[str], limit: int = EXTRACT_SENTENCES) -> list[str]:
    """The sentences richest in the context's frequent words, in their original order."""
    frequent = set(_keywords(sentences, limit=20))
    scored = sorted(
        range(len(sentences)),
        key=lambda i: -sum(w.lower() in frequent for w in _WORD.findall(sentences[i])),
    )
    return [sentences[i] for i in sorted(scored[:limit])]


def generic_answer(request: LocalRequest) -> str | dict[str, Any]:
    sentences = _context_sentences(request.context)
    top = _top_sentences(sentences)
    title = request.feature.replace("_", " ").capitalize()
    if not request.output_schema:
        if not top:
            return "The rule-based assistant found nothing in the provided text to answer from."
        return "From the provided text:\n" + "\n".join(f"- {s}" for s in top)
    draft = {
        "title": title,
        "summary": top[0] if top else "",
        "content": "\n\n".join(top),
        "bullets": top[1:],
        "warnings": ["Rule-based draft: written without a language model."],
        "keywords_added": [],
        "next_actions": ["Review and edit this draft."],
        "skills": _keywords(sentences),
    }
    return conform_to_schema(request.output_schema, draft)


def conform_to_schema(schema: Mapping[str, Any], candidate: Any) -> Any:
    """`candidate` where it fits the schema, else the simplest valid value, property by property."""
    if "enum" in schema:
        return candidate if candidate in schema["enum"] else schema["enum"][0]
    kinds = schema.get("type", "object" if "properties" in schema else "string")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    for kind in kinds:
        if kind == "object" and isinstance(candidate, dict | type(None)):
            source = candidate or {}
            properties = schema.get("properties", {})
            names = [*schema.get("required", []), *(n for n in properties if n in source)]
            return {
                name: conform_to_schema(properties.get(name, {}), source.get(name)) for name in dict.fromkeys(names)
            }
        if kind == "array" and isinstance(candidate, list):
            return [conform_to_schema(schema.get("items", {}), item) for item in candidate]
        if kind == "string" and isinstance(candidate, str):
            return candidate
        if kind in ("integer", "number") and isinstance(candidate, int | float) and not isinstance(candidate, bool):
            low, high = schema.get("minimum", -math.inf), schema.get("maximum", math.inf)
            value = min(max(candidate, low), high)
            return int(value) if kind == "integer" else value
        if kind == "boolean" and isinstance(candidate, bool):
            return candidate
    return _empty_value(schema, kinds[0])


def _empty_value(schema: Mapping[str, Any], kind: str) -> Any:
    if kind == "object":
        return conform_to_schema(schema, {})
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    return {"array": [], "string": "", "boolean": False, "null": None}.get(kind, "")


def local_embedding(text: str, dimensions: int = EMBEDDING_DIMENSIONS) -> list[float]:
    """A hashed bag-of-words vector: deterministic, offline, and good enough for lexical similarity."""
    vector = [0.0] * dimensions
    for word in _WORD.findall(text.lower()):
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        index = int.from_bytes(digest[:4], "little") % dimensions
        vector[index] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]
