"""Throwaway PostgreSQL and Redis servers for the tests, from Debian's packages, on free ports.

Loaded with `-p tests.plugins.services` (see pyproject.toml), so that it can act before
pytest-django configures Django: with HEADHUNTER_TEST_SERVICES=1 it starts both servers and
exports DATABASE_URL and REDIS_URL, which switches the whole app to its production mode for that
run. Without it, the `redis_url` and `postgres_url` fixtures start servers on demand.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

SERVICES_ENV = "HEADHUNTER_TEST_SERVICES"


@dataclass
class Service:
    name: str
    url: str
    version: str
    _stop: Callable[[], None] = field(repr=False)

    def stop(self) -> None:
        self._stop()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def _postgres_bin(tool: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"))
    if candidates:
        return candidates[-1]
    found = shutil.which(tool)
    if found:
        return found
    raise RuntimeError(f"PostgreSQL's {tool} is not installed (make test installs the 'postgresql' package)")


def start_postgres() -> Service:
    """initdb + pg_ctl in a temporary directory. As root, both run as the `postgres` user,
    because initdb refuses to run as root."""
    base = Path(tempfile.mkdtemp(prefix="hh-pg-"))
    data_dir, socket_dir = base / "data", base / "sock"
    socket_dir.mkdir()
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        shutil.chown(socket_dir, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_postgres, _postgres_bin("initdb"), "-D", str(data_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    port = free_port()
    # Durability is pointless for a throwaway database; these make the test run much faster.
    options = (
        f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=400 -c shared_buffers=128MB"
    )
    pg_ctl = _postgres_bin("pg_ctl")
    subprocess.run(
        [*as_postgres, pg_ctl, "-D", str(data_dir), "-o", options, "-l", str(base / "log"), "-w", "start"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    _wait_for_port(port)
    version = subprocess.run(
        [_postgres_bin("postgres"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()

    def stop() -> None:
        subprocess.run(
            [*as_postgres, pg_ctl, "-D", str(data_dir), "-m", "immediate", "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(base, ignore_errors=True)

    return Service("postgresql", f"postgres://postgres@127.0.0.1:{port}/headhunter", version, stop)


def start_redis() -> Service:
    base = Path(tempfile.mkdtemp(prefix="hh-redis-"))
    port = free_port()
    redis_server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(redis_server).exists():
        raise RuntimeError("redis-server is not installed (make test installs the 'redis-server' package)")
    process = subprocess.Popen(
        [
            redis_server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(base),
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for_port(port)
    version = subprocess.run([redis_server, "--version"], capture_output=True, text=True, check=False).stdout.strip()

    def stop() -> None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(base, ignore_errors=True)

    return Service("redis", f"redis://127.0.0.1:{port}/0", version, stop)


_started: dict[str, Service] = {}


def _start_once(name: str, starter: Callable[[], Service]) -> Service:
    if name not in _started:
        service = starter()
        _started[name] = service
        atexit.register(service.stop)
    return _started[name]


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: Any, parser: Any, args: list[str]) -> Generator[None, None, None]:
    # A wrapper runs before pytest-django's own hook, which is where Django reads its settings.
    # Uploaded files of a test run go to a throwaway folder (shared with a live daphne server).
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="hh-media-"))
    # Tasks run inline unless a test starts a real worker; never into the dev server's queue.
    os.environ.setdefault("CELERY_BROKER_DIR", tempfile.mkdtemp(prefix="hh-broker-"))
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    if os.environ.get(SERVICES_ENV) == "1":
        os.environ["DATABASE_URL"] = _start_once("postgresql", start_postgres).url
        os.environ["REDIS_URL"] = _start_once("redis", start_redis).url
    return (yield)


def pytest_report_header(config: Any) -> list[str]:
    if not _started:
        return [
            "services: SQLite database, in-memory channel layer (set HEADHUNTER_TEST_SERVICES=1 for PostgreSQL + Redis)"
        ]
    return [f"services: {s.name} {s.version} at {s.url}" for s in _started.values()]


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis: the one this run was configured with, or a throwaway one."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    yield _start_once("redis", start_redis).url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server URL (for tests that need one even in the SQLite run)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        yield url
        return
    yield _start_once("postgresql", start_postgres).url
