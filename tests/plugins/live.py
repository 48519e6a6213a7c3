"""A live daphne server and Debian's Chromium (through Playwright) for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.plugins.services import _wait_for_port, free_port

BASE_DIR = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = BASE_DIR / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this
# machine's closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class LiveServer:
    url: str
    ws_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def database_url(settings_dict: dict[str, Any]) -> str:
    """The URL of the (test) database this process uses, for a server in another process."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    user = quote(settings_dict.get("USER") or "")
    password = f":{quote(settings_dict['PASSWORD'])}" if settings_dict.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"


def start_daphne(*, env_overrides: dict[str, str]) -> tuple[subprocess.Popen[bytes], int, Path]:
    port = free_port()
    log_path = Path(tempfile.mkstemp(prefix="hh-daphne-", suffix=".log")[1])
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    env.update(env_overrides)
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=BASE_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(port, timeout=30)
    except RuntimeError:
        process.kill()
        raise RuntimeError(f"daphne did not start:\n{log_path.read_text(errors='replace')}") from None
    return process, port, log_path


def stop_process(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def daphne_server(django_db_setup: None, django_db_blocker: Any) -> Iterator[LiveServer]:
    """daphne serving config.asgi on a free port, on this run's test database.

    Tests that put data in front of it need `transactional_db`, so that their writes are
    committed and visible to the server process.
    """
    from django.db import connection

    process, port, log_path = start_daphne(env_overrides={"DATABASE_URL": database_url(connection.settings_dict)})
    yield LiveServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", log_path)
    stop_process(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium. Module-scoped so that Playwright's event loop never overlaps
    the loops of the asyncio tests in other modules."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would take ORM calls made
    # between browser steps for calls from async code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any, daphne_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(base_url=daphne_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    browser_page = context.new_page()
    yield browser_page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        browser_page.screenshot(path=str(ARTIFACTS_DIR / f"{request.node.name}-failure.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Keeps each phase's report on the test item so that fixtures can screenshot failures.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def start_celery_worker(*, env_overrides: dict[str, str], concurrency: int = 2) -> subprocess.Popen[bytes]:
    """A real Celery worker process (prefork) in its own process group, so that a test can kill
    it with everything it forked."""
    log_path = Path(tempfile.mkstemp(prefix="hh-celery-", suffix=".log")[1])
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "CELERY_TASK_ALWAYS_EAGER": "0"}
    env.update(env_overrides)
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "--quiet",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--pool=prefork",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    process.log_path = log_path  # type: ignore[attr-defined]
    return process


def kill_process_group(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(timeout=20)


# htmx binds the triggers of swapped-in content while it settles, a moment after the content shows:
# a browser test must wait for that before acting on it, or its event reaches an unbound element.
HTMX_BUSY_SELECTOR = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"


def wait_for_htmx_settled(page: Any) -> None:
    page.wait_for_function(f"!document.querySelector('{HTMX_BUSY_SELECTOR}')")
