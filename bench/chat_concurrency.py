"""N concurrent resume-chat sockets through daphne against the fake OpenAI server.

Run: .venv/bin/python bench/chat_concurrency.py [--sizes 50 200 500] [--postgres]

- Starts tests/fakes/openai_server.py (one word per chunk, no delay) and daphne (tests/plugins/live.py
  start_daphne) on a throwaway database: SQLite by default, or PostgreSQL + Redis with --postgres.
- Seeds one enterprise-plan company with N recruiters (each socket is its own user, so the per-user
  RPM limit is not what is measured) and one parsed CV.
- For each N: N sockets (`/ws/chat/cv/<id>/?mode=json`) each ask one question at the same moment
  and read to the `complete` event. Then the baseline: N concurrent raw `AsyncOpenAI` streams
  against the same fake server.
- Figures per N: lost chunks (chunks the fake server streamed, by its own word split of the
  final text, minus chunks the socket delivered; a socket with no `complete` counts as failed),
  AiRun rows for resume_chat (goal: exactly N), time to first token added over the raw SDK's
  (p50 of each, client-side), and daphne's peak RSS while that N ran.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.gateway_overhead import configure_database, percentile, setup_django, start_fake_server  # noqa: E402
from bench.report import write_results  # noqa: E402
from tests.chat.documents import CV_TEXT  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results" / "chat_concurrency.json"
# One file per database, so that a --postgres run does not overwrite the SQLite figures.
RESULTS_POSTGRES = BASE_DIR / "bench" / "results" / "chat_concurrency_postgres.json"
SOCKET_TIMEOUT = 300.0
# Sockets open at most this many handshakes at a time (browsers do not all connect in one
# millisecond); the questions still go out together once every socket is open.
CONCURRENT_HANDSHAKES = 50
QUESTION = "Where did Jane study, and which languages does she speak?"


def seed(users: int) -> tuple[int, list[str]]:
    """One enterprise company, `users` recruiters with a session cookie each, one parsed CV."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from recruiting.models import CV, Candidate, Company, Membership
    from recruiting.parsing import parse_cv_text

    company = Company.objects.create(name="Bench", slug="bench-chat", plan="enterprise")
    user_model = get_user_model()
    created = user_model.objects.bulk_create([user_model(username=f"chat-bench-{i}") for i in range(users)])
    Membership.objects.bulk_create([Membership(user=user, company=company) for user in created])
    cookies = []
    for user in created:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(str(session.session_key))
    candidate = Candidate.objects.create(company=company, full_name="Jane Roe")
    cv = CV.objects.create(
        company=company, candidate=candidate, text=CV_TEXT, status="done", profile=parse_cv_text(CV_TEXT)
    )
    return cv.pk, cookies


