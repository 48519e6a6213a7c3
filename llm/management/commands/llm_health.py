from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from llm.health import provider_health_update, provider_probe
from llm.models import Provider


class Command(BaseCommand):
    help = "Probe each enabled provider (models list) and record its health; exit 1 if one is down."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--provider", help="Probe only this provider (by name).")

    def handle(self, *args: Any, **options: Any) -> None:
        providers = Provider.objects.filter(enabled=True)
        if options["provider"]:
            providers = providers.filter(name=options["provider"])
        down = 0
        for provider in providers:
            probe = provider_probe(provider)
            provider_health_update(provider=provider, probe=probe)
            style = self.style.SUCCESS if probe.ok else self.style.ERROR
            self.stdout.write(style(f"{provider.name}: {'ok' if probe.ok else 'DOWN'} - {probe.detail}"))
            down += not probe.ok
        if down:
            raise SystemExit(1)
