"""The built-in `local` provider: rule-based, deterministic, offline, streamed like a real model."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator

from django.conf import settings

from llm.errors import ProviderError
from llm.local import LocalRequest, local_answer, local_embedding
from llm.local_embeddings import local_embedder
from llm.providers.base import LLMProvider
from llm.tokens import count_messages, count_text
from llm.types import ChatRequest, ChatResponse, EmbeddingResponse, StreamDelta, Usage

# A piece of text up to and including its trailing whitespace: chunks read like model tokens.
_PIECE = re.compile(r"\S+\s*|\s+")
WORDS_PER_CHUNK = 3


class LocalProvider(LLMProvider):
    def _answer(self, request: ChatRequest) -> str:
        return local_answer(
            LocalRequest(
                feature=request.feature,
                context=request.context,
                messages=request.messages,
                output_schema=request.json_schema,
                max_tokens=request.max_tokens,
            )
        )

    @staticmethod
    def _usage(request: ChatRequest, text: str) -> Usage:
        # No model bills these tokens: they are tiktoken counts, so they are flagged as estimates.
        return Usage(
            input_tokens=count_messages(request.messages, request.model),
            output_tokens=count_text(text, request.model),
            estimated=True,
        )

    def chat(self, request: ChatRequest) -> ChatResponse:
        text = self._answer(request)
        return ChatResponse(text=text, usage=self._usage(request, text))

    async def achat(self, request: ChatRequest) -> ChatResponse:
        return self.chat(request)

    async def astream(self, request: ChatRequest) -> AsyncGenerator[StreamDelta, None]:
        text = self._answer(request)
        pieces = _PIECE.findall(text)
        delay = float(getattr(settings, "LLM_LOCAL_CHUNK_DELAY", 0.0))
        for start in range(0, len(pieces), WORDS_PER_CHUNK):
            await asyncio.sleep(delay)  # also yields to the loop, as a network stream would
            yield StreamDelta(text="".join(pieces[start : start + WORDS_PER_CHUNK]))
        yield StreamDelta(usage=self._usage(request, text))

    def embeddings(self, *, model: str, texts: list[str], timeout: float) -> EmbeddingResponse:
        """The real local model when the router chose it (llm.local_embeddings), else lexical vectors."""
        if model == "local":
            tokens = sum(count_text(text, model) for text in texts)
            return EmbeddingResponse(
                vectors=[local_embedding(text) for text in texts], usage=Usage(input_tokens=tokens, estimated=True)
            )
        embedder = local_embedder()
        if embedder is None or embedder.name != model:
            # Never answer with another model's vectors under this model's name.
            raise ProviderError(f"local embedding model {model!r} is not loaded", retryable=False)
        # The model's own tokenizer counts the tokens: exact, not an estimate.
        return EmbeddingResponse(vectors=embedder.embed(texts), usage=Usage(input_tokens=embedder.count_tokens(texts)))

    async def aembeddings(self, *, model: str, texts: list[str], timeout: float) -> EmbeddingResponse:
        if model == "local":
            return self.embeddings(model=model, texts=texts, timeout=timeout)
        # The model's forward pass takes up to a second per long CV: off the event loop (the C
        # engine runs through ctypes, which releases the GIL).
        return await asyncio.to_thread(self.embeddings, model=model, texts=texts, timeout=timeout)
