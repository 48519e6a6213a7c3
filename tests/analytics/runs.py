"""Test data: AiRun rows written with the ORM, with the timestamps a test needs."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from llm.models import AiRun

FEATURES = ["parse_cv", "match_candidate", "resume_chat", "generate_job_metadata", "embed_cv"]
MODELS = [("openai", "gpt-4o-mini"), ("openai", "gpt-4o"), ("openrouter", "llama-3-70b"), ("local", "local")]
FINISHED_STATUSES = ["succeeded"] * 12 + ["failed", "cancelled", "refused", "lost", "cached", "cached"]


def add_runs(runs: list[AiRun]) -> list[AiRun]:
    """bulk_create, then restore created_at (auto_now_add overwrites it on insert)."""
    wanted = [run.created_at for run in runs]
    created = AiRun.objects.bulk_create(runs)
    for run, created_at in zip(created, wanted, strict=True):
        run.created_at = created_at
    AiRun.objects.bulk_update(created, ["created_at"], batch_size=500)
    return created


def make_run(*, created_at: datetime, status: str = "succeeded", **fields: Any) -> AiRun:
    """One run; finished_at defaults to created_at + latency unless it is still running."""
    latency = fields.pop("latency_ms", 800)
    defaults: dict[str, Any] = {
        "feature": "parse_cv",
        "tenant_id": 1,
        "user_id": 1,
        "provider": "openai",
        "model": "gpt-4o-mini",
        "input_tokens": 1000,
        "output_tokens": 200,
        "cost": Decimal("0.00027000"),
        "latency_ms": latency,
        "finished_at": None if status == "running" else created_at + timedelta(milliseconds=latency or 0),
    }
    defaults.update(fields)
    return add_runs([AiRun(created_at=created_at, status=status, **defaults)])[0]


@dataclass
class RandomRunSpec:
    start: datetime
    hours: int = 72
    count: int = 600
    tenants: int = 4
    users_per_tenant: int = 3
    seed: int = 5


def random_runs(spec: RandomRunSpec) -> list[AiRun]:
    """A mixed data set: every status (including running), missing timings, cache hits, odd costs."""
    rng = random.Random(spec.seed)
    runs = []
    for _ in range(spec.count):
        created_at = spec.start + timedelta(seconds=rng.randrange(spec.hours * 3600))
        status = rng.choice([*FINISHED_STATUSES, "running"])
        provider, model = rng.choice(MODELS)
        tenant_id = rng.randrange(1, spec.tenants + 1) if rng.random() > 0.05 else None
        user_id = tenant_id * 100 + rng.randrange(spec.users_per_tenant) if tenant_id and rng.random() > 0.1 else None
        input_tokens = rng.randrange(0, 20_000)
        output_tokens = rng.randrange(0, 3_000)
        cached = status == "cached"
        latency = None if rng.random() < 0.05 else rng.choice([rng.randrange(5, 400), rng.randrange(400, 90_000)])
        streaming = rng.random() < 0.3
        error = status in {"failed", "lost"}
        runs.append(
            AiRun(
                feature=rng.choice(FEATURES),
                tenant_id=tenant_id,
                user_id=user_id,
                provider=provider,
                model=model,
                status=status,
                input_tokens=input_tokens,
                cached_input_tokens=rng.randrange(0, input_tokens + 1),
                output_tokens=output_tokens,
                reasoning_tokens=rng.randrange(0, output_tokens + 1),
                usage_estimated=status == "lost",
                cost=Decimal(0) if cached or status == "refused" else Decimal(rng.randrange(1, 9_999_999)) / 10**8,
                cost_saved=Decimal(rng.randrange(1, 999_999)) / 10**8 if cached else Decimal(0),
                latency_ms=latency,
                ttft_ms=rng.randrange(1, latency + 1) if streaming and latency else None,
                queue_ms=rng.randrange(0, 2_000) if rng.random() > 0.2 else None,
                streaming=streaming,
                fallback_used=rng.random() < 0.1,
                error_code=rng.choice(["timeout", "rate_limited", "provider_5xx"]) if error else "",
                subject_type=rng.choice(["", "job", "candidate"]),
                subject_id=str(rng.randrange(1, 15)),
                compression_saved_tokens=rng.randrange(0, 500),
                cache_hit=cached,
                created_at=created_at,
                finished_at=None
                if status == "running"
                else created_at + timedelta(milliseconds=latency or 0, minutes=rng.choice([0, 0, 0, 5, 95])),
            )
        )
    return add_runs(runs)
