from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from llm.models import LLMModel
from llm.services import model_price_add

EXAMPLE = '{"effective_from": "2025-06-01", "prices": [{"model": "openai/gpt-4o-mini", "input": "0.15", "cached_input": "0.075", "output": "0.60"}]}'


class Command(BaseCommand):
    help = f"Add price rows (USD per million tokens) from a JSON file; old runs keep their cost. Format: {EXAMPLE}"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def _model(self, name: str) -> LLMModel:
        provider, _, model = name.rpartition("/")
        models = LLMModel.objects.filter(name=model)
        if provider:
            models = models.filter(provider__name=provider)
        if models.count() != 1:
            raise CommandError(f"{name!r} names {models.count()} models; use provider/model")
        return models.get()

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = json.loads(options["path"].read_text())
            effective_from = datetime.fromisoformat(data["effective_from"])
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"cannot read prices: {error}") from error
        if timezone.is_naive(effective_from):
            effective_from = timezone.make_aware(effective_from)
        for row in data["prices"]:
            model = self._model(row["model"])
            model_price_add(
                model=model,
                effective_from=effective_from,
                input_per_million=Decimal(str(row["input"])),
                cached_input_per_million=Decimal(str(row.get("cached_input", row["input"]))),
                output_per_million=Decimal(str(row["output"])),
            )
            self.stdout.write(f"{model}: new price from {effective_from:%Y-%m-%d}")
