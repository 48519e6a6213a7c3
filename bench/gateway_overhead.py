"""What the gateway adds to a model call: `runner.arun` / `runner.astream` vs the raw `AsyncOpenAI`
client, against the same fake OpenAI server, in the same process and event loop.

Run: .venv/bin/python bench/gateway_overhead.py [--calls 200] [--c50-calls 500] [--phases 4]
     [--model-latency 0.5] [--rounds 10] [--repeat 3] [--sqlite] [--profile]

- Starts tests/fakes/openai_server.py twice as subprocesses on 127.0.0.1: one answers at once (so
  every millisecond measured at concurrency 1 is client or gateway time), the other "thinks" like a
  model: each chat completion waits --model-latency seconds (LOW,HIGH for a uniform draw) before
  its answer, or before the first chunk of a stream. The default is one fixed 0.5 s: a jittered
  wait would bury a millisecond's difference between two percentiles under the draw's noise.
- Django runs against the production configuration by default: a throwaway PostgreSQL plus Redis
  (cache and rate limits in Redis), started from tests/plugins/services.py. With --sqlite it runs
  the embedded mode instead: a SQLite file, the database cache holding the rate-limit counters
  (results in bench/results/gateway_overhead_sqlite.json). Once Django is set up, the objects
  loaded so far are frozen out of the garbage collector's full collections, as the ASGI server's
  startup does (config/startup.py).
- Seeds a tenant (pro plan) with a monthly budget and rate limits high enough never to refuse, so
  every runner call pays for the budget reservation, the rate-limit counters, the exact-cache
  lookup (prompts are unique, so always a miss) and its AiRun rows.
- Raw and runner calls come in phases that take turns to go first. The runner answers before it
  writes the call's end (PostgreSQL): those writes are waited for, untimed, after each phase, so
  the next phase does not pay for them (they count in CPU per call, and inside a c50 phase).
- Concurrency 1 (`c1_*`), against the immediate server: `--calls` rounds, one call per phase.
- Concurrency 50 (`c50_*`), against the thinking server: 50 clients each call again as soon as
  their call returns (started over one mean model latency, as a load tester ramps up), so 50 calls
  are always in flight, in phases of `--c50-calls` calls (`--phases` of each). Here the other
  calls' admissions and background writes share the CPU with the call measured.
- Saturation (`c50_burst_*`, no goal), against the immediate server: `--rounds` rounds of 50
  calls started at once, raw and runner alternating. Nothing waits on a model, so this measures
  CPU throughput: every millisecond of CPU a call costs is paid by the 49 queued behind it.
- Non-streaming: latency of the whole call. Streaming: time to the first content chunk (raw SDK)
  vs the first `chunk` event (runner); streams are read to the end.
- Added ms = percentile(runner) - percentile(raw) of the same run. The runner's provider reads
  answers as plain JSON through the SDK's client (no typed models), which costs less CPU than the
  raw client's typed `chat.completions.create`; so a third caller, the same SDK client asked for
  plain JSON (`client.post(..., cast_to=object)`), runs in the c1 and c50 phases too, and
  `*_added_vs_untyped_*` is the runner's overhead over that like-for-like baseline.
- The machine is shared, so the whole measurement is repeated (--repeat) and each figure is the
  median over the repeats (every repeat's figures are kept under "repeats").
- CPU per call: process CPU time (every thread) of sequential raw and runner calls
  (`cpu_*_ms_per_call`); --cpu-only measures just that and writes nothing.
- --profile: cProfile of 100 sequential runner calls, top functions by own time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import itertools
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench.report import write_results  # noqa: E402
from tests.fakes.openai_server import latency_range  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results" / "gateway_overhead.json"
RESULTS_SQLITE = BASE_DIR / "bench" / "results" / "gateway_overhead_sqlite.json"
FEATURE = "playground"
MAX_TOKENS = 64
CONCURRENCY = 50
GOALS = {
    "c1_json_added_p50_ms": "<= 2.0",
    "c1_json_added_p99_ms": "<= 10.0",
    "c50_json_added_p50_ms": "<= 2.0",
    "c50_json_added_p99_ms": "<= 10.0",
    "c1_stream_ttft_added_p50_ms": "<= 2.0",
    "c1_stream_ttft_added_p99_ms": "<= 10.0",
    "c50_stream_ttft_added_p50_ms": "<= 2.0",
    "c50_stream_ttft_added_p99_ms": "<= 10.0",
}
_call_numbers = itertools.count()

Timed = Callable[[], Awaitable[float]]


def start_fake_server(stack: ExitStack, *, model_latency: tuple[float, float] = (0.0, 0.0)) -> str:
    low, high = model_latency
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "tests.fakes.openai_server", "--host", "127.0.0.1", "--port", "0"),
            f"--model-latency={low},{high}",
        ],
        cwd=BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    stack.callback(process.wait, 10)
    stack.callback(process.terminate)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("READY "):
        raise RuntimeError(f"the fake OpenAI server did not start: {line!r}")
    return line.removeprefix("READY ")


def configure_database(stack: ExitStack, *, postgres: bool) -> str:
    """Points DATABASE_URL (and REDIS_URL with --postgres) at throwaway services; returns a label."""
    if not postgres:
        directory = Path(tempfile.mkdtemp(prefix="hh-bench-gateway-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
        os.environ.pop("REDIS_URL", None)
        return "sqlite"
    import psycopg

    from tests.plugins.services import start_postgres, start_redis

    database = start_postgres()
    stack.callback(database.stop)
    redis = start_redis()
    stack.callback(redis.stop)
    with psycopg.connect(database.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin_connection:
        admin_connection.execute("CREATE DATABASE headhunter")
    os.environ.update(DATABASE_URL=database.url, REDIS_URL=redis.url)
    return f"postgresql {database.version} + redis"


def setup_django(*, fake_base_url: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        OPENAI_BASE_URL=fake_base_url,
        OPENAI_API_KEY="bench-key",
        DEBUG="0",
        CELERY_TASK_ALWAYS_EAGER="1",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from config.startup import freeze_startup_objects

    freeze_startup_objects()  # as config/asgi.py does before the server serves
    # Enforced (counted on every call) but never reached by the benchmark's load.
    unreachable = 10**9
    settings.LLM_RATE_LIMITS = {
        "default": {
            "user_rpm": unreachable,
            "user_tpm": unreachable,
            "tenant_rpm": unreachable,
            "tenant_tpm": unreachable,
        }
    }


def seed_tenant() -> tuple[Any, Any]:
    from llm.models import Budget
    from recruiting import services

    company = services.company_get_or_create(slug="bench", name="Bench", plan="pro")
    user = services.member_create(company=company, username="bench", email="bench@example.com", password="bench-pass")
    Budget.objects.create(
        scope=Budget.Scope.TENANT, tenant_id=company.pk, period=Budget.Period.MONTHLY, cap_usd=Decimal("10000")
    )
    return company, user


def unique_prompt() -> str:
    # Unique per call: the exact cache is consulted but never answers, as for real traffic.
    return f"Call {next(_call_numbers)}: summarise the candidate's last three roles in two sentences."


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class Callers:
    """The four timed calls: raw / runner x JSON / stream. Each returns milliseconds."""

    def __init__(self, *, base_url: str, model: str, tenant: Any, user: Any) -> None:
        from openai import AsyncOpenAI

        self.base_url = base_url
        self.raw_client = AsyncOpenAI(base_url=base_url, api_key="bench-key", max_retries=0)
        self.model = model
        self.tenant = tenant
        self.user = user

    def _request(self) -> dict[str, Any]:
        """What the raw client and the untyped call send (the runner renders the same prompt)."""
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": ""},
            {"role": "user", "content": unique_prompt()},
        ]
        return {"model": self.model, "messages": messages, "max_tokens": MAX_TOKENS, "temperature": 0.7}

    async def raw_json(self) -> float:
        started = time.perf_counter()
        completion = await self.raw_client.chat.completions.create(**self._request())
        elapsed = time.perf_counter() - started
        assert completion.choices[0].message.content
        return elapsed * 1000

    async def untyped_json(self) -> float:
        started = time.perf_counter()
        completion: Any = await self.raw_client.post("/chat/completions", cast_to=object, body=self._request())
        elapsed = time.perf_counter() - started
        assert completion["choices"][0]["message"]["content"]
        return elapsed * 1000

    async def runner_json(self) -> float:
        from llm import runner

        started = time.perf_counter()
        result = await runner.arun(
            feature=FEATURE,
            context={"prompt": unique_prompt(), "system": ""},
            tenant=self.tenant,
            user=self.user,
            overrides=runner.Overrides(max_tokens=MAX_TOKENS),
        )
        elapsed = time.perf_counter() - started
        assert result.provider == "openai" and result.text, result
        return elapsed * 1000

    async def raw_stream_ttft(self) -> float:
        started = time.perf_counter()
        first: float | None = None
        stream = await self.raw_client.chat.completions.create(
            **self._request(), stream=True, stream_options={"include_usage": True}
        )
        async for chunk in stream:
            if first is None and chunk.choices and chunk.choices[0].delta.content:
                first = time.perf_counter()
        assert first is not None
        return (first - started) * 1000

    async def untyped_stream_ttft(self) -> float:
        from openai import AsyncStream

        started = time.perf_counter()
        first: float | None = None
        body = self._request() | {"stream": True, "stream_options": {"include_usage": True}}
        stream = await self.raw_client.post(
            "/chat/completions", cast_to=object, body=body, stream=True, stream_cls=AsyncStream[object]
        )
        async for chunk in stream:
            choices: Any = chunk.get("choices") if isinstance(chunk, dict) else None
            if first is None and choices and choices[0].get("delta", {}).get("content"):
                first = time.perf_counter()
        assert first is not None
        return (first - started) * 1000

    async def runner_stream_ttft(self) -> float:
        from llm import runner

        started = time.perf_counter()
        first: float | None = None
        last: dict[str, Any] = {}
        async for event in runner.astream(
            feature=FEATURE,
            context={"prompt": unique_prompt(), "system": ""},
            tenant=self.tenant,
            user=self.user,
            overrides=runner.Overrides(max_tokens=MAX_TOKENS),
        ):
            if first is None and event["type"] == "chunk":
                first = time.perf_counter()
            last = event
        assert first is not None and last["type"] == "complete" and last["provider"] == "openai", last
        return (first - started) * 1000


async def rotating(
    calls: Sequence[Timed], *, phases: int, phase: Callable[[Timed], Awaitable[list[float]]]
) -> list[list[float]]:
    """`phases` phases of each call, the order rotating so that none always goes first; the
    timings of each call, in the order given."""
    from llm.runner import background_db_work_done

    timings: list[list[float]] = [[] for _ in calls]
    for index in range(phases):
        for offset in range(len(calls)):
            which = (index + offset) % len(calls)
            timings[which].extend(await phase(calls[which]))
            # Untimed: the ends the runner writes after answering are done before the next phase
            # (often a baseline's), so it does not pay for them. Their cost shows in CPU per call.
            background_db_work_done()
    return timings


async def sequential_calls(calls: Sequence[Timed], *, rounds: int) -> list[list[float]]:
    async def one_call(call: Timed) -> list[float]:
        return [await call()]

    return await rotating(calls, phases=rounds, phase=one_call)


async def calls_in_flight(call: Timed, *, calls: int, ramp_seconds: float) -> list[float]:
    """CONCURRENCY clients share `calls`, each starting its next call when its last one returns."""
    timings: list[float] = []
    left = calls

    async def client(start_after: float) -> None:
        nonlocal left
        await asyncio.sleep(start_after)
        while left > 0:
            left -= 1
            timings.append(await call())

    await asyncio.gather(*(client(index * ramp_seconds / CONCURRENCY) for index in range(CONCURRENCY)))
    return timings


async def steady_concurrency(
    calls: Sequence[Timed], *, calls_per_phase: int, phases: int, ramp_seconds: float
) -> list[list[float]]:
    phase = functools.partial(calls_in_flight, calls=calls_per_phase, ramp_seconds=ramp_seconds)
    return await rotating(calls, phases=phases, phase=phase)


async def concurrent_rounds(calls: Sequence[Timed], *, rounds: int) -> list[list[float]]:
    async def all_at_once(call: Timed) -> list[float]:
        return list(await asyncio.gather(*(call() for _ in range(CONCURRENCY))))

    return await rotating(calls, phases=rounds, phase=all_at_once)


def added(raw_ms: list[float], gateway_ms: list[float], fraction: float) -> float:
    return round(percentile(gateway_ms, fraction) - percentile(raw_ms, fraction), 2)


def describe(name: str, raw_ms: list[float], gateway_ms: list[float]) -> dict[str, float]:
    figures = {}
    for label, fraction in (("p50", 0.5), ("p99", 0.99)):
        figures[f"{name}_added_{label}_ms"] = added(raw_ms, gateway_ms, fraction)
        figures[f"{name}_raw_{label}_ms"] = round(percentile(raw_ms, fraction), 2)
        figures[f"{name}_runner_{label}_ms"] = round(percentile(gateway_ms, fraction), 2)
    figures[f"{name}_runner_mean_ms"] = round(statistics.fmean(gateway_ms), 2)
    return figures


def describe_three(
    name: str, raw_ms: list[float], untyped_ms: list[float], gateway_ms: list[float]
) -> dict[str, float]:
    """The figures against the raw client, plus the runner against the untyped baseline."""
    figures = describe(name, raw_ms, gateway_ms)
    for label, fraction in (("p50", 0.5), ("p99", 0.99)):
        figures[f"{name}_untyped_{label}_ms"] = round(percentile(untyped_ms, fraction), 2)
        figures[f"{name}_added_vs_untyped_{label}_ms"] = added(untyped_ms, gateway_ms, fraction)
    return figures


@dataclass(frozen=True)
class Load:
    calls_c1: int
    rounds_burst: int
    calls_c50: int
    phases_c50: int
    model_latency: tuple[float, float]


def point_the_runner_at(base_url: str) -> None:
    """The runner's OpenAI provider (its row has no base URL of its own) calls `base_url` next."""
    from django.conf import settings

    settings.OPENAI_BASE_URL = base_url


