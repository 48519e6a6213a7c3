"""Promises 1-3: one AiRun per call, usage as the provider reports it, Decimal cost at the price in force."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from llm import runner
from llm.models import AiRun, LLMModel
from llm.services import model_price_add
from tests.fakes.openai_server import Fault
from tests.llm.conftest import Gateway

pytestmark = pytest.mark.django_db

MINI_INPUT, MINI_CACHED, MINI_OUTPUT = Decimal("0.15"), Decimal("0.075"), Decimal("0.60")
MILLION = Decimal(1_000_000)


def ask(company: Any, prompt: str = "Say hello", **kwargs: Any) -> runner.RunResult:
    return runner.run(feature="playground", context={"prompt": prompt}, tenant=company, **kwargs)


def test_a_call_records_one_run_with_the_providers_usage_and_cost(gateway: Gateway, free_company: Any) -> None:
    result = ask(free_company, subject=("recruiting.cv", 42), request_id="req-1")

    run = AiRun.objects.get()
    assert (run.pk, run.status, run.provider, run.model) == (result.run_id, "succeeded", "openai", "gpt-4o-mini")
    usage = gateway.fake.requests[-1]
    assert usage.body["model"] == "gpt-4o-mini"
    assert result.text.startswith("Echo: Say hello")
    assert run.input_tokens == result.usage.input_tokens > 0
    assert run.output_tokens == result.usage.output_tokens > 0
    assert run.usage_estimated is False
    expected = (run.input_tokens * MINI_INPUT + run.output_tokens * MINI_OUTPUT) / MILLION
    assert run.cost == expected.quantize(Decimal("0.00000001"))
    assert (run.prompt_slug, run.prompt_version) == ("playground", 1)
    assert (run.subject_type, run.subject_id, run.request_id) == ("recruiting.cv", "42", "req-1")
    assert run.tenant_id == free_company.pk and run.finished_at is not None and run.attempts == 1


def test_cached_input_tokens_are_part_of_input_and_priced_once(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.script(Fault.cached_tokens(10) | Fault.reasoning_tokens(7))

    result = ask(free_company, prompt="word " * 40)

    run = AiRun.objects.get(pk=result.run_id)
    assert run.cached_input_tokens == 10 and run.reasoning_tokens == 7
    # Reasoning tokens are inside completion tokens, cached inside prompt tokens: nothing is added twice.
    assert run.output_tokens == gateway.fake.requests[-1].body["max_tokens"] or run.output_tokens > 7
    uncached = run.input_tokens - 10
    expected = (uncached * MINI_INPUT + 10 * MINI_CACHED + run.output_tokens * MINI_OUTPUT) / MILLION
    assert run.cost == expected.quantize(Decimal("0.00000001"))
    assert run.cost < ((run.input_tokens + 10) * MINI_INPUT + run.output_tokens * MINI_OUTPUT) / MILLION


def test_cost_uses_the_price_in_force_at_call_time_and_history_stays(gateway: Gateway, free_company: Any) -> None:
    first = ask(free_company)
    model_price_add(
        model=LLMModel.objects.get(name="gpt-4o-mini"),
        effective_from=timezone.now() - timedelta(seconds=1),
        input_per_million=Decimal("1.50"),
        cached_input_per_million=Decimal("0.75"),
        output_per_million=Decimal("6.00"),
    )
    # A price that starts tomorrow does not apply yet.
    model_price_add(
        model=LLMModel.objects.get(name="gpt-4o-mini"),
        effective_from=timezone.now() + timedelta(days=1),
        input_per_million=Decimal("99"),
        cached_input_per_million=Decimal("99"),
        output_per_million=Decimal("99"),
    )
    second = ask(free_company)

    old, new = AiRun.objects.get(pk=first.run_id), AiRun.objects.get(pk=second.run_id)
    assert old.cost == first.cost  # unchanged by the new price
    assert (new.input_tokens, new.output_tokens) == (old.input_tokens, old.output_tokens)
    assert new.cost == old.cost * 10
    assert isinstance(new.cost, Decimal)


def test_a_provider_error_records_one_failed_run_after_falling_back(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.always(Fault.status(400, message="bad request"))

    result = ask(free_company)

    run = AiRun.objects.get()
    assert result.rule_based and run.status == "succeeded" and run.provider == "local"
    assert run.fallback_used and run.attempts == 2  # a 400 is not retried


def test_when_every_target_fails_the_run_is_failed_and_the_error_raised(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.always(Fault.status_500())
    LLMModel.objects.filter(provider__kind="local").update(enabled=False)  # nothing to fall back to

    with pytest.raises(runner.RunError) as raised:
        ask(free_company)

    run = AiRun.objects.get()
    assert run.status == "failed" and run.error_code == "http_500" and run.attempts == 3
    assert raised.value.result.run_id == run.pk and raised.value.retryable
    assert run.cost == 0 and run.input_tokens == 0 and run.finished_at is not None


def test_embeddings_go_through_the_runner_with_one_run(gateway: Gateway, free_company: Any) -> None:
    result = runner.embed(texts=["Python developer", "Go developer"], tenant=free_company, subject=("recruiting.cv", 7))

    run = AiRun.objects.get()
    assert (run.feature, run.model, run.status) == ("embed_cv", "text-embedding-3-small", "succeeded")
    assert len(result.vectors) == 2 and len(result.vectors[0]) == len(result.vectors[1]) > 0
    assert result.vectors[0] != result.vectors[1]
    assert run.input_tokens > 0 and run.cost == (run.input_tokens * Decimal("0.02") / MILLION).quantize(
        Decimal("0.00000001")
    )


def test_local_mode_answers_everything_with_the_local_provider(local_only: None, free_company: Any) -> None:
    result = runner.run(
        feature="parse_cv", context={"cv_text": "Jane Roe\njane@example.com\nPython"}, tenant=free_company
    )

    run = AiRun.objects.get()
    assert (run.provider, run.status, run.cost) == ("local", "succeeded", 0)
    assert result.rule_based and set(result.output) >= {"name", "skills", "experience"}
    assert run.usage_estimated  # tiktoken counts, not a provider's bill
