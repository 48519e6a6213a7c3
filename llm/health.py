"""Probing providers: can each enabled one be reached, and does it serve our models?"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from llm.errors import ProviderError
from llm.models import Provider
from llm.providers import provider_client
from llm.providers.openai_compatible import OpenAICompatibleProvider
from llm.selectors import catalog_invalidate


@dataclass(frozen=True)
class ProbeResult:
    provider: str
    ok: bool
    detail: str
    missing_models: list[str] = field(default_factory=list)


def provider_probe(provider: Provider) -> ProbeResult:
    """One cheap request (the models list); no tokens are spent."""
    client = provider_client(
        name=provider.name, kind=provider.kind, base_url=provider.base_url, api_key_env=provider.api_key_env
    )
    if not isinstance(client, OpenAICompatibleProvider):
        return ProbeResult(provider.name, True, "built-in rule-based provider")
    try:
        served = set(client.list_models())
    except ProviderError as error:
        return ProbeResult(provider.name, False, f"{client.config.base_url}: {error.message}")
    wanted = list(provider.models.filter(enabled=True).values_list("name", flat=True))
    missing = [name for name in wanted if name not in served]
    detail = f"{client.config.base_url}: {len(served)} models served"
    return ProbeResult(provider.name, True, detail, missing)


@transaction.atomic
def provider_health_update(*, provider: Provider, probe: ProbeResult) -> None:
    """A passing probe ends a cooldown; a failing one starts it."""
    now = timezone.now()
    if probe.ok:
        Provider.objects.filter(pk=provider.pk).update(
            consecutive_failures=0, unhealthy_until=None, last_error="", last_checked_at=now
        )
    else:
        Provider.objects.filter(pk=provider.pk).update(
            unhealthy_until=now + timedelta(seconds=settings.LLM_COOLDOWN_SECONDS),
            last_error=probe.detail[:300],
            last_checked_at=now,
        )
    transaction.on_commit(catalog_invalidate)


def configuration_problems(provider: Provider) -> list[str]:
    """What is missing for a provider to be usable, without calling it."""
    if provider.kind == Provider.Kind.LOCAL:
        return []
    problems = []
    # A self-hosted endpoint (a base URL) may need no key; the OpenAI API always does.
    base_url = provider.base_url or settings.OPENAI_BASE_URL
    if provider.api_key_env and not os.environ.get(provider.api_key_env) and not base_url:
        problems.append(f"{provider.name}: environment variable {provider.api_key_env} is not set")
    if not provider.models.filter(enabled=True).exists():
        problems.append(f"{provider.name}: no enabled model")
    return problems
