"""Reads. The gateway's configuration is read as one snapshot, cached in-process for a few seconds
(settings.LLM_CATALOG_TTL), because every call needs it and it changes rarely."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from llm.models import (
    ANY,
    AiMemory,
    AiRun,
    Budget,
    FeatureFlag,
    LLMModel,
    ModelPrice,
    PromptTemplate,
    Provider,
    RoutingRule,
)
from llm.types import Price


@dataclass(frozen=True)
class Catalog:
    providers: dict[int, Provider]
    models: list[LLMModel]
    prices: dict[int, list[ModelPrice]]  # model id -> newest first
    rules: list[RoutingRule]
    flags: dict[str, FeatureFlag]
    prompts: dict[str, list[PromptTemplate]]  # slug -> newest version first
    # Enabled budgets, for which ones apply to a call; their counters in this snapshot are stale
    # (admission updates the rows atomically and re-reads them when a reservation is refused).
    budgets: list[Budget]

    def price_at(self, model_id: int, when: datetime) -> Price:
        """The price row in force at `when`; no row means the model is free (local)."""
        for row in self.prices.get(model_id, []):
            if row.effective_from <= when:
                return Price(
                    input=row.input_per_million,
                    cached_input=row.cached_input_per_million,
                    output=row.output_per_million,
                )
        return Price()

    def models_named(self, name: str) -> list[LLMModel]:
        """`name` is a model name, or `provider/name` to pick one provider's."""
        provider_name, _, model_name = name.rpartition("/")
        return [
            model
            for model in self.models
            if model.name == model_name and (not provider_name or model.provider.name == provider_name)
        ]

    def prompt(self, slug: str, version: int | None = None) -> PromptTemplate | None:
        """A given version, else the newest production one (else the newest at all)."""
        versions = self.prompts.get(slug, [])
        if version is not None:
            return next((p for p in versions if p.version == version), None)
        production = [p for p in versions if p.label == PromptTemplate.Label.PRODUCTION]
        candidates = production or versions
        return candidates[0] if candidates else None

    def budgets_for(self, *, tenant_id: int | None, user_id: int | None, feature: str) -> list[Budget]:
        """Budgets whose every set field (tenant, user, feature) matches the call; most calls have none."""
        return [
            budget
            for budget in self.budgets
            if budget.tenant_id in (None, tenant_id)
            and budget.user_id in (None, user_id)
            and budget.feature in ("", feature)
        ]


def _load_catalog() -> Catalog:
    providers = {p.pk: p for p in Provider.objects.filter(enabled=True)}
    models = [
        m
        for m in LLMModel.objects.filter(enabled=True).select_related("provider").order_by("pk")
        if m.provider_id in providers
    ]
    prices: dict[int, list[ModelPrice]] = defaultdict(list)
    for price in ModelPrice.objects.order_by("-effective_from"):
        prices[price.model_id].append(price)
    prompts: dict[str, list[PromptTemplate]] = defaultdict(list)
    for prompt in PromptTemplate.objects.order_by("slug", "-version"):
        prompts[prompt.slug].append(prompt)
    return Catalog(
        providers=providers,
        models=models,
        prices=dict(prices),
        rules=list(RoutingRule.objects.filter(enabled=True)),
        flags={flag.feature: flag for flag in FeatureFlag.objects.all()},
        prompts=dict(prompts),
        budgets=list(Budget.objects.filter(enabled=True).order_by("pk")),
    )


_cached: tuple[float, Catalog] | None = None
_lock = threading.Lock()


def catalog() -> Catalog:
    global _cached
    fresh_enough = catalog_if_fresh()
    if fresh_enough is not None:
        return fresh_enough
    with _lock:
        # Another thread may have reloaded it while this one waited for the lock.
        fresh_enough = catalog_if_fresh()
        if fresh_enough is not None:
            return fresh_enough
        fresh = _load_catalog()
        _cached = (time.monotonic(), fresh)
    return fresh


def catalog_if_fresh() -> Catalog | None:
    """The snapshot when reading it needs no query, else None (async code that must not block)."""
    cached = _cached
    if cached is not None and time.monotonic() - cached[0] < float(settings.LLM_CATALOG_TTL):
        return cached[1]
    return None


def catalog_invalidate() -> None:
    global _cached
    _cached = None


def ai_run_cost(*, run_id: int) -> Decimal | None:
    """What a finished run cost (a stopped one: its estimated usage priced), None if unknown."""
    return AiRun.objects.filter(pk=run_id).values_list("cost", flat=True).first()


def budgets_for_call(*, tenant_id: int | None, user_id: int | None, feature: str) -> list[Budget]:
    """Enabled budgets whose every set field (tenant, user, feature) matches the call."""
    return list(
        Budget.objects.filter(enabled=True)
        .filter(Q(tenant_id__isnull=True) | Q(tenant_id=tenant_id))
        .filter(Q(user_id__isnull=True) | Q(user_id=user_id))
        .filter(Q(feature="") | Q(feature=feature))
        .order_by("pk")
    )


def providers_in_cooldown(*, now: datetime) -> list[Provider]:
    """Enabled remote providers the router skips until their cooldown ends."""
    return list(
        Provider.objects.filter(enabled=True, unhealthy_until__gt=now)
        .exclude(kind=Provider.Kind.LOCAL)
        .order_by("name")
    )


def memories_for(*, tenant_id: int, user_id: int | None, scope_type: str, scope_id: str) -> dict[str, str]:
    """A scope's memory: shared entries, overridden by the user's own."""
    rows = AiMemory.objects.filter(tenant_id=tenant_id, scope_type=scope_type, scope_id=scope_id).filter(
        Q(user_id__isnull=True) | Q(user_id=user_id)
    )
    shared = {row.key: row.value for row in rows if row.user_id is None}
    own = {row.key: row.value for row in rows if row.user_id is not None}
    return {**shared, **own}


def rule_specificity(rule: RoutingRule, feature: str, plan: str) -> tuple[int, int, int] | None:
    """Sort key for rules that match (feature, plan): exact beats "*", then priority; None if no match."""
    if rule.feature not in (feature, ANY) or rule.plan not in (plan, ANY):
        return None
    return (rule.feature == feature, rule.plan == plan, rule.priority)
