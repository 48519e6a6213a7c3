"""Promise 1 under load: 1,000 mixed calls with injected faults leave exactly one finished AiRun each.

Also an integration test: on PostgreSQL the async calls answer before their ends are written, in
the runner's database threads."""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from llm import runner
from llm.models import AiRun, Budget, BudgetReservation, Provider
from tests.fakes.openai_server import Fault
from tests.llm.conftest import Gateway

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

CALLS = 1_000
CONCURRENCY = 50
FAULTS = [
    Fault.status_429(retry_after=0.01),
    Fault.status_500(),
    Fault.status_503(),
    Fault.status(400),
    Fault.timeout(),
    Fault.reset_mid_stream(after_chunks=3),
    Fault.malformed_json(),
    Fault.missing_usage(),
    Fault.cached_tokens(4),
    Fault.latency(0.15),  # long enough for the cancelling callers to give up
]
FINISHED = {"succeeded", "failed", "cancelled", "refused", "cached"}


async def one_call(index: int, company: Any) -> str:
    """A call of a kind chosen by `index`; returns how it ended from the caller's side."""
    kind = index % 6
    context = {"prompt": f"Question {index}: " + "lorem ipsum " * (index % 7)}
    try:
        if kind == 0:
            await runner.arun(feature="playground", context=context, tenant=company)
        elif kind == 1:
            await runner.aembed(texts=[context["prompt"]], tenant=company)
        elif kind == 2:
            async for _ in runner.astream(feature="playground", context=context, tenant=company):
                pass
        elif kind == 3:  # a client that leaves after the first chunk
            stream = runner.astream(feature="playground", context=context, tenant=company)
            async for event in stream:
                if event["type"] == "chunk":
                    break
            await stream.aclose()
        elif kind == 4:  # a caller that times out
            await asyncio.wait_for(runner.arun(feature="playground", context=context, tenant=company), timeout=0.1)
        else:
            await sync_to_async(runner.run)(feature="parse_cv", context={"cv_text": context["prompt"]}, tenant=company)
    except runner.RunError:
        return "error"
    except TimeoutError:
        return "timeout"
    return "ok"


async def test_a_thousand_mixed_calls_leave_no_run_missing_or_running(
    gateway: Gateway, db_thread: None, free_company: Any, pro_company: Any
) -> None:
    await sync_to_async(Provider.objects.filter(name="openai").update)(timeout=0.1, max_retries=1)
    await sync_to_async(Budget.objects.create)(scope="tenant", tenant_id=pro_company.pk, cap_usd=Decimal("0.05"))
    # Spent: every paid embedding of the pro tenant is refused, whatever the timing of the others.
    await sync_to_async(Budget.objects.create)(
        scope="feature", tenant_id=pro_company.pk, feature="embed_cv", cap_usd=Decimal(0)
    )
    rng = random.Random(1234)
    for _ in range(CALLS):
        gateway.fake.script(rng.choice(FAULTS))
    limit = asyncio.Semaphore(CONCURRENCY)

    async def limited(index: int) -> str:
        async with limit:
            return await one_call(index, pro_company if index % 2 else free_company)

    outcomes = await asyncio.gather(*(limited(i) for i in range(CALLS)))

    async def settled() -> bool:
        return not await sync_to_async(AiRun.objects.filter(status="running").exists)()

    await asyncio.to_thread(runner.background_db_work_done)  # answered calls' ends (PostgreSQL)
    for _ in range(100):  # cancelled callers' runs are finished by shielded writes still in flight
        if await settled():
            break
        await asyncio.sleep(0.05)
    statuses: list[str] = await sync_to_async(lambda: list(AiRun.objects.values_list("status", flat=True)))()
    assert len(statuses) == CALLS
    assert set(statuses) <= FINISHED
    assert {"succeeded", "failed", "cancelled", "refused"} <= set(statuses)
    assert outcomes.count("timeout") > 0 and outcomes.count("error") > 0
    assert not await sync_to_async(BudgetReservation.objects.filter(status="open").exists)()
    reserved = await sync_to_async(lambda: list(Budget.objects.values_list("reserved", flat=True)))()
    assert reserved == [0, 0]