class ProcessSampler:
    """Peak resident memory of a process (and its children), sampled every 50 ms, and its CPU time:
    in total and the busiest 1 s window (1.0 = one core saturated; daphne is one Python thread
    for the event loop plus the sync_to_async executors)."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.process = psutil.Process(pid)
        self.peak = 0
        self.cpu_seconds = 0.0
        self.peak_cpu_cores = 0.0
        self._cpu_start = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        return self.process.memory_info().rss + sum(child.memory_info().rss for child in self.process.children())

    def _cpu(self) -> float:
        times = self.process.cpu_times()
        return float(times.user + times.system)

    def _run(self) -> None:
        window_cpu, window_start = self._cpu(), time.perf_counter()
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            now = time.perf_counter()
            if now - window_start >= 1.0:
                cpu = self._cpu()
                self.peak_cpu_cores = max(self.peak_cpu_cores, (cpu - window_cpu) / (now - window_start))
                window_cpu, window_start = cpu, now
            self._stop.wait(0.05)

    def __enter__(self) -> ProcessSampler:
        self.peak = self._rss()
        self._cpu_start = self._cpu()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.cpu_seconds = self._cpu() - self._cpu_start


async def one_socket(
    ws_url: str,
    cookie: str,
    question: str,
    handshakes: asyncio.Semaphore,
    opened: asyncio.Future[None],
    start: asyncio.Event,
) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    headers = {"Cookie": f"sessionid={cookie}"}
    async with handshakes:
        socket = await connect(ws_url, additional_headers=headers, origin="http://127.0.0.1", open_timeout=120)  # type: ignore[arg-type]
    async with socket:
        opened.set_result(None)
        await start.wait()
        sent = time.perf_counter()
        await socket.send(json.dumps({"type": "start", "question": question, "conversation": "", "action": "ask"}))
        chunks: list[str] = []
        first: float | None = None
        # When each event before the first chunk arrived (ms after sending): where the wait goes.
        marks: dict[str, float] = {}
        while True:
            event = json.loads(await asyncio.wait_for(socket.recv(), timeout=SOCKET_TIMEOUT))
            mark = event.get("status") or event["type"]
            if first is None and mark not in marks:
                marks[mark] = (time.perf_counter() - sent) * 1000
            if event["type"] == "chunk":
                first = first if first is not None else time.perf_counter()
                chunks.append(event["content"])
            elif event["type"] in ("complete", "error"):
                return {
                    "ended": event["type"],
                    "code": event.get("code"),
                    "text": event.get("text", ""),
                    "chunks": chunks,
                    "ttft_ms": (first - sent) * 1000 if first is not None else None,
                    "marks": marks,
                }


async def chat_round(ws_url: str, cookies: list[str], label: str) -> list[dict[str, Any]]:
    """Open every socket first, then send all the questions at once."""
    start = asyncio.Event()
    handshakes = asyncio.Semaphore(CONCURRENT_HANDSHAKES)
    loop = asyncio.get_running_loop()
    opened = [loop.create_future() for _ in cookies]
    tasks = [
        # A unique question per socket and round: the exact cache never answers (a cached answer
        # streams 8 words a chunk), as for real traffic.
        asyncio.create_task(one_socket(ws_url, cookie, f"{QUESTION} ({label} #{index})", handshakes, future, start))
        for index, (cookie, future) in enumerate(zip(cookies, opened, strict=True))
    ]
    while not all(future.done() or task.done() for future, task in zip(opened, tasks, strict=True)):
        await asyncio.sleep(0.05)
    start.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    return [
        r if isinstance(r, dict) else {"ended": "exception", "code": repr(r), "chunks": [], "text": ""} for r in results
    ]


async def raw_round(base_url: str, n: int) -> list[float]:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=base_url, api_key="bench-key", max_retries=0, timeout=SOCKET_TIMEOUT)

    async def one() -> float:
        started = time.perf_counter()
        stream = await client.chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "user", "content": f"{QUESTION} {CV_TEXT}"}],
            stream=True,
            max_tokens=600,
        )
        first = None
        async for chunk in stream:
            if first is None and chunk.choices and chunk.choices[0].delta.content:
                first = time.perf_counter()
        return ((first or time.perf_counter()) - started) * 1000

    try:
        return await asyncio.gather(*(one() for _ in range(n)))
    finally:
        await client.close()


# The socket's events before the first chunk, in order: the chat stores the question and answer and
# fits the prompt (conversation), the runner starts (thinking), admits the call (generating), and
# the provider streams (chunk).
PHASES = (
    ("store_and_prompt", None, "conversation"),
    ("runner_start", "conversation", "thinking"),
    ("admission", "thinking", "generating"),
    ("provider_first_chunk", "generating", "chunk"),
)


def phase_medians(marks: list[dict[str, float]]) -> dict[str, float]:
    """Median ms of each phase between consecutive events (time from sending for the first)."""
    medians = {}
    for name, since, until in PHASES:
        spans = [m[until] - (m[since] if since else 0.0) for m in marks if until in m and (since is None or since in m)]
        if spans:
            medians[name] = round(statistics.median(spans), 2)
    return medians


def expected_chunks(text: str) -> int:
    from tests.fakes.openai_server import split_for_stream

    return len(split_for_stream(text, 1, None))


def measure(n: int, *, ws_url: str, base_url: str, cookies: list[str], daphne_pid: int) -> dict[str, float]:
    from llm.models import AiRun

    runs_before = AiRun.objects.filter(feature="resume_chat").count()
    with ProcessSampler(daphne_pid) as daphne:
        began = time.perf_counter()
        results = asyncio.run(chat_round(ws_url, cookies[:n], f"N={n}"))
        wall = time.perf_counter() - began
    time.sleep(1.0)  # the last answers' rows are written after their complete event
    runs = AiRun.objects.filter(feature="resume_chat").count() - runs_before
    completed = [r for r in results if r["ended"] == "complete"]
    lost = sum(max(0, expected_chunks(r["text"]) - len(r["chunks"])) for r in completed)
    mismatched = sum(1 for r in completed if "".join(r["chunks"]) != r["text"])
    chat_ttft = [r["ttft_ms"] for r in completed if r["ttft_ms"] is not None]
    raw_ttft = asyncio.run(raw_round(base_url, n))
    phases = phase_medians([r.get("marks", {}) for r in completed])
    errors: dict[str, int] = {}
    for r in results:
        if r["ended"] != "complete":
            errors[str(r["code"])] = errors.get(str(r["code"]), 0) + 1
    return (
        {
            f"n{n}_lost_chunks": lost,
            f"n{n}_runs": runs,
            f"n{n}_ttft_added_p50_ms": round(statistics.median(chat_ttft) - statistics.median(raw_ttft), 2)
            if chat_ttft
            else float("nan"),
            f"n{n}_peak_rss_mb": round(daphne.peak / 2**20, 1),
            f"n{n}_daphne_cpu_s": round(daphne.cpu_seconds, 2),
            f"n{n}_daphne_cpu_cores_avg": round(daphne.cpu_seconds / wall, 2),
            f"n{n}_daphne_cpu_cores_peak_1s": round(daphne.peak_cpu_cores, 2),
            f"n{n}_completed": len(completed),
            f"n{n}_failed": n - len(completed),
            f"n{n}_text_mismatches": mismatched,
            f"n{n}_chat_ttft_p50_ms": round(statistics.median(chat_ttft), 2) if chat_ttft else float("nan"),
            f"n{n}_chat_ttft_p99_ms": round(percentile(chat_ttft, 0.99), 2) if chat_ttft else float("nan"),
            f"n{n}_raw_ttft_p50_ms": round(statistics.median(raw_ttft), 2),
            f"n{n}_wall_s": round(wall, 2),
        }
        | {f"n{n}_{name}_p50_ms": value for name, value in phases.items()}
        | ({f"n{n}_errors": errors} if errors else {})
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--postgres", action="store_true", help="throwaway PostgreSQL + Redis instead of SQLite")
    parser.add_argument("--output", type=Path, help=f"default: {RESULTS.name}, with --postgres {RESULTS_POSTGRES.name}")
    args = parser.parse_args()
    output: Path = args.output or (RESULTS_POSTGRES if args.postgres else RESULTS)
    figures: dict[str, Any] = {}
    with ExitStack() as stack:
        base_url = start_fake_server(stack)
        database = configure_database(stack, postgres=args.postgres)
        setup_django(fake_base_url=base_url)
        cv_id, cookies = seed(max(args.sizes))
        from tests.plugins.live import start_daphne, stop_process

        env = {"DATABASE_URL": os.environ["DATABASE_URL"], "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "bench-key"}
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        process, port, _log_path = start_daphne(env_overrides=env | {"DEBUG": "0"})
        stack.callback(stop_process, process)
        ws_url = f"ws://127.0.0.1:{port}/ws/chat/cv/{cv_id}/?mode=json"
        for n in args.sizes:
            figures |= measure(n, ws_url=ws_url, base_url=base_url, cookies=cookies, daphne_pid=process.pid)
            print(json.dumps({k: v for k, v in figures.items() if k.startswith(f"n{n}_")}))
    goals: dict[str, str] = {}
    for n in args.sizes:
        goals |= {f"n{n}_lost_chunks": "== 0", f"n{n}_runs": f"== {n}"}
    write_results(
        output,
        bench="chat_concurrency",
        params={"database": database, "sizes": args.sizes, "question": QUESTION, "words_per_chunk": 1},
        figures=figures,
        goals=goals,
    )
    print(f"\nresume chat concurrency ({database}) -> {output}")
    for n in args.sizes:
        print(
            f"  N={n:4}  completed {figures[f'n{n}_completed']:4}  lost chunks {figures[f'n{n}_lost_chunks']:4}"
            f"  AiRuns {figures[f'n{n}_runs']:4}  TTFT added p50 {figures[f'n{n}_ttft_added_p50_ms']:8.1f} ms"
            f"  peak RSS {figures[f'n{n}_peak_rss_mb']:6.1f} MB  wall {figures[f'n{n}_wall_s']:.1f} s"
            f"  daphne CPU {figures[f'n{n}_daphne_cpu_cores_avg']:.2f} cores avg"
            f" ({figures[f'n{n}_daphne_cpu_cores_peak_1s']:.2f} peak 1 s)"
        )


if __name__ == "__main__":
    main()
