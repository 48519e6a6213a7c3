"""Reads the v1 prompts shipped as files under llm/prompts/ (format: llm/prompts/README.md)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
FILE_NAME = re.compile(r"^(?P<slug>[a-z0-9_]+)\.v(?P<version>\d+)\.toml$")

_STRING_LIST = {"type": "array", "items": {"type": "string"}}
# The generative shape every seed system shares.
STANDARD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["title", "summary", "content", "bullets", "warnings", "keywords_added", "next_actions"],
    "properties": {
        "title": {"type": "string"},
        "summary": {"type": "string"},
        "content": {"type": "string"},
        "bullets": _STRING_LIST,
        "warnings": _STRING_LIST,
        "keywords_added": _STRING_LIST,
        "next_actions": _STRING_LIST,
    },
}


@dataclass(frozen=True)
class PromptFile:
    slug: str
    version: int
    description: str
    system_template: str
    user_template: str
    output_schema: dict[str, Any] | None
    model_hint: str
    parameters: dict[str, Any]


def standard_schema(extra_properties: dict[str, Any] | None = None) -> dict[str, Any]:
    extra = extra_properties or {}
    return {
        **STANDARD_SCHEMA,
        "required": [*STANDARD_SCHEMA["required"], *extra],
        "properties": {**STANDARD_SCHEMA["properties"], **extra},
    }


def _output_schema(data: dict[str, Any]) -> dict[str, Any] | None:
    schema = data.get("schema")
    if schema == "standard":
        return standard_schema(data.get("extra_properties"))
    return schema or None


def read_prompt_file(path: Path) -> PromptFile:
    match = FILE_NAME.match(path.name)
    if not match:
        raise ValueError(f"{path.name}: prompt files are named <slug>.v<version>.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return PromptFile(
        slug=match["slug"],
        version=int(match["version"]),
        description=data.get("description", ""),
        system_template=data.get("system", "").strip(),
        user_template=data["user"].strip(),
        output_schema=_output_schema(data),
        model_hint=data.get("model_hint", ""),
        parameters=data.get("parameters", {}),
    )


def prompt_files(directory: Path = PROMPTS_DIR) -> list[PromptFile]:
    return [read_prompt_file(path) for path in sorted(directory.glob("*.toml"))]
