"""Promise 8: JSON output validated against the prompt's schema, one repair, then fallback."""

from __future__ import annotations

import json
from typing import Any

import pytest

from llm import runner
from llm.models import AiRun
from tests.fakes.openai_server import Fault
from tests.llm.conftest import Gateway

pytestmark = pytest.mark.django_db

CV = "Jane Roe\njane@example.com\nSenior Python developer at Acme since 2019."


def parse(company: Any) -> runner.RunResult:
    return runner.run(feature="parse_cv", context={"cv_text": CV}, tenant=company)


def test_valid_json_is_parsed_and_the_schema_was_sent(gateway: Gateway, free_company: Any) -> None:
    result = parse(free_company)

    request = gateway.fake.requests[-1].body
    assert request["response_format"]["type"] == "json_schema"
    assert "total_years_experience" in request["response_format"]["json_schema"]["schema"]["properties"]
    assert result.provider == "openai" and isinstance(result.output, dict) and "skills" in result.output


def test_invalid_json_gets_one_repair_attempt(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.script(Fault.reply('{"name": "Jane"'))  # cut off: not JSON

    result = parse(free_company)

    assert result.provider == "openai" and not result.fallback_used and result.output["skills"] == []
    repair = gateway.fake.requests[-1].body["messages"]
    assert len(gateway.fake.requests) == 2
    assert repair[-2] == {"role": "assistant", "content": '{"name": "Jane"'}
    assert "invalid" in repair[-1]["content"]
    run = AiRun.objects.get()
    assert run.attempts == 2 and run.input_tokens > 2 * 100  # both calls are paid for


def test_json_that_stays_invalid_falls_back(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.script(Fault.reply(json.dumps({"name": 5})), times=2)  # valid JSON, wrong shape

    result = parse(free_company)

    assert result.rule_based and result.fallback_used
    assert set(result.output) >= {"name", "email", "skills", "experience", "education"}
    run = AiRun.objects.get()
    assert run.status == "succeeded" and run.cost > 0  # the two rejected answers still cost money


def test_text_features_send_no_response_format(gateway: Gateway, free_company: Any) -> None:
    runner.run(feature="resume_chat", context={"cv_text": CV, "question": "Where?"}, tenant=free_company)

    assert "response_format" not in gateway.fake.requests[-1].body
