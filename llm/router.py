"""Chooses the ordered chain of models to try for a call; the chain always ends in `local`.

Inputs: the feature and the tenant's plan (RoutingRule rows, admin-editable), provider health
(providers in cooldown are skipped) and remaining budget (paid models whose worst case no
longer fits are skipped). With no provider configured (LLM_DEFAULT_PROVIDER == "local") the
chain is `local` alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from llm.local_embeddings import local_embedding_model
from llm.models import ANY, LLMModel, Provider
from llm.pricing import worst_case_cost
from llm.selectors import Catalog, catalog_invalidate, rule_specificity
from llm.types import Price

LOCAL = "local"


@dataclass(frozen=True)
class Target:
    """One model to try, with the provider row behind it and its price at call time."""

    model: LLMModel
    price: Price

    @property
    def provider(self) -> Provider:
        return self.model.provider

    @property
    def is_local(self) -> bool:
        return self.provider.kind == Provider.Kind.LOCAL

    def worst_case(self, *, input_tokens: int, max_tokens: int) -> Decimal:
        return worst_case_cost(input_tokens=input_tokens, max_output_tokens=max_tokens, price=self.price)


def _chain_names(catalog: Catalog, feature: str, plan: str) -> list[str]:
    ranked = [(key, rule.chain) for rule in catalog.rules if (key := rule_specificity(rule, feature, plan)) is not None]
    if not ranked:
        return [settings.LLM_DEFAULT_MODEL] if settings.LLM_DEFAULT_MODEL else []
    return list(max(ranked, key=lambda item: item[0])[1])


def _in_cooldown(provider: Provider, now: datetime) -> bool:
    return provider.unhealthy_until is not None and provider.unhealthy_until > now


def route(
    *,
    catalog: Catalog,
    feature: str,
    plan: str = ANY,
    embedding: bool = False,
    preferred_model: str = "",
    model_hint: str = "",
    now: datetime | None = None,
) -> list[Target]:
    """Models to try in order. `preferred_model` (an explicit override) goes first, then the
    prompt's `model_hint` when the rule's chain offers it, then the chain; `local` ends it."""
    now = now or timezone.now()
    names = [] if settings.LLM_DEFAULT_PROVIDER == LOCAL else _chain_names(catalog, feature, plan)
    tail = [LOCAL]
    if embedding and (local_model := local_embedding_model()):
        # The real local embedding model stands in for `local` (its lexical vectors stay the
        # fallback when that model is not installed, not loadable or disabled in the catalog).
        names = [local_model if name == LOCAL else name for name in names]
        tail = [local_model, LOCAL]
    if model_hint in names:
        names.remove(model_hint)
        names.insert(0, model_hint)
    if preferred_model:
        names.insert(0, preferred_model)
    chosen: dict[int, LLMModel] = {}
    for name in [*names, *tail]:
        for model in catalog.models_named(name):
            usable = model.is_embedding == embedding or model.provider.kind == Provider.Kind.LOCAL
            if usable and model.pk not in chosen and not _in_cooldown(model.provider, now):
                chosen[model.pk] = model
    targets = [Target(model=model, price=catalog.price_at(model.pk, now)) for model in chosen.values()]
    # The chain ends at the first local model: nothing after a rule-based answer is worth trying.
    for index, target in enumerate(targets):
        if target.is_local:
            return targets[: index + 1]
    return targets


def within_budget(targets: list[Target], *, headroom: Decimal, input_tokens: int, max_tokens: int) -> list[Target]:
    """Drop the paid models whose worst case no longer fits the remaining budget."""
    return [
        t for t in targets if t.is_local or t.worst_case(input_tokens=input_tokens, max_tokens=max_tokens) <= headroom
    ]


# ----- provider health ------------------------------------------------------------------


def provider_record_failure(*, provider_id: int, error: str) -> None:
    """Count a failed call (all retries spent); enough in a row put the provider into cooldown."""
    Provider.objects.filter(pk=provider_id).update(
        consecutive_failures=F("consecutive_failures") + 1, last_error=error[:300]
    )
    Provider.objects.filter(pk=provider_id, consecutive_failures__gte=settings.LLM_COOLDOWN_AFTER_FAILURES).update(
        unhealthy_until=timezone.now() + timedelta(seconds=settings.LLM_COOLDOWN_SECONDS)
    )
    # Always: the next success reads the streak from the catalog to know whether to reset it.
    catalog_invalidate()


def provider_record_success(*, provider_id: int) -> None:
    """Reset a failure streak (the runner calls this only when its catalog shows one)."""
    if Provider.objects.filter(pk=provider_id, consecutive_failures__gt=0).update(
        consecutive_failures=0, unhealthy_until=None, last_error=""
    ):
        catalog_invalidate()


def rollout_bucket(*, feature: str, tenant_id: int | None, user_id: int | None) -> int:
    """0-99, stable for a (feature, tenant or user): a rollout admits whole tenants at a time."""
    subject = f"t{tenant_id}" if tenant_id is not None else f"u{user_id}"
    digest = hashlib.sha256(f"{feature}:{subject}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100


def feature_enabled(catalog: Catalog, *, feature: str, tenant_id: int | None, user_id: int | None) -> bool:
    """The global flag "*" is a kill switch for everything; a feature's own flag can also roll it out."""
    for name in (ANY, feature):
        flag = catalog.flags.get(name)
        if flag is None:
            continue
        if not flag.enabled:
            return False
        if rollout_bucket(feature=name, tenant_id=tenant_id, user_id=user_id) >= flag.rollout_percent:
            return False
    return True
