"""The labelled CV corpus: synthetic people rendered in varied layouts, languages and file formats.

`build_corpus(seed, size)` is deterministic: the same seed gives the same files and labels. Labels are
what a careful human would write down for each CV (name, email, phone, skills, employers, titles,
degrees, schools).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from .people import Person, make_person
from .render import to_docx, to_pdf, to_txt
from .templates import EXPERIENCE_STYLES, HELD_OUT_STYLES, build_document

FORMAT_VARIANTS: tuple[tuple[str, str], ...] = (
    ("txt", "utf-8"),
    ("pdf", "one_column"),
    ("docx", "paragraphs"),
    ("pdf", "two_columns"),
    ("txt", "utf-16"),
    ("docx", "experience_table"),
    ("pdf", "one_column_helvetica"),
    ("txt", "cp1252"),
    ("docx", "layout_table"),
    ("txt", "utf-8-sig"),
    ("docx", "header_part"),
    ("pdf", "two_columns_helvetica"),
)
LANGUAGES = ("en", "en", "de", "fr", "es", "nl")


@dataclass(frozen=True)
class LabelledCv:
    filename: str
    file_format: str  # pdf | docx | txt
    variant: str
    layout: str
    language: str
    held_out: bool
    data: bytes
    labels: dict[str, Any]


def build_corpus(*, seed: int = 2024, size: int = 60) -> list[LabelledCv]:
    rng = random.Random(seed)
    corpus: list[LabelledCv] = []
    for number in range(size):
        person = make_person(rng)
        file_format, variant = FORMAT_VARIANTS[number % len(FORMAT_VARIANTS)]
        layout = EXPERIENCE_STYLES[(number * 5 + number // len(FORMAT_VARIANTS)) % len(EXPERIENCE_STYLES)]
        if variant.startswith("two_columns") and layout == "tab_stops":
            layout = "stacked"  # right-aligned dates in a narrow column would collide with the text
        language = LANGUAGES[number % len(LANGUAGES)]
        document = build_document(person, rng, layout=layout, language=language)
        data = _render(document, file_format, variant)
        corpus.append(
            LabelledCv(
                filename=f"cv_{number:03d}_{layout}_{language}.{file_format}",
                file_format=file_format,
                variant=variant,
                layout=layout,
                language=language,
                held_out=layout in HELD_OUT_STYLES,
                data=data,
                labels=labels_for(person),
            )
        )
    return corpus


def _render(document: Any, file_format: str, variant: str) -> bytes:
    if file_format == "txt":
        return to_txt(document, encoding=variant)
    if file_format == "docx":
        return to_docx(document, variant=variant)
    return to_pdf(document, two_columns=variant.startswith("two_columns"), unicode_font="helvetica" not in variant)


def labels_for(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "email": person.email,
        "phone": person.phone,
        "skills": [*person.skills, *(skill for skill in person.prose_skills if _mentioned(skill, person))],
        "employers": [job.employer for job in person.jobs],
        "titles": [job.title for job in person.jobs],
        "degrees": [study.degree for study in person.studies],
        "schools": [study.school for study in person.studies],
    }


def _mentioned(skill: str, person: Person) -> bool:
    return any(skill in bullet for job in person.jobs for bullet in job.bullets)
