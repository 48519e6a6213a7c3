"""Sends the llm app's call records to their own database when LLM_LOG_DATABASE_URL is set."""

from __future__ import annotations

from typing import Any

LOG_DATABASE = "llm_log"
LOG_MODELS = {"airun"}


class LlmLogRouter:
    def _is_log_model(self, model: Any) -> bool:
        return model._meta.app_label == "llm" and model._meta.model_name in LOG_MODELS

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return LOG_DATABASE if self._is_log_model(model) else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return LOG_DATABASE if self._is_log_model(model) else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        if app_label == "llm" and model_name in LOG_MODELS:
            return db == LOG_DATABASE
        return db != LOG_DATABASE
