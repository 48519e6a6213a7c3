"""What callers pass to the runner and what they get back."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypedDict

from django.db import models

from config.logging import current_request_id
from llm.errors import LLMError
from llm.models import ANY
from llm.types import Usage

Subject = models.Model | tuple[str, Any] | None


@dataclass(frozen=True)
class Overrides:
    """Per-call choices that beat routing and the prompt's parameters (the playground uses them)."""

    model: str = ""
    prompt_version: int | None = None
    max_tokens: int | None = None
    temperature: float | None = None


class EmbedArgs(TypedDict, total=False):
    """Who a call is for and what it is about (keyword arguments of every runner function)."""

    tenant: Any  # the LLM_TENANT_MODEL instance (its `plan` picks the route), or None
    user: Any  # a user (anonymous counts as none)
    subject: Subject  # the record the call is about: a model instance or ("app.model", id)
    request_id: str  # defaults to the current request's id


class CallArgs(EmbedArgs, total=False):
    context: Mapping[str, Any] | None  # the prompt template's variables
    overrides: Overrides | Mapping[str, Any] | None
    json_output: bool | None  # None: as the prompt template says
    cache: bool  # consult and fill the exact cache (default True)
    memory_scope: tuple[str, Any] | None  # e.g. ("job", 12): that scope's AiMemory goes into the prompt


@dataclass(frozen=True)
class CallSpec:
    """One call, with the caller's objects reduced to plain ids (AiRun may live in another database)."""

    feature: str
    context: Mapping[str, Any]
    tenant_id: int | None
    plan: str
    user_id: int | None
    subject_type: str
    subject_id: str
    request_id: str
    overrides: Overrides
    json_output: bool | None  # None: as the prompt template says
    use_cache: bool
    streaming: bool = False
    memory_scope: tuple[str, str] | None = None
    embedding_texts: tuple[str, ...] | None = None  # set for embedding calls


@dataclass(frozen=True)
class RunResult:
    """The outcome of one call; `run_id` is its AiRun."""

    run_id: int
    feature: str
    status: str  # an AiRun.Status value
    text: str = ""
    output: Any = None  # the parsed JSON for JSON features
    vectors: list[list[float]] = field(default_factory=list)  # embedding calls
    provider: str = ""
    model: str = ""
    prompt_version: int | None = None
    usage: Usage = field(default_factory=Usage)
    cost: Decimal = Decimal(0)
    cost_saved: Decimal = Decimal(0)
    latency_ms: int = 0
    ttft_ms: int | None = None
    attempts: int = 0
    fallback_used: bool = False
    repaired: bool = False  # JSON output: the first answer was invalid, `output` is the model's repair
    cached: bool = False
    error_code: str = ""
    error_message: str = ""
    retryable: bool = False
    retry_after: float | None = None
    request_id: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("succeeded", "cached")

    @property
    def rule_based(self) -> bool:
        """Answered by the built-in local provider; pages label such output."""
        return self.provider == "local"


class RunError(LLMError):
    """The call did not succeed (refused, failed); its AiRun is written and `result` describes it."""

    def __init__(self, result: RunResult) -> None:
        super().__init__(result.error_message or result.status, code=result.error_code or result.status)
        self.result = result
        self.retryable = result.retryable
        self.retry_after = result.retry_after


def _subject_ref(subject: Subject) -> tuple[str, str]:
    if subject is None:
        return "", ""
    if isinstance(subject, tuple):
        kind, pk = subject
        return str(kind), str(pk)
    return subject._meta.label_lower, str(subject.pk)


def _user_id(user: Any) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return int(user.pk)


def build_spec(
    *,
    feature: str,
    context: Mapping[str, Any] | None = None,
    tenant: Any = None,
    user: Any = None,
    subject: Subject = None,
    request_id: str = "",
    overrides: Overrides | Mapping[str, Any] | None = None,
    json_output: bool | None = None,
    cache: bool = True,
    streaming: bool = False,
    memory_scope: tuple[str, Any] | None = None,
    embedding_texts: list[str] | None = None,
) -> CallSpec:
    subject_type, subject_id = _subject_ref(subject)
    if overrides is not None and not isinstance(overrides, Overrides):
        overrides = Overrides(**overrides)
    return CallSpec(
        feature=feature,
        context=dict(context or {}),
        tenant_id=tenant.pk if tenant is not None else None,
        plan=getattr(tenant, "plan", ANY) or ANY,
        user_id=_user_id(user),
        subject_type=subject_type,
        subject_id=subject_id,
        request_id=request_id or current_request_id.get() or uuid.uuid4().hex,
        overrides=overrides or Overrides(),
        json_output=json_output,
        use_cache=cache,
        streaming=streaming,
        memory_scope=(memory_scope[0], str(memory_scope[1])) if memory_scope else None,
        embedding_texts=tuple(embedding_texts) if embedding_texts is not None else None,
    )
