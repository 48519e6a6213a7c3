"""Streams: usage from the final chunk, estimates when it is missing, visible mid-stream errors,
and cancel / disconnect finishing the run with estimated usage while the provider sees the hang-up."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from llm import runner
from llm.models import AiRun
from tests.fakes.openai_server import Fault
from tests.llm.conftest import Gateway

pytestmark = pytest.mark.django_db(transaction=True)

LONG_PROMPT = " ".join(f"word{i}" for i in range(25))


async def collect(**kwargs: Any) -> list[runner.Event]:
    return [event async for event in runner.astream(feature="playground", **kwargs)]


async def run_row(run_id: int) -> AiRun:
    return await sync_to_async(AiRun.objects.get)(pk=run_id)


async def only_run() -> AiRun:
    return await sync_to_async(AiRun.objects.get)()


async def test_stream_usage_comes_from_the_final_chunk(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.script(Fault.cached_tokens(5))

    events = await collect(context={"prompt": LONG_PROMPT}, tenant=free_company)

    kinds = [event["type"] for event in events]
    assert kinds[:2] == ["status", "status"] and kinds[-1] == "complete" and kinds.count("chunk") > 3
    complete = events[-1]
    text = "".join(event["content"] for event in events if event["type"] == "chunk")
    assert complete["text"] == text and text.startswith("Echo: word0")
    run = await run_row(complete["run_id"])
    assert gateway.fake.requests[-1].body["stream_options"] == {"include_usage": True}
    assert (run.status, run.streaming, run.usage_estimated) == ("succeeded", True, False)
    assert run.cached_input_tokens == 5 and run.output_tokens == complete["usage"]["output_tokens"] > 0
    assert complete["cost"] == f"{run.cost:f}" and run.cost > 0
    assert run.ttft_ms is not None and run.latency_ms is not None and run.ttft_ms <= run.latency_ms


async def test_missing_stream_usage_is_estimated_and_flagged(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.script(Fault.missing_usage())

    events = await collect(context={"prompt": LONG_PROMPT}, tenant=free_company)

    run = await run_row(events[-1]["run_id"])
    assert events[-1]["type"] == "complete"
    assert run.status == "succeeded" and run.usage_estimated
    assert run.input_tokens > 0 and run.output_tokens > 0 and run.cost > 0


@pytest.mark.parametrize(
    "break_off",
    [Fault.reset_mid_stream(after_chunks=4), Fault.error_mid_stream(after_chunks=4)],
    ids=["connection reset", "error event"],
)
async def test_a_stream_that_breaks_after_text_ends_in_a_visible_error(
    gateway: Gateway, free_company: Any, break_off: Fault
) -> None:
    gateway.fake.script(break_off)

    events = await collect(context={"prompt": LONG_PROMPT}, tenant=free_company)

    chunks = [event for event in events if event["type"] == "chunk"]
    assert chunks, "some text was sent before the reset"
    assert events[-1]["type"] == "error" and events[-1]["code"] == "stream_interrupted"
    assert not any(event["type"] == "complete" for event in events)
    run = await only_run()
    assert (run.status, run.error_code, run.usage_estimated) == ("failed", "stream_interrupted", True)
    assert not run.fallback_used and run.provider == "openai"  # no silent switch after text was shown
    assert run.output_tokens > 0 and run.cost > 0
    assert len(gateway.fake.requests) == 1


async def test_a_stream_that_fails_before_text_falls_back(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.always(Fault.status_503())

    events = await collect(context={"prompt": "Hello there"}, tenant=free_company)

    assert events[-1]["type"] == "complete" and events[-1]["rule_based"]
    run = await only_run()
    assert (run.status, run.provider, run.fallback_used, run.attempts) == ("succeeded", "local", True, 4)


async def _first_chunk_then_wait(stream: Any, got_chunk: asyncio.Event) -> None:
    async for event in stream:
        if event["type"] == "chunk":
            got_chunk.set()


async def test_cancel_finishes_the_run_as_cancelled_and_hangs_up(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.script(Fault.chunk_delay(0.2))
    got_chunk = asyncio.Event()
    stream = runner.astream(feature="playground", context={"prompt": LONG_PROMPT}, tenant=free_company)
    task = asyncio.create_task(_first_chunk_then_wait(stream, got_chunk))
    await asyncio.wait_for(got_chunk.wait(), timeout=5)

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert await gateway.fake.wait_until_async(lambda: gateway.fake.stats["stream_disconnects"] == 1)
    run = await only_run()
    assert (run.status, run.usage_estimated) == ("cancelled", True)
    assert run.input_tokens > 0 and run.output_tokens > 0 and run.cost > 0 and run.finished_at


async def test_a_client_that_stops_reading_cancels_the_run(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.script(Fault.chunk_delay(0.2))
    stream = runner.astream(feature="playground", context={"prompt": LONG_PROMPT}, tenant=free_company)
    async for event in stream:
        if event["type"] == "chunk":
            break
    await stream.aclose()  # what a consumer does when its WebSocket closes

    assert await gateway.fake.wait_until_async(lambda: gateway.fake.stats["stream_disconnects"] == 1)
    run = await only_run()
    assert (run.status, run.usage_estimated) == ("cancelled", True) and run.output_tokens > 0


async def test_cancelling_a_non_streamed_call_records_it(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.script(Fault.latency(5))
    task = asyncio.create_task(runner.arun(feature="playground", context={"prompt": "hi"}, tenant=free_company))
    assert await gateway.fake.wait_until_async(lambda: len(gateway.fake.requests) == 1)

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert await gateway.fake.wait_until_async(lambda: gateway.fake.stats["client_disconnects"] == 1)
    run = await only_run()
    assert (run.status, run.usage_estimated, run.output_tokens) == ("cancelled", True, 0)
    assert run.input_tokens > 0


async def test_local_streams_in_chunks(local_only: None, free_company: Any) -> None:
    events = await collect(context={"prompt": "Python developers write Python code. Go developers write Go."})

    assert sum(event["type"] == "chunk" for event in events) > 2
    assert events[-1]["type"] == "complete" and events[-1]["provider"] == "local"


CV = "Jane Roe\njane@example.com\nSenior Python developer at Acme since 2019."


async def test_streamed_json_is_validated_and_repaired_once(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.script(Fault.reply('{"name": "Jane"'))  # the stream ends cut off: not JSON

    events = [event async for event in runner.astream(feature="parse_cv", context={"cv_text": CV}, tenant=free_company)]

    complete = events[-1]
    assert complete["type"] == "complete" and complete["repaired"] is True
    assert complete["provider"] == "openai" and complete["output"]["skills"] == []  # the repair is schema-valid
    assert any(event["type"] == "status" and "not valid JSON" in event["message"] for event in events)
    streamed = "".join(event["content"] for event in events if event["type"] == "chunk")
    assert streamed == '{"name": "Jane"' and complete["text"] != streamed
    repair = gateway.fake.requests[-1].body
    assert len(gateway.fake.requests) == 2 and repair["messages"][-2]["content"] == streamed
    run = await run_row(complete["run_id"])
    assert (run.status, run.attempts) == ("succeeded", 2) and run.cost == Decimal(complete["cost"])


async def test_streamed_json_that_stays_invalid_ends_in_a_visible_error(gateway: Gateway, free_company: Any) -> None:
    gateway.fake.script(Fault.reply('{"name": 5}'), times=2)  # valid JSON, wrong shape, twice

    events = [event async for event in runner.astream(feature="parse_cv", context={"cv_text": CV}, tenant=free_company)]

    assert events[-1]["type"] == "error" and events[-1]["code"] == "invalid_output"
    run = await run_row(events[-1]["run_id"])
    assert run.status == "failed" and run.cost > 0 and len(gateway.fake.requests) == 2
