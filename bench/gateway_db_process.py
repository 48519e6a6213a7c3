"""Experiment (no goal): would the runner's database work be cheaper in a process of its own?

Run: .venv/bin/python bench/gateway_db_process.py [--calls 500] [--phases 3] [--threads 2]

At concurrency 50 the gateway's admissions and ends run in a database thread that shares one GIL
with the event loop serving the 50 calls. This measures the obvious way out, before building it:
the same functions (`admit`, `record_end`, …) run in a forked child process, with a GIL and a core
of its own, called over a socket (pickled arguments and results), instead of in the thread.

- Same setup as bench/gateway_overhead.py (PostgreSQL + Redis, the fake server thinking 0.5 s,
  50 calls in flight), with three callers taking turns phase by phase: the untyped SDK call (the
  baseline), the runner with its database thread, and the runner with the child process.
- The admission on the event loop is off for both runner callers (`LLM_ADMIT_ON_LOOP`), so that
  every admission goes where the caller sends it. The child process cannot start the first
  request early (`on_database_wait` is a callback into the loop), which costs it ~0.3 ms.
- Reported per caller: p50 / p90 / p99 added over the untyped call, the gateway process's CPU per
  call (all its threads; the child's is not in it), the child's CPU per call, and the machine's
  busy share; for the child, the admission's round trip and the admission job's own time.
- Writes bench/results/gateway_db_process.json. A probe: the runner is patched from outside
  (`AsyncIO.db`, and `execute.queue_answered_end` for the ends); nothing of it is product code.
  Since the eleventh round the thread writes the ends in batches and the child one by one, as
  in the tenth round's figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pickle
import socket
import statistics
import struct
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench import gateway_overhead as overhead  # noqa: E402
from bench.report import write_results  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results" / "gateway_db_process.json"
FRAME = struct.Struct("!I")


def _framed(message: Any) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return FRAME.pack(len(data)) + data


def serve_in_child(sock: socket.socket, *, threads: int) -> None:
    """The child: run each job it is sent in one of `threads` threads, answer with its result."""
    from django.db import connections

    from llm.runner import attempts

    for connection in connections.all(initialized_only=True):
        connection.connection = None  # the parent's sockets: dropped here, never closed
    sending = threading.Lock()
    pool = ThreadPoolExecutor(threads)

    def job(job_id: int, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        started = time.perf_counter()
        try:
            reply = (job_id, True, attempts._in_db_thread(function, args, kwargs))
        except Exception as error:  # the parent raises it
            reply = (job_id, False, error)
        message = _framed((*reply, time.perf_counter() - started, time.process_time()))
        with sending:
            sock.sendall(message)

    incoming = sock.makefile("rb")
    while header := incoming.read(FRAME.size):
        (size,) = FRAME.unpack(header)
        pool.submit(job, *pickle.loads(incoming.read(size)))
    os._exit(0)


class ChildClient(asyncio.Protocol):
    """The parent's end of the socket: jobs out, results back to the futures awaiting them."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.waiting: dict[int, tuple[asyncio.Future[Any], float, str]] = {}
        self.unanswered_ends: set[int] = set()
        self.ends_done = asyncio.Event()
        self.job_ids = iter(range(2**62))
        self.round_trips: dict[str, list[tuple[float, float]]] = {}
        self.child_cpu_seconds = 0.0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= FRAME.size:
            (size,) = FRAME.unpack_from(self.buffer)
            if len(self.buffer) < FRAME.size + size:
                return
            message = pickle.loads(bytes(self.buffer[FRAME.size : FRAME.size + size]))
            del self.buffer[: FRAME.size + size]
            self._answer(*message)

    def _answer(self, job_id: int, ok: bool, result: Any, job_seconds: float, child_cpu_seconds: float) -> None:
        self.child_cpu_seconds = child_cpu_seconds
        if job_id in self.unanswered_ends:
            self.unanswered_ends.discard(job_id)
            if not self.unanswered_ends:
                self.ends_done.set()
            return
        future, sent, name = self.waiting.pop(job_id)
        self.round_trips.setdefault(name, []).append(((time.perf_counter() - sent) * 1000, job_seconds * 1000))
        if ok:
            future.set_result(result)
        else:
            future.set_exception(result)

    def send(self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
        assert self.transport is not None
        job_id = next(self.job_ids)
        kwargs.pop("on_database_wait", None)  # a callback into this loop: it cannot cross
        self.transport.write(_framed((job_id, function, args, kwargs)))
        return job_id

    async def call(self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiting[self.send(function, args, kwargs)] = (future, time.perf_counter(), function.__name__)
        return await future

    def call_later(self, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.ends_done.clear()
        self.unanswered_ends.add(self.send(function, args, {}))

    async def ends_written(self) -> None:
        if self.unanswered_ends:
            await self.ends_done.wait()


class DatabaseWorkIn:
    """Switches where `AsyncIO` sends the runner's database work: its thread, or the child."""

    def __init__(self, child: ChildClient) -> None:
        from llm.runner import execute
        from llm.runner.attempts import AsyncIO
        from llm.runner.finish import record_ends

        self.child = child
        self.in_thread = (AsyncIO.db, execute.queue_answered_end)

        async def in_child(_io: Any, function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
            return await child.call(function, args, kwargs)

        def later_in_child(end: Any) -> bool:
            child.call_later(record_ends, ([end],))
            return True

        self.in_child = (in_child, later_in_child)

    def use(self, *, child: bool) -> None:
        from llm.runner import execute
        from llm.runner.attempts import AsyncIO

        db, queue_end = self.in_child if child else self.in_thread
        setattr(AsyncIO, "db", db)  # noqa: B010 - a probe patching the runner from outside
        setattr(execute, "queue_answered_end", queue_end)  # noqa: B010


def machine_busy_ticks() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)


def percentiles(values: list[float]) -> dict[str, float]:
    return {
        label: overhead.percentile(values, fraction) for label, fraction in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))
    }


async def measure(callers: overhead.Callers, child: ChildClient, *, calls: int, phases: int) -> dict[str, Any]:
    from llm.runner import background_db_work_done

    switch = DatabaseWorkIn(child)
    in_child = {"untyped": False, "runner_thread": False, "runner_child": True}
    cpu: dict[str, list[float]] = {mode: [] for mode in in_child}
    child_cpu: list[float] = []
    busy: dict[str, list[float]] = {mode: [] for mode in in_child}
    admission: dict[str, list[float]] = {"admission_round_trip": [], "admission_job": []}

    def timed(mode: str) -> overhead.Timed:
        call = callers.untyped_json if mode == "untyped" else callers.runner_json

        async def in_mode() -> float:  # (one object per mode: the phase below tells them apart)
            return await call()

        return in_mode

    mode_of = {timed(mode): mode for mode in in_child}

    async def phase(call: overhead.Timed) -> list[float]:
        mode = mode_of[call]
        switch.use(child=in_child[mode])
        child.round_trips.clear()
        started_cpu, started_child, (started_busy, started_all) = (
            time.process_time(),
            child.child_cpu_seconds,
            machine_busy_ticks(),
        )
        timings = await overhead.calls_in_flight(call, calls=calls, ramp_seconds=0.5)
        busy_ticks, all_ticks = machine_busy_ticks()
        await asyncio.to_thread(background_db_work_done)  # their CPU is the phase's
        await child.ends_written()
        cpu[mode].append((time.process_time() - started_cpu) * 1000 / calls)
        busy[mode].append(100 * (busy_ticks - started_busy) / max(1, all_ticks - started_all))
        if in_child[mode]:
            child_cpu.append((child.child_cpu_seconds - started_child) * 1000 / calls)
            trips = child.round_trips.get("admit", [])
            admission["admission_round_trip"] += [trip for trip, _ in trips]
            admission["admission_job"] += [job for _, job in trips]
        return timings

    for call, mode in mode_of.items():  # warm-up: connections, the child's catalog and statements
        switch.use(child=in_child[mode])
        for _ in range(20):
            await call()
    await child.ends_written()
    timings = dict(
        zip(mode_of.values(), await overhead.rotating(list(mode_of), phases=phases, phase=phase), strict=True)
    )
    switch.use(child=False)
    baseline = percentiles(timings["untyped"])
    figures: dict[str, Any] = {}
    for mode in in_child:
        for label, value in percentiles(timings[mode]).items():
            figures[f"{mode}_{label}_ms"] = round(value, 2)
            if mode != "untyped":
                figures[f"{mode}_added_{label}_ms"] = round(value - baseline[label], 2)
        figures[f"{mode}_gateway_process_cpu_ms_per_call"] = round(statistics.median(cpu[mode]), 2)
        figures[f"{mode}_machine_busy_percent"] = round(statistics.median(busy[mode]), 1)
    figures["runner_child_child_cpu_ms_per_call"] = round(statistics.median(child_cpu), 2)
    for name in ("admission_round_trip", "admission_job"):
        for label, value in percentiles(admission[name]).items():
            figures[f"runner_child_{name}_{label}_ms"] = round(value, 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=500, help="calls per phase (50 in flight)")
    parser.add_argument("--phases", type=int, default=3, help="phases of each caller")
    parser.add_argument("--threads", type=int, default=2, help="threads in the child process")
    args = parser.parse_args()
    with ExitStack() as stack:
        immediate_url = overhead.start_fake_server(stack)
        thinking_url = overhead.start_fake_server(stack, model_latency=(0.5, 0.5))
        database = overhead.configure_database(stack, postgres=True)
        overhead.setup_django(fake_base_url=immediate_url)
        from django.conf import settings

        settings.LLM_ADMIT_ON_LOOP = False
        overhead.point_the_runner_at(thinking_url)
        tenant, user = overhead.seed_tenant()
        callers = overhead.Callers(base_url=thinking_url, model="gpt-4o-mini", tenant=tenant, user=user)
        parent_end, child_end = socket.socketpair()
        # Forked before any thread or event loop exists: the child inherits Django, set up.
        if os.fork() == 0:
            parent_end.close()
            serve_in_child(child_end, threads=args.threads)
        child_end.close()
        stack.callback(parent_end.close)

        async def run() -> dict[str, Any]:
            _, child = await asyncio.get_running_loop().create_connection(ChildClient, sock=parent_end)
            return await measure(callers, child, calls=args.calls, phases=args.phases)

        figures = asyncio.run(run())
    write_results(
        RESULTS,
        bench="gateway_db_process",
        params={
            "database": database,
            "calls_per_phase": args.calls,
            "phases": args.phases,
            "child_threads": args.threads,
            "concurrency": overhead.CONCURRENCY,
            "model_latency_s": 0.5,
        },
        figures=figures,
        goals={},
    )
    print(f"\ndatabase work in the thread vs in a child process ({database}) -> {RESULTS}")
    for name, value in figures.items():
        print(f"  {name:52} {value}")


if __name__ == "__main__":
    main()
