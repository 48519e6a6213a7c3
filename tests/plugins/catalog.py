"""The gateway's seeded catalog (providers, models, prices, prompts, rules, API access), as its
data migrations create it, for tests whose transactional flush removed it."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps as django_apps
from django.db.migrations import RunPython

from llm.models import Provider
from llm.selectors import catalog_invalidate

SEED_MIGRATIONS = (
    "llm.migrations.0003_seed_data",
    "llm.migrations.0004_api_tokens_and_feature_access",
    "llm.migrations.0007_local_embedding_model",
)


def seed_catalog() -> None:
    if not Provider.objects.exists():
        for module_name in SEED_MIGRATIONS:
            for operation in importlib.import_module(module_name).Migration.operations:
                if isinstance(operation, RunPython):
                    # The seed functions only call apps.get_model(), which the live registry serves.
                    seed: Any = operation.code
                    seed(django_apps, None)
    catalog_invalidate()
