"""A prompt file added after the seed migration reaches an existing database on migrate."""

from __future__ import annotations

from pathlib import Path

import pytest

from llm import services
from llm.models import PromptTemplate
from llm.prompt_files import PromptFile, prompt_files
from llm.selectors import catalog, catalog_invalidate

pytestmark = pytest.mark.django_db


def test_new_prompt_file_version_is_added_once_and_becomes_the_one_in_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = PromptTemplate.objects.get(slug="resume_chat", version=1)
    v1.description = "edited in admin"
    v1.save()
    (tmp_path / "resume_chat.v9.toml").write_text('description = "v9"\nsystem = "s"\nuser = "u ${question}"\n')
    monkeypatch.setattr(services, "prompt_files", lambda: _files(tmp_path))

    added = services.prompt_files_sync()
    assert [(p.slug, p.version, p.label) for p in added] == [("resume_chat", 9, "production")]
    assert services.prompt_files_sync() == []
    catalog_invalidate()
    in_use = catalog().prompt("resume_chat")
    assert in_use is not None and in_use.version == 9
    v1.refresh_from_db()
    assert v1.description == "edited in admin"


def _files(directory: Path) -> list[PromptFile]:
    return prompt_files(directory)
