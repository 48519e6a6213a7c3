from __future__ import annotations

import json
import logging
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from django.test import Client

from tests.plugins.live import start_daphne, stop_process
from tests.plugins.services import free_port


@pytest.mark.django_db
def test_healthz_names_every_component(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert set(body["components"]) == {"database", "cache", "broker", "llm"}
    assert all(component["status"] == "ok" for component in body["components"].values())
    assert body["components"]["llm"]["provider"] in {"local", "openai"}


@pytest.mark.integration
def test_healthz_is_503_when_the_database_is_down() -> None:
    # A real server pointed at a PostgreSQL port where nothing listens.
    dead_database = f"postgres://nobody@127.0.0.1:{free_port()}/gone"
    process, port, _log = start_daphne(env_overrides={"DATABASE_URL": dead_database})
    try:
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=20)
        assert caught.value.code == 503
        body = json.loads(caught.value.read())
        assert body["components"]["database"]["status"] == "error"
        assert body["status"] == "error"
    finally:
        stop_process(process)


@pytest.mark.django_db
def test_request_id_is_honoured_or_generated(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="headhunter.request"):
        honoured = client.get("/login/", HTTP_X_REQUEST_ID="abc-123")
        generated = client.get("/login/")
        client.get("/login/", HTTP_X_REQUEST_ID="evil\nline")
    assert honoured["X-Request-ID"] == "abc-123"
    assert len(generated["X-Request-ID"]) == 32
    records = [r for r in caplog.records if r.name == "headhunter.request"]
    assert [r.request_id for r in records][:2] == ["abc-123", generated["X-Request-ID"]]  # type: ignore[attr-defined]
    assert "\n" not in records[2].request_id  # type: ignore[attr-defined]
    assert records[0].path == "/login/" and records[0].status == 200  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_llm_api_paths_are_left_to_the_llm_logger(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="headhunter.request"):
        client.post("/api/v1/ai/run", data="{}", content_type="application/json")
        client.get("/login/")
    logged_paths = [r.path for r in caplog.records if r.name == "headhunter.request"]  # type: ignore[attr-defined]
    assert logged_paths == ["/login/"]


def test_json_formatter_emits_one_json_object_per_line() -> None:
    from config.logging import JsonFormatter

    record = logging.makeLogRecord({"name": "x", "msg": "hello %s", "args": ("world",), "levelname": "INFO"})
    record.request_id = "r1"
    record.status = 200
    line = JsonFormatter().format(record)
    assert "\n" not in line
    payload = json.loads(line)
    assert (payload["msg"], payload["request_id"], payload["status"], payload["level"]) == (
        "hello world",
        "r1",
        200,
        "INFO",
    )


def test_deploy_check_is_clean_with_production_variables() -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "k" * 20 + "-production-secret-with-enough-entropy-0123456789",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "headhunter.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://headhunter.example.com",
        "HTTPS_ONLY": "1",
        "DATABASE_URL": "postgres://hh:pw@db.internal:5432/headhunter",
        "REDIS_URL": "redis://cache.internal:6379/0",
        "OPENAI_API_KEY": "sk-test",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
