"""StreamingConsumer through the full ASGI stack (origin check, session auth, routing), against the
fake OpenAI server: the JSON protocol, cancel and disconnect, refusals, HTMX escaping and protocol
errors. The playground socket is the subclass under test; `?mode=json` selects the JSON protocol."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from django.contrib.auth import get_user_model
from django.urls import path

from config.asgi import application
from llm.consumers import StreamCall, StreamingConsumer, StreamOutcome
from llm.models import AiRun, LLMModel, PromptTemplate
from tests import sockets
from tests.fakes.openai_server import Fault
from tests.llm.conftest import Gateway
from tests.sockets import RECEIVE_TIMEOUT, first_chunk

pytestmark = pytest.mark.django_db(transaction=True)

LONG_PROMPT = " ".join(f"word{i}" for i in range(25))
CHUNK_OPEN = '<div hx-swap-oob="beforeend:#playground-output">'


def _create_user(username: str, *, staff: bool) -> Any:
    return get_user_model().objects.create_user(username=username, password="unused", is_staff=staff)


async def socket_for(user: Any | None, path: str = "/ws/llm/playground/?mode=json", app: Any = application) -> Any:
    return await sockets.socket_for(user, path, app)


async def staff_socket(path: str = "/ws/llm/playground/?mode=json") -> Any:
    staff = await sync_to_async(_create_user)("staffer", staff=True)
    communicator = await socket_for(staff, path)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


def _start_message(**fields: Any) -> dict[str, Any]:
    template = PromptTemplate.objects.get(slug="playground", version=1)
    return {
        "type": "start",
        "template": str(template.pk),
        "var_system": "Be brief.",
        "var_prompt": LONG_PROMPT,
        **fields,
    }


async def start_message(**fields: Any) -> dict[str, Any]:
    return await sync_to_async(_start_message)(**fields)


async def receive_until(communicator: Any, last: str) -> list[dict[str, Any]]:
    events = []
    while True:
        event = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
        events.append(event)
        if event["type"] in ("complete", "error") and (last == event["type"] or event["type"] == "complete"):
            return events


async def only_run() -> AiRun:
    return await sync_to_async(AiRun.objects.get)()


async def run_count() -> int:
    return await sync_to_async(AiRun.objects.count)()


async def test_json_stream_sends_statuses_then_chunks_then_complete(gateway: Gateway) -> None:
    gpt_4o = await sync_to_async(LLMModel.objects.get)(name="gpt-4o")
    communicator = await staff_socket()

    await communicator.send_json_to(await start_message(model=str(gpt_4o.pk), max_tokens="50"))
    events = await receive_until(communicator, "complete")

    kinds = [event["type"] for event in events]
    first_chunk_at = kinds.index("chunk")
    assert kinds[0] == "status" and set(kinds[:first_chunk_at]) == {"status"}
    assert set(kinds[first_chunk_at:-1]) == {"chunk"} and kinds.count("chunk") > 3 and kinds[-1] == "complete"
    complete = events[-1]
    text = "".join(event["content"] for event in events if event["type"] == "chunk")
    assert text.startswith("Echo: word0") and complete["text"] == text
    assert complete["model"] == "gpt-4o" and complete["provider"] == "openai" and not complete["rule_based"]
    assert complete["usage"]["input_tokens"] > 0 and complete["usage"]["output_tokens"] > 0
    request = gateway.fake.requests[-1].body
    assert request["model"] == "gpt-4o" and request["messages"][0] == {"role": "system", "content": "Be brief."}
    run = await only_run()
    assert (run.status, run.feature, run.streaming, run.prompt_version) == ("succeeded", "playground", True, 1)
    assert complete["run_id"] == run.pk and complete["cost"] == f"{run.cost:f}" and run.cost > 0
    await communicator.disconnect()


async def test_cancel_mid_stream_records_a_cancelled_run_and_hangs_up(gateway: Gateway) -> None:
    gateway.fake.script(Fault.chunk_delay(0.2))
    communicator = await staff_socket()
    await communicator.send_json_to(await start_message())
    await first_chunk(communicator)

    await communicator.send_json_to({"type": "cancel"})

    ended = await receive_until(communicator, "error")
    assert ended[-1]["code"] == "cancelled" and not any(event["type"] == "complete" for event in ended)
    assert await gateway.fake.wait_until_async(lambda: gateway.fake.stats["stream_disconnects"] == 1)
    run = await only_run()
    assert (run.status, run.usage_estimated) == ("cancelled", True)
    assert run.input_tokens > 0 and run.output_tokens > 0 and run.cost > 0 and run.finished_at
    assert ended[-1]["run_id"] == run.pk  # the cancelled event names the run it finished
    await communicator.disconnect()


async def test_disconnect_mid_stream_records_a_cancelled_run_and_hangs_up(gateway: Gateway) -> None:
    gateway.fake.script(Fault.chunk_delay(0.2))
    communicator = await staff_socket()
    await communicator.send_json_to(await start_message())
    await first_chunk(communicator)

    await communicator.disconnect()

    assert await gateway.fake.wait_until_async(lambda: gateway.fake.stats["stream_disconnects"] == 1)
    run = await only_run()
    assert (run.status, run.usage_estimated) == ("cancelled", True) and run.output_tokens > 0 and run.finished_at


async def test_anonymous_users_are_refused_with_4401(gateway: Gateway) -> None:
    communicator = await socket_for(None)
    connected, close_code = await communicator.connect()
    assert (connected, close_code) == (False, 4401)


async def test_non_staff_users_are_refused_before_any_call(gateway: Gateway) -> None:
    recruiter = await sync_to_async(_create_user)("recruiter", staff=False)
    communicator = await socket_for(recruiter)
    connected, close_code = await communicator.connect()
    assert (connected, close_code) == (False, 4403)
    assert await run_count() == 0 and gateway.fake.requests == []


async def test_htmx_mode_escapes_model_output(gateway: Gateway) -> None:
    gateway.fake.script(Fault.reply('<script>alert("x")</script> & <b>bold</b>'))
    communicator = await staff_socket("/ws/llm/playground/")  # the playground's own mode: HTMX

    assert 'data-state="ready"' in await communicator.receive_from(timeout=RECEIVE_TIMEOUT)
    await communicator.send_json_to(await start_message())
    messages: list[str] = []
    while 'data-state="complete"' not in (messages[-1] if messages else ""):
        messages.append(await communicator.receive_from(timeout=RECEIVE_TIMEOUT))

    html = "".join(messages)
    assert 'id="playground-output" hx-swap-oob="true"' in messages[0]  # a new run clears the last answer
    assert 'hx-swap-oob="beforeend:#playground-output"' in html and 'id="playground-usage"' in html
    appended = "".join(
        message.removeprefix(CHUNK_OPEN).removesuffix("</div>")
        for message in messages
        if message.startswith(CHUNK_OPEN)
    )
    assert appended == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
    assert "<script" not in html and "<b>" not in html
    await communicator.disconnect()


async def test_a_second_start_while_streaming_is_refused_as_busy(gateway: Gateway) -> None:
    gateway.fake.script(Fault.chunk_delay(0.2))
    communicator = await staff_socket()
    await communicator.send_json_to(await start_message())
    assert (await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT))["type"] == "status"

    await communicator.send_json_to(await start_message())

    while (event := await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT))["type"] != "error":
        pass
    assert event["code"] == "busy"
    await communicator.send_json_to({"type": "cancel"})
    cancelled = (await receive_until(communicator, "error"))[-1]
    assert cancelled["code"] == "cancelled"
    assert await run_count() == 1
    assert cancelled["run_id"] == (await only_run()).pk
    await communicator.disconnect()


async def test_a_cancel_during_admission_still_names_the_finished_run(gateway: Gateway) -> None:
    gateway.fake.script(Fault.chunk_delay(0.2))
    communicator = await staff_socket()
    await communicator.send_json_to(await start_message())
    assert (await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT))["status"] == "thinking"

    await communicator.send_json_to({"type": "cancel"})  # the runner is admitting the call

    cancelled = (await receive_until(communicator, "error"))[-1]
    run = await only_run()
    assert (cancelled["code"], cancelled["run_id"], run.status) == ("cancelled", run.pk, "cancelled")
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"type": "explode"}, "unknown_type"),
        ({"prompt": "no type"}, "unknown_type"),
        (["not", "an", "object"], "invalid_message"),
        ({"type": "cancel"}, "not_running"),
        ({"type": "start", "template": "999999"}, "invalid_request"),
    ],
)
async def test_protocol_errors(gateway: Gateway, message: Any, code: str) -> None:
    communicator = await staff_socket()

    await communicator.send_to(text_data=json.dumps(message))

    event = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
    assert (event["type"], event["code"], event["retryable"]) == ("error", code, False)
    assert await run_count() == 0
    await communicator.disconnect()


async def test_text_that_is_not_json_is_an_invalid_message(gateway: Gateway) -> None:
    communicator = await staff_socket()
    await communicator.send_to(text_data="{not json")
    assert (await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT))["code"] == "invalid_message"
    await communicator.disconnect()


class RecordingConsumer(StreamingConsumer):
    """A subclass as other apps write them: its own authorization and call, and the finish hooks."""

    outcomes: list[StreamOutcome] = []
    completed: list[dict[str, Any]] = []

    async def authorize(self) -> bool:
        return not self.user.username.startswith("blocked")

    async def build_call(self, message: dict[str, Any]) -> StreamCall | None:
        if not message.get("prompt"):
            return None
        return StreamCall(feature="playground", context={"prompt": message["prompt"]}, user=self.user, cache=False)

    async def on_complete(self, event: dict[str, Any]) -> None:
        self.completed.append(event)

    async def on_finished(self, outcome: StreamOutcome) -> None:
        self.outcomes.append(outcome)


recording_application = AuthMiddlewareStack(URLRouter([path("ws/recording/", RecordingConsumer.as_asgi())]))


@pytest.fixture
def recorded() -> type[RecordingConsumer]:
    RecordingConsumer.outcomes, RecordingConsumer.completed = [], []
    return RecordingConsumer


async def test_subclass_hooks_see_complete_and_partial_cancelled_text(
    gateway: Gateway, recorded: type[RecordingConsumer]
) -> None:
    user = await sync_to_async(_create_user)("member", staff=False)
    communicator = await socket_for(user, "/ws/recording/", recording_application)
    assert (await communicator.connect())[0]

    await communicator.send_json_to({"type": "start", "prompt": "Hello there"})
    complete = (await receive_until(communicator, "complete"))[-1]
    gateway.fake.script(Fault.chunk_delay(0.2))
    await communicator.send_json_to({"type": "start", "prompt": LONG_PROMPT})
    await first_chunk(communicator)
    await communicator.disconnect()

    assert recorded.completed == [complete]
    finished, stopped = recorded.outcomes
    assert (finished.status, finished.text, finished.final_event) == ("complete", complete["text"], complete)
    assert stopped.status == "disconnected" and stopped.final_event is None
    assert stopped.text.startswith("Echo:") and len(stopped.text) < len("Echo: " + LONG_PROMPT)
    blocked = await sync_to_async(_create_user)("blocked-member", staff=False)
    refused = await socket_for(blocked, "/ws/recording/", recording_application)
    assert await refused.connect() == (False, 4403)