async def measure(immediate: Callers, thinking: Callers, load: Load) -> dict[str, float]:
    def json_calls(callers: Callers) -> list[Timed]:
        return [callers.raw_json, callers.untyped_json, callers.runner_json]

    def stream_calls(callers: Callers) -> list[Timed]:
        return [callers.raw_stream_ttft, callers.untyped_stream_ttft, callers.runner_stream_ttft]

    # Warm-up: imports, the SDK's connection pools, the catalog snapshot, prepared statements.
    await sequential_calls(json_calls(immediate), rounds=10)
    await sequential_calls(stream_calls(immediate), rounds=10)
    figures: dict[str, float] = {}
    figures |= describe_three("c1_json", *await sequential_calls(json_calls(immediate), rounds=load.calls_c1))
    figures |= describe_three("c1_stream_ttft", *await sequential_calls(stream_calls(immediate), rounds=load.calls_c1))
    # Saturation (no goal): the raw client and the runner only.
    burst_json = [immediate.raw_json, immediate.runner_json]
    figures |= describe("c50_burst_json", *await concurrent_rounds(burst_json, rounds=load.rounds_burst))
    burst_ttft = [immediate.raw_stream_ttft, immediate.runner_stream_ttft]
    figures |= describe("c50_burst_stream_ttft", *await concurrent_rounds(burst_ttft, rounds=load.rounds_burst))

    point_the_runner_at(thinking.base_url)
    ramp_seconds = sum(load.model_latency) / 2
    try:
        steady = functools.partial(
            steady_concurrency, calls_per_phase=load.calls_c50, phases=load.phases_c50, ramp_seconds=ramp_seconds
        )
        figures |= describe_three("c50_json", *await steady(json_calls(thinking)))
        figures |= describe_three("c50_stream_ttft", *await steady(stream_calls(thinking)))
    finally:
        point_the_runner_at(immediate.base_url)
    return figures


