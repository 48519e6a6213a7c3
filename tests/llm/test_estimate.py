"""runner.estimate: the pre-flight figures are the ones the real call then uses, and nothing is
written or sent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from llm import runner
from llm.errors import RefusedError
from llm.models import AiRun, Budget, BudgetReservation, FeatureFlag
from tests.llm.conftest import Gateway

pytestmark = pytest.mark.django_db

CONTEXT = {"prompt": "Summarise this candidate's last three roles in two sentences."}


def test_the_estimate_is_what_the_call_then_reserves(gateway: Gateway, free_company: Any) -> None:
    Budget.objects.create(scope=Budget.Scope.TENANT, tenant_id=free_company.pk, cap_usd=Decimal(5))

    guess = runner.estimate(feature="playground", context=CONTEXT, tenant=free_company, overrides={"max_tokens": 50})

    assert not AiRun.objects.exists() and not gateway.fake.requests  # nothing written, nothing sent
    result = runner.run(feature="playground", context=CONTEXT, tenant=free_company, overrides={"max_tokens": 50})
    run = AiRun.objects.get()
    assert (guess.model, guess.provider, guess.prompt_version) == (result.model, "openai", run.prompt_version)
    assert guess.max_output_tokens == 50 and not guess.rule_based
    assert guess.input_tokens > 0 and guess.worst_case_cost > 0
    assert BudgetReservation.objects.get().amount == guess.worst_case_cost


def test_a_bigger_prompt_or_output_cap_estimates_more(gateway: Gateway, free_company: Any) -> None:
    small = runner.estimate(feature="playground", context=CONTEXT, tenant=free_company)
    long_prompt = runner.estimate(feature="playground", context={"prompt": CONTEXT["prompt"] * 20}, tenant=free_company)
    more_output = runner.estimate(
        feature="playground", context=CONTEXT, tenant=free_company, overrides=runner.Overrides(max_tokens=4000)
    )

    assert long_prompt.input_tokens > small.input_tokens and long_prompt.worst_case_cost > small.worst_case_cost
    assert more_output.max_output_tokens == 4000 and more_output.worst_case_cost > small.worst_case_cost


def test_a_switched_off_feature_is_refused_without_a_run(gateway: Gateway, free_company: Any) -> None:
    FeatureFlag.objects.create(feature="playground", enabled=False)

    with pytest.raises(RefusedError) as refused:
        runner.estimate(feature="playground", context=CONTEXT, tenant=free_company)

    assert refused.value.code == "feature_disabled" and not AiRun.objects.exists()
