"""CPU throughput of the CV pipeline's gateway-free part: text extraction + rule-based parsing.

Run: .venv/bin/python bench/cv_pipeline.py [--size 60] [--rounds 5] [--seed 2024]

Measures CVs per second on one core (a single process, the generated corpus repeated `rounds` times)
and, in the same run, the speed-up of a pool of 2 worker processes over the same work. The real
pipeline runs this inside Celery tasks; queueing and the LLM are not measured here.

On a shared machine the second core may be busy, so the same run also measures the 2-worker
speed-up of a pure-Python CPU loop with no I/O (`speedup_two_workers_reference`): the most that 2
workers could gain at that moment. The load average before and after is recorded with the figures.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from corpus.generate import build_corpus

from bench.report import write_results
from recruiting.extraction import extract_text
from recruiting.parsing import parse_cv_text

RESULTS = Path(__file__).resolve().parent / "results" / "cv_pipeline.json"
GOALS = {"cvs_per_s_one_core": ">= 20"}


def process_one(data: bytes) -> int:
    """Extract and parse one CV; returns the number of experience entries so the work is not dead code."""
    extraction = extract_text(data=data)
    if not extraction.ok:
        return -1
    return len(parse_cv_text(extraction.text)["experience"])


def cpu_reference(units: int) -> int:
    """A CPU-only workload with no I/O and no shared state: the baseline for the pool speed-up."""
    total = 0
    for number in range(units * 20_000):
        total = (total + number * number) % 1_000_003
    return total


def _reference_speedup(workers: int, tasks: int = 60, units: int = 5) -> float:
    started = time.perf_counter()
    for _ in range(tasks):
        cpu_reference(units)
    serial = time.perf_counter() - started
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        pool.map(cpu_reference, [1] * workers)
        started = time.perf_counter()
        pool.map(cpu_reference, [units] * tasks, chunksize=max(1, tasks // (workers * 4)))
        return serial / (time.perf_counter() - started)


def _load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()] if hasattr(os, "getloadavg") else []


def _run_serial(files: list[bytes]) -> float:
    started = time.perf_counter()
    for data in files:
        process_one(data)
    return time.perf_counter() - started


def _run_pool(files: list[bytes], workers: int) -> float:
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        pool.map(process_one, files[: workers * 2])  # warm the imports in every worker before timing
        started = time.perf_counter()
        pool.map(process_one, files, chunksize=max(1, len(files) // (workers * 4)))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=60, help="distinct CVs in the corpus")
    parser.add_argument("--rounds", type=int, default=10, help="times each CV is processed")
    parser.add_argument("--seed", type=int, default=2024)
    arguments = parser.parse_args()
    corpus = build_corpus(seed=arguments.seed, size=arguments.size)
    files = [cv.data for cv in corpus] * arguments.rounds
    formats = {name: sum(1 for cv in corpus if cv.file_format == name) for name in ("pdf", "docx", "txt")}
    load_before = _load_average()
    _run_serial(files[: len(corpus)])  # warm-up: imports, regex compilation, font caches
    cpu_started = time.process_time()
    serial_seconds = _run_serial(files)
    # CPU seconds this process used: unlike wall time, not inflated while other processes hold the core.
    serial_cpu_seconds = time.process_time() - cpu_started
    pool_seconds = _run_pool(files, 2)
    reference_speedup = _reference_speedup(2)
    per_format: dict[str, float] = {}
    for name in formats:
        subset = [cv.data for cv in corpus if cv.file_format == name] * arguments.rounds
        per_format[f"{name}_cvs_per_s_one_core"] = round(len(subset) / _run_serial(subset), 1)
    figures = {
        "cvs_per_s_one_core": round(len(files) / serial_seconds, 1),
        "speedup_two_workers": round(serial_seconds / pool_seconds, 2),
        "speedup_two_workers_reference": round(reference_speedup, 2),
        "cvs_per_s_two_workers": round(len(files) / pool_seconds, 1),
        "ms_per_cv_one_core": round(serial_seconds / len(files) * 1000, 2),
        "cvs_per_cpu_second": round(len(files) / serial_cpu_seconds, 1),
        **per_format,
    }
    write_results(
        RESULTS,
        bench="cv_pipeline",
        machine={"load_average_before": load_before, "load_average_after": _load_average()},
        params={
            "size": len(corpus),
            "rounds": arguments.rounds,
            "seed": arguments.seed,
            "formats": formats,
            "cvs_processed": len(files),
        },
        figures=figures,
        goals=GOALS,
    )
    print(f"cv_pipeline: {len(files)} CVs ({formats} x {arguments.rounds}) on {os.cpu_count()} CPUs")
    for name, value in figures.items():
        print(f"  {name:<28} {value}")


if __name__ == "__main__":
    main()