async def cpu_per_call(callers: Callers, *, calls: int) -> dict[str, float]:
    """Process CPU (all threads: the event loop and the runner's database threads) per sequential
    call, raw client vs runner. At c50 every such millisecond is paid 50 times per round."""
    figures: dict[str, float] = {}
    for name, call in (("raw", callers.raw_json), ("untyped", callers.untyped_json), ("runner", callers.runner_json)):
        started = time.process_time()
        for _ in range(calls):
            await call()
        figures[f"cpu_{name}_ms_per_call"] = round((time.process_time() - started) * 1000 / calls, 3)
    for baseline in ("raw", "untyped"):
        suffix = "" if baseline == "raw" else "_vs_untyped"
        spent = figures["cpu_runner_ms_per_call"] - figures[f"cpu_{baseline}_ms_per_call"]
        figures[f"cpu_added{suffix}_ms_per_call"] = round(spent, 3)
    return figures


async def measure_repeatedly(
    immediate: Callers, thinking: Callers, load: Load, *, times: int, cpu_only: bool = False
) -> list[dict[str, float]]:
    # One event loop for every repeat: the raw clients' pooled connections belong to it.
    repeats = []
    for _ in range(times):
        figures = {} if cpu_only else await measure(immediate, thinking, load)
        repeats.append(figures | await cpu_per_call(immediate, calls=max(load.calls_c1, 100)))
    return repeats


