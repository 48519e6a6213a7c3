from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_prompt_files(**kwargs: Any) -> None:
    from llm.services import prompt_files_sync

    prompt_files_sync()


class LlmConfig(AppConfig):
    name = "llm"
    verbose_name = "LLM gateway"

    def ready(self) -> None:
        # Prompt files added after the seed migration reach existing databases on the next migrate.
        post_migrate.connect(_sync_prompt_files, sender=self)
