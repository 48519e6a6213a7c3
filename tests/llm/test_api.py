"""The JSON API: /run and /stream (SSE) through auth, tenant scoping, the plan gate and the runner,
against the fake OpenAI server through the real SDK; streams through a real daphne server."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx2 as httpx
import pytest
from django.test import Client

from llm.api.tokens import api_token_create, api_token_revoke
from llm.models import AiRun, ApiFeatureAccess, ApiToken, Budget
from tests.conftest import Tenant, make_tenant
from tests.fakes.openai_server import FakeOpenAIServer, Fault
from tests.llm.conftest import FAST_RETRIES, Gateway
from tests.plugins.live import LiveServer, database_url, start_daphne, stop_process

RUN_URL = "/api/v1/ai/run"
STREAM_URL = "/api/v1/ai/stream"
PROMPT = " ".join(f"word{i}" for i in range(20))


def bearer(raw_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw_token}"}


def post_json(client: Client, url: str, payload: dict[str, Any], **headers: str) -> Any:
    return client.post(url, data=json.dumps(payload), content_type="application/json", headers=headers)


@pytest.fixture
def api_client() -> Client:
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def token(tenant_a: Tenant) -> str:
    return api_token_create(user=tenant_a.user, name="tests")[1]


# --- /run ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_run_with_a_token_records_one_run_for_the_users_company(
    gateway: Gateway, tenant_a: Tenant, token: str, api_client: Client
) -> None:
    response = post_json(api_client, RUN_URL, {"feature": "playground", "context": {"prompt": PROMPT}}, **bearer(token))

    assert response.status_code == 200, response.content
    body = response.json()
    run = AiRun.objects.get()
    assert body["run_id"] == run.pk and run.tenant_id == tenant_a.company.pk and run.user_id == tenant_a.user.pk
    assert body["text"].startswith("Echo: word0") and body["provider"] == "openai" and not body["rule_based"]
    assert body["usage"]["input_tokens"] == run.input_tokens > 0
    assert body["usage"]["output_tokens"] == run.output_tokens > 0
    assert Decimal(body["cost"]) == run.cost > 0 and isinstance(body["cost"], str)
    assert gateway.fake.requests[-1].body["messages"][-1]["content"].count("word19") == 1
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.django_db(transaction=True)
def test_overrides_reach_the_provider(gateway: Gateway, tenant_a: Tenant, token: str, api_client: Client) -> None:
    payload = {"feature": "playground", "context": {"prompt": PROMPT}, "overrides": {"max_tokens": 3}}

    response = post_json(api_client, RUN_URL, payload, **bearer(token))

    assert response.status_code == 200
    assert (
        gateway.fake.requests[-1].body.get("max_tokens", gateway.fake.requests[-1].body.get("max_completion_tokens"))
        == 3
    )
    assert response.json()["usage"]["output_tokens"] <= 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [{}, bearer("hh_not-a-real-token"), bearer("not-even-prefixed"), {"Authorization": "Basic dXNlcjpwYXNz"}],
    ids=["no-auth", "unknown-token", "malformed-token", "basic-scheme"],
)
def test_missing_or_invalid_credentials_are_401(local_only: None, api_client: Client, headers: dict[str, str]) -> None:
    response = post_json(api_client, RUN_URL, {"feature": "playground", "context": {"prompt": "hi"}}, **headers)

    assert response.status_code == 401
    assert response.json()["error"]["code"] in ("not_authenticated", "invalid_token")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not AiRun.objects.exists()


@pytest.mark.django_db
def test_a_revoked_token_is_401(local_only: None, tenant_a: Tenant, api_client: Client) -> None:
    row, raw_token = api_token_create(user=tenant_a.user, name="old")
    assert post_json(api_client, RUN_URL, {"feature": "playground"}, **bearer(raw_token)).status_code == 200
    api_token_revoke(token=row)

    response = post_json(api_client, RUN_URL, {"feature": "playground"}, **bearer(raw_token))

    assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_token"
    assert ApiToken.objects.get().token_hash != raw_token and raw_token.startswith(row.token_prefix)


@pytest.mark.django_db
def test_session_auth_needs_the_csrf_token(local_only: None, tenant_a: Tenant, api_client: Client) -> None:
    api_client.force_login(tenant_a.user)
    payload = {"feature": "playground", "context": {"prompt": "hello there"}}

    refused = post_json(api_client, RUN_URL, payload)
    csrf_secret = "a" * 32  # what the csrftoken cookie holds; pages send it back in X-CSRFToken
    api_client.cookies["csrftoken"] = csrf_secret
    accepted = post_json(api_client, RUN_URL, payload, X_CSRFToken=csrf_secret)

    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    assert accepted.status_code == 200, accepted.content
    assert AiRun.objects.get().tenant_id == tenant_a.company.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"feature": "no_such_feature"}, 404, "unknown_feature"),
        ({"feature": "Bad Slug!"}, 400, "invalid_request"),
        ({"feature": "playground", "context": "not an object"}, 400, "invalid_request"),
        ({"feature": "playground", "surprise": 1}, 400, "invalid_request"),
        ({"feature": "playground", "overrides": {"max_tokens": 0}}, 400, "invalid_request"),
        ({"feature": "playground", "overrides": {"temperature": "hot"}}, 400, "invalid_request"),
        ({"feature": "playground", "overrides": {"prompt_version": 999}}, 400, "invalid_request"),
    ],
)
def test_bad_requests(
    local_only: None, token: str, api_client: Client, payload: dict[str, Any], status: int, code: str
) -> None:
    response = post_json(api_client, RUN_URL, payload, **bearer(token))

    assert response.status_code == status and response.json()["error"]["code"] == code
    assert not AiRun.objects.exists()


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_400(local_only: None, token: str, api_client: Client) -> None:
    response = api_client.post(RUN_URL, data="{oops", content_type="application/json", headers=bearer(token))

    assert response.status_code == 400


@pytest.mark.django_db
def test_plan_gate_is_data(local_only: None, api_client: Client) -> None:
    free = make_tenant(slug="freeco", plan="free")
    pro = make_tenant(slug="proco", plan="pro")
    ApiFeatureAccess.objects.update_or_create(feature="playground", defaults={"allowed_plans": ["pro", "enterprise"]})
    payload = {"feature": "playground", "context": {"prompt": "hello"}}

    refused = post_json(api_client, RUN_URL, payload, **bearer(api_token_create(user=free.user, name="t")[1]))
    allowed = post_json(api_client, RUN_URL, payload, **bearer(api_token_create(user=pro.user, name="t")[1]))
    ApiFeatureAccess.objects.filter(feature="playground").update(allowed_plans=["*"])
    reopened = post_json(api_client, RUN_URL, payload, **bearer(api_token_create(user=free.user, name="t2")[1]))

    assert refused.status_code == 403 and refused.json()["error"]["code"] == "plan_not_allowed"
    assert allowed.status_code == 200 and reopened.status_code == 200
    assert list(AiRun.objects.values_list("tenant_id", flat=True).order_by("pk")) == [pro.company.pk, free.company.pk]


@pytest.mark.django_db
def test_a_user_without_a_company_is_403(local_only: None, api_client: Client) -> None:
    from django.contrib.auth import get_user_model

    loner = get_user_model().objects.create_user(username="loner", password="x")
    response = post_json(
        api_client, RUN_URL, {"feature": "playground"}, **bearer(api_token_create(user=loner, name="t")[1])
    )

    assert response.status_code == 403 and response.json()["error"]["code"] == "no_tenant"


@pytest.mark.django_db
def test_a_switched_off_feature_is_403(local_only: None, token: str, api_client: Client) -> None:
    from llm.models import FeatureFlag

    FeatureFlag.objects.create(feature="playground", enabled=False)

    response = post_json(api_client, RUN_URL, {"feature": "playground"}, **bearer(token))

    assert response.status_code == 403 and response.json()["error"]["code"] == "feature_disabled"
    assert AiRun.objects.get().status == "refused"


@pytest.mark.django_db
def test_rate_limit_is_429_with_retry_after(
    local_only: None, settings: Any, tenant_a: Tenant, token: str, api_client: Client
) -> None:
    settings.LLM_RATE_LIMITS = {"default": {"user_rpm": 1}}
    payload = {"feature": "playground", "context": {"prompt": "hello"}}

    first = post_json(api_client, RUN_URL, payload, **bearer(token))
    second = post_json(api_client, RUN_URL, payload, **bearer(token))

    assert first.status_code == 200
    assert second.status_code == 429
    error = second.json()["error"]
    assert error["code"] == "rate_limited" and error["retryable"] and 0 < error["retry_after"] <= 120
    assert int(second["Retry-After"]) == error["retry_after"]
    assert AiRun.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_spent_budget_is_429_with_retry_after(
    gateway: Gateway, tenant_a: Tenant, token: str, api_client: Client
) -> None:
    # Chains without `local`: a spent budget must refuse rather than fall back to the free model.
    from llm.models import RoutingRule

    RoutingRule.objects.create(feature="playground", plan="*", chain=["gpt-4o-mini"], priority=100)
    Budget.objects.create(
        scope=Budget.Scope.TENANT,
        tenant_id=tenant_a.company.pk,
        period=Budget.Period.DAILY,
        cap_usd=Decimal("0.0000001"),
    )

    response = post_json(api_client, RUN_URL, {"feature": "playground", "context": {"prompt": PROMPT}}, **bearer(token))

    assert response.status_code == 429, response.content
    assert response.json()["error"]["code"] == "budget_exceeded" and int(response["Retry-After"]) > 0
    assert not gateway.fake.requests


@pytest.mark.django_db(transaction=True)
def test_provider_failure_is_a_5xx(gateway: Gateway, tenant_a: Tenant, token: str, api_client: Client) -> None:
    from llm.models import LLMModel

    LLMModel.objects.filter(provider__kind="local").update(enabled=False)  # nothing to fall back to
    gateway.fake.always(Fault.status_500())

    response = post_json(api_client, RUN_URL, {"feature": "playground", "context": {"prompt": PROMPT}}, **bearer(token))

    assert response.status_code == 503, response.content
    assert response.json()["error"]["code"] == "http_500" and response.json()["error"]["retryable"] is True
    assert AiRun.objects.get().status == "failed"


# --- OpenAPI ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_openapi_schema_is_valid_and_describes_both_endpoints(local_only: None, client: Client) -> None:
    from openapi_spec_validator import validate

    response = client.get("/api/v1/ai/openapi.json")

    schema = response.json()
    validate(schema)
    assert set(schema["paths"]) == {"/run", "/stream"}
    assert "text/event-stream" in schema["paths"]["/stream"]["post"]["responses"]["200"]["content"]
    assert {"401", "403", "404", "429"} <= set(schema["paths"]["/run"]["post"]["responses"])
    features = schema["components"]["schemas"]["CallRequest"]["properties"]["feature"]["enum"]
    assert "parse_cv" in features and "embed_cv" not in features
    assert set(schema["components"]["securitySchemes"]) == {"apiToken", "session", "csrfToken"}


# --- SSE through daphne -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sse_server(
    django_db_setup: None, django_db_blocker: Any, fake_openai_server: FakeOpenAIServer
) -> Iterator[LiveServer]:
    """daphne on the test database with the gateway pointed at the fake server and fast retries."""
    from django.db import connection

    env = {
        "DATABASE_URL": database_url(connection.settings_dict),
        "OPENAI_BASE_URL": fake_openai_server.base_url,
        "OPENAI_API_KEY": "test-key",
        "LLM_CATALOG_TTL": "0",
        "LLM_CACHE_TTL": "0",
        "LLM_RETRY_BASE_DELAY": str(FAST_RETRIES["LLM_RETRY_BASE_DELAY"]),
    }
    process, port, log_path = start_daphne(env_overrides=env)
    yield LiveServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", log_path)
    stop_process(process)


@pytest.fixture
def streaming_token(transactional_db: None, fake_openai: FakeOpenAIServer) -> str:
    return api_token_create(user=make_tenant(slug="streamco").user, name="sse")[1]


def parse_sse(raw: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for frame in raw.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in frame.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def wait_for_run_status(status: str, *, timeout: float = 10.0) -> AiRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = AiRun.objects.filter(status=status).first()
        if run is not None:
            return run
        time.sleep(0.05)
    raise AssertionError(f"no AiRun became {status!r}: {list(AiRun.objects.values('status', 'error_code'))}")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_stream_events_arrive_in_order_as_they_are_made(
    sse_server: LiveServer, streaming_token: str, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.script(Fault.stream_chunks(6) | Fault.chunk_delay(0.15))
    payload = {"feature": "playground", "context": {"prompt": PROMPT}}
    arrivals: list[tuple[float, str]] = []
    raw = ""

    with httpx.stream(
        "POST", sse_server.url + STREAM_URL, json=payload, headers=bearer(streaming_token), timeout=30
    ) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        for text in response.iter_text():
            raw += text
            arrivals.extend((time.monotonic(), line[7:]) for line in text.splitlines() if line.startswith("event: "))

    events = parse_sse(raw)
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "status" and kinds[-1] == "complete" and kinds.count("chunk") >= 6
    assert kinds.index("complete") > max(i for i, kind in enumerate(kinds) if kind == "chunk")
    assert all(kind == data["type"] for kind, data in events)
    # Flushed as made: the chunks were spread over ~0.75 s, not delivered in one burst at the end.
    chunk_times = [at for at, kind in arrivals if kind == "chunk"]
    assert chunk_times[-1] - chunk_times[0] > 0.4
    complete = events[-1][1]
    text = "".join(data["content"] for kind, data in events if kind == "chunk")
    run = wait_for_run_status("succeeded")  # the complete event may come before its record is written
    assert run.pk == complete["run_id"] and complete["text"] == text and run.streaming
    assert Decimal(complete["cost"]) == run.cost > 0


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_curl_n_sees_chunks_before_complete(
    sse_server: LiveServer, streaming_token: str, fake_openai: FakeOpenAIServer
) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed on this machine")
    fake_openai.script(Fault.stream_chunks(4))
    command = [
        curl, "-N", "-sS", "--max-time", "30", "-X", "POST", sse_server.url + STREAM_URL,
        "-H", f"Authorization: Bearer {streaming_token}", "-H", "Content-Type: application/json",
        "--data", json.dumps({"feature": "playground", "context": {"prompt": PROMPT}}),
    ]  # fmt: skip

    output = subprocess.run(command, capture_output=True, text=True, timeout=40, check=True).stdout

    event_lines = [line for line in output.splitlines() if line.startswith("event: ")]
    assert event_lines.count("event: chunk") >= 4 and event_lines[-1] == "event: complete"
    assert event_lines.index("event: chunk") < event_lines.index("event: complete")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_client_disconnect_mid_stream_cancels_the_run(
    sse_server: LiveServer, streaming_token: str, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.script(Fault.stream_chunks(40) | Fault.chunk_delay(0.1))
    payload = {"feature": "playground", "context": {"prompt": PROMPT}}

    with httpx.stream(
        "POST", sse_server.url + STREAM_URL, json=payload, headers=bearer(streaming_token), timeout=30
    ) as response:
        for text in response.iter_text():
            if "event: chunk" in text:
                break  # hang up after the first chunk

    run = wait_for_run_status("cancelled")
    assert run.streaming and run.usage_estimated and run.output_tokens > 0
    deadline = time.monotonic() + 5
    while fake_openai.stats["stream_disconnects"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake_openai.stats["stream_disconnects"] >= 1


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_stream_refuses_before_streaming_when_unauthenticated(sse_server: LiveServer, streaming_token: str) -> None:
    response = httpx.post(sse_server.url + STREAM_URL, json={"feature": "playground"}, timeout=10)

    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"


# --- admin ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_shows_a_new_token_once_and_stores_only_its_hash(
    local_only: None, tenant_a: Tenant, admin_client: Client
) -> None:
    response = admin_client.post(
        "/admin/llm/apitoken/add/", {"user": tenant_a.user.pk, "name": "ATS sync"}, follow=True
    )

    shown = [str(message) for message in response.context["messages"] if "not be shown again" in str(message)]
    assert len(shown) == 1
    raw_token = shown[0].rsplit(" ", 1)[-1]
    row = ApiToken.objects.get()
    assert raw_token not in (row.token_hash, row.token_prefix) and raw_token.startswith(row.token_prefix)
    assert post_json(Client(), RUN_URL, {"feature": "playground"}, **bearer(raw_token)).status_code == 200
    assert raw_token not in admin_client.get(f"/admin/llm/apitoken/{row.pk}/change/").content.decode()
