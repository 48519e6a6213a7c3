"""The first attempt is built while the call is being admitted (attempts.EarlyCall) and held at the
client's send gate: the provider sees nothing of a call until it is admitted, and nothing at all
of a call that is refused, answered from the cache, re-routed or cancelled meanwhile. Admitted,
it goes out as the outcome reaches the loop; a call cancelled from then on is recorded with the
input it may have sent."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import time
from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from llm import runner
from llm.models import AiRun, Budget, Provider
from llm.providers import provider_client
from llm.providers.base import send_gate
from llm.runner.attempts import AsyncIO, call_chain, send_early_call_if_admitted
from llm.runner.execute import admit_call, finish_shielded
from llm.runner.finish import Outcome
from llm.runner.types import build_spec
from llm.types import ChatRequest
from tests.llm.conftest import Gateway

pytestmark = pytest.mark.django_db(transaction=True)


async def ask(company: Any, prompt: str = "Hello") -> runner.RunResult:
    return await runner.arun(feature="playground", context={"prompt": prompt}, tenant=company)


async def tasks_left_behind() -> set[asyncio.Task[Any]]:
    await asyncio.sleep(0.05)  # a dropped call's task ends at the loop's next turns
    return {task for task in asyncio.all_tasks() if task is not asyncio.current_task()}


async def test_the_openai_client_holds_a_request_at_the_send_gate_until_it_opens(gateway: Gateway) -> None:
    provider = await sync_to_async(Provider.objects.get)(name="openai")
    client = provider_client(name=provider.name, kind=provider.kind, api_key_env=provider.api_key_env)
    request = ChatRequest(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}], max_tokens=16, timeout=5
    )
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    held_context = contextvars.copy_context()
    held_context.run(send_gate.set, gate)

    held = asyncio.get_running_loop().create_task(client.achat(request), context=held_context)
    await asyncio.sleep(0.2)
    assert not held.done() and not gateway.fake.requests
    gate.set_result(None)

    assert (await held).text and len(gateway.fake.requests) == 1


async def test_an_admitted_call_sends_the_request_it_built_as_it_is_admitted_and_only_once(
    gateway: Gateway, free_company: Any
) -> None:
    io = AsyncIO()
    spec = build_spec(feature="playground", context={"prompt": "Hello"}, tenant=free_company)

    admission, refusal = await admit_call(spec, io)
    # Gone out as the admission's outcome reached the loop, before the chain came to take it.
    assert refusal is None and admission.early is not None and admission.early_sent
    await asyncio.wait_for(asyncio.shield(admission.early.task), 5)
    assert [request.model for request in gateway.fake.requests] == ["gpt-4o-mini"]
    outcome = Outcome()
    await call_chain(admission, outcome, io)
    result = await finish_shielded(io, admission, outcome)

    assert (result.status, outcome.attempts) == ("succeeded", 1)
    assert [request.model for request in gateway.fake.requests] == ["gpt-4o-mini"]
    assert not await tasks_left_behind()


async def test_a_stream_closed_once_its_request_may_be_out_is_recorded_with_its_estimated_input(
    gateway: Gateway, free_company: Any
) -> None:
    stream = runner.astream(feature="playground", context={"prompt": "Hello"}, tenant=free_company)
    thinking, generating = await anext(stream), await anext(stream)  # admitted: the request is on its way
    await stream.aclose()

    assert (thinking["type"], generating["type"]) == ("status", "status")
    await asyncio.to_thread(runner.background_db_work_done)
    run = await sync_to_async(AiRun.objects.get)()
    assert (run.status, run.model, run.usage_estimated) == ("cancelled", "gpt-4o-mini", True)
    assert run.input_tokens > 0 and run.cost > 0
    assert not await tasks_left_behind()


async def test_a_call_cancelled_just_after_its_request_went_out_is_recorded_with_its_estimated_input(
    gateway: Gateway, free_company: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[asyncio.Task[Any]] = []

    def send_then_cancel_the_caller(admitted: Any) -> None:
        send_early_call_if_admitted(admitted)
        calls[0].cancel()  # before the caller has woken to take its admission

    monkeypatch.setattr("llm.runner.execute.send_early_call_if_admitted", send_then_cancel_the_caller)
    calls.append(asyncio.ensure_future(ask(free_company)))
    with pytest.raises(asyncio.CancelledError):
        await calls[0]

    await asyncio.to_thread(runner.background_db_work_done)
    run = await sync_to_async(AiRun.objects.get)()
    assert (run.status, run.model, run.usage_estimated) == ("cancelled", "gpt-4o-mini", True)
    assert run.input_tokens > 0 and run.cost > 0
    assert not await tasks_left_behind()


async def test_a_refused_call_never_sends_the_request_it_built(gateway: Gateway, free_company: Any) -> None:
    await sync_to_async(Budget.objects.create)(scope="tenant", tenant_id=free_company.pk, cap_usd=Decimal("0.0001"))

    with pytest.raises(runner.RunError):
        await ask(free_company)

    await asyncio.to_thread(runner.background_db_work_done)  # (PostgreSQL: the end is written after)
    assert await sync_to_async(AiRun.objects.values_list("status", flat=True).get)() == "refused"
    assert not gateway.fake.requests and not await tasks_left_behind()


async def test_a_cache_hit_never_sends_the_request_it_built(gateway: Gateway, free_company: Any) -> None:
    gateway.settings.LLM_CACHE_TTL = 60
    first = await ask(free_company)

    second = await ask(free_company)

    assert second.cached and second.text == first.text
    assert len(gateway.fake.requests) == 1 and not await tasks_left_behind()


async def test_a_call_rerouted_by_its_budget_sends_only_to_the_model_it_can_afford(
    gateway: Gateway, pro_company: Any
) -> None:
    # Fits gpt-4o-mini's worst case, not gpt-4o's: the request built for gpt-4o is dropped.
    await sync_to_async(Budget.objects.create)(scope="tenant", tenant_id=pro_company.pk, cap_usd=Decimal("0.004"))

    result = await ask(pro_company)

    assert result.model == "gpt-4o-mini"
    assert [request.model for request in gateway.fake.requests] == ["gpt-4o-mini"]
    assert not await tasks_left_behind()


async def test_a_call_cancelled_while_admitted_sends_nothing_and_is_recorded(
    gateway: Gateway, free_company: Any
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's one sync thread; PostgreSQL's case is in test_loop_admission.py")
    database_busy = asyncio.ensure_future(sync_to_async(functools.partial(time.sleep, 0.3))())
    await asyncio.sleep(0.05)  # the admission queues behind it, in Django's one sync thread

    call = asyncio.ensure_future(ask(free_company))
    await asyncio.sleep(0.1)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    await database_busy

    assert await sync_to_async(AiRun.objects.values_list("status", flat=True).get)() == "cancelled"
    assert not gateway.fake.requests and not await tasks_left_behind()
