from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from llm.health import configuration_problems, provider_probe
from llm.models import LLMModel, PromptTemplate, Provider
from llm.prompt_files import prompt_files
from llm.router import route
from llm.selectors import catalog


class Command(BaseCommand):
    help = "Report what the LLM gateway is configured with and what is missing; exit 1 on problems."

    def handle(self, *args: Any, **options: Any) -> None:
        problems: list[str] = []
        self.stdout.write(f"Default provider: {settings.LLM_DEFAULT_PROVIDER}")
        if not Provider.objects.filter(kind=Provider.Kind.LOCAL, enabled=True).exists():
            problems.append("no enabled local provider: nothing to fall back to")
        for provider in Provider.objects.filter(enabled=True):
            if settings.LLM_DEFAULT_PROVIDER == "local" and provider.kind != Provider.Kind.LOCAL:
                self.stdout.write(f"{provider.name}: not used (neither OPENAI_API_KEY nor OPENAI_BASE_URL is set)")
                continue
            problems += configuration_problems(provider)
            probe = provider_probe(provider)
            self.stdout.write(f"{provider.name}: {'reachable' if probe.ok else 'UNREACHABLE'} - {probe.detail}")
            if not probe.ok:
                problems.append(f"{provider.name}: cannot be reached")
            problems += [f"{provider.name}: does not serve model {name}" for name in probe.missing_models]
        for model in LLMModel.objects.filter(enabled=True, provider__kind=Provider.Kind.OPENAI_COMPATIBLE):
            if not model.prices.exists():
                problems.append(f"model {model.name} has no price: its calls would be recorded as free")
        snapshot = catalog()
        for prompt in prompt_files():
            if not PromptTemplate.objects.filter(slug=prompt.slug).exists():
                problems.append(f"prompt {prompt.slug} is not loaded (run migrate)")
                continue
            chain = route(catalog=snapshot, feature=prompt.slug, embedding=prompt.slug.startswith("embed"))
            self.stdout.write(f"  {prompt.slug}: {' > '.join(t.model.name for t in chain) or 'NO ROUTE'}")
        for problem in problems:
            self.stderr.write(self.style.ERROR(problem))
        if problems:
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("LLM configuration OK"))