def profile_runner(callers: Callers, *, calls: int = 100) -> None:
    """Profiles the sync `runner.run`: the same admission, accounting and finish code as `arun`,
    but in this thread, where cProfile sees it (arun does its database work in a worker thread)."""
    from llm import runner

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        runner.run(
            feature=FEATURE,
            context={"prompt": unique_prompt(), "system": ""},
            tenant=callers.tenant,
            user=callers.user,
            overrides=runner.Overrides(max_tokens=MAX_TOKENS),
        )
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"\ncProfile of {calls} sequential runner.run calls (top 30 by cumulative time):")
    stats.sort_stats("cumulative").print_stats(30)
    print("top 20 by own time:")
    stats.sort_stats("tottime").print_stats(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--calls", type=int, default=200, help="rounds of the raw, untyped and runner calls at concurrency 1"
    )
    parser.add_argument("--c50-calls", type=int, default=500, help="calls per phase at concurrency 50")
    parser.add_argument("--phases", type=int, default=4, help="phases of each caller at concurrency 50")
    parser.add_argument(
        "--model-latency",
        type=latency_range,
        default=(0.5, 0.5),
        help="LOW,HIGH seconds the thinking server takes per chat completion (concurrency 50)",
    )
    parser.add_argument("--rounds", type=int, default=10, help="saturation: rounds of 50 calls started at once")
    parser.add_argument("--repeat", type=int, default=3, help="measure this many times; figures are medians")
    parser.add_argument(
        "--sqlite", action="store_true", help="the embedded mode (SQLite) instead of PostgreSQL + Redis"
    )
    parser.add_argument("--postgres", action="store_true", help="(the default) PostgreSQL + Redis")
    parser.add_argument("--profile", action="store_true", help="cProfile 100 runner calls after measuring")
    parser.add_argument("--cpu-only", action="store_true", help="only CPU per call (nothing written)")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    output = args.output or (RESULTS_SQLITE if args.sqlite else RESULTS)
    load = Load(
        calls_c1=args.calls,
        rounds_burst=args.rounds,
        calls_c50=args.c50_calls,
        phases_c50=args.phases,
        model_latency=args.model_latency,
    )
    with ExitStack() as stack:
        immediate_url = start_fake_server(stack)
        thinking_url = start_fake_server(stack, model_latency=load.model_latency)
        database = configure_database(stack, postgres=not args.sqlite)
        setup_django(fake_base_url=immediate_url)
        tenant, user = seed_tenant()
        from llm.selectors import catalog

        model = next(m.name for m in catalog().models if m.name == "gpt-4o-mini")
        immediate = Callers(base_url=immediate_url, model=model, tenant=tenant, user=user)
        thinking = Callers(base_url=thinking_url, model=model, tenant=tenant, user=user)
        repeats = asyncio.run(measure_repeatedly(immediate, thinking, load, times=args.repeat, cpu_only=args.cpu_only))
        figures = {name: round(statistics.median(run[name] for run in repeats), 3) for name in repeats[0]}
        if args.cpu_only:
            print({name: [run[name] for run in repeats] for name in repeats[0]}, figures)
            return
        from django.conf import settings

        from llm.models import AiRun
        from llm.runner import background_db_work_done

        db_threads = settings.LLM_DB_THREADS
        background_db_work_done()
        recorded = AiRun.objects.filter(status="succeeded").count()
        if args.profile:
            profile_runner(immediate)
    write_results(
        output,
        bench="gateway_overhead",
        params={
            "database": database,
            "calls_c1": load.calls_c1,
            "calls_per_phase_c50": load.calls_c50,
            "phases_c50": load.phases_c50,
            "model_latency_s_c50": list(load.model_latency),
            "rounds_burst": load.rounds_burst,
            "repeats": args.repeat,
            "concurrency": CONCURRENCY,
            "feature": FEATURE,
            "max_tokens": MAX_TOKENS,
            "ai_runs_recorded": recorded,
            "llm_db_threads": db_threads,
        },
        figures={name: figures[name] for name in GOALS} | figures,
        goals=GOALS,
        repeats=[{name: run[name] for name in GOALS} for run in repeats],
    )
    print(f"\ngateway overhead ({database}; {recorded} AiRuns recorded; median of {args.repeat}) -> {output}")
    for name, goal in GOALS.items():
        value = figures[name]
        verdict = "ok" if value <= float(goal.split()[-1]) else "MISSED"
        print(f"  {name:32} {value:8.2f} ms   goal {goal} ms   {verdict}")
    for name in ("c1_json", "c50_json", "c50_burst_json", "c1_stream_ttft", "c50_stream_ttft", "c50_burst_stream_ttft"):
        print(
            f"  {name:22} raw p50 {figures[f'{name}_raw_p50_ms']:7.2f}  runner p50 {figures[f'{name}_runner_p50_ms']:7.2f}"
            f"   raw p99 {figures[f'{name}_raw_p99_ms']:7.2f}  runner p99 {figures[f'{name}_runner_p99_ms']:7.2f}"
        )
        if f"{name}_added_vs_untyped_p50_ms" in figures:
            print(
                f"  {'':22} added over the untyped SDK call: p50 {figures[f'{name}_added_vs_untyped_p50_ms']:7.2f}"
                f"  p99 {figures[f'{name}_added_vs_untyped_p99_ms']:7.2f}"
            )


if __name__ == "__main__":
    main()
