# ruff: noqa: RUF001 - CV text really contains typographic dashes, quotes and accented letters
"""The rule-based CV parser: text in, the `parse_cv` feature's JSON shape out."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Final

from .contact import EMAIL, URL, find_email, find_links, find_location, find_name, find_phone
from .dates import find_date_ranges, total_years
from .entries import is_bullet, parse_education, parse_experience
from .sections import Section, split_sections
from .skills import find_skills, names_known_skill

_MAX_SUMMARY_CHARACTERS = 1200
_LIST_MARKER: Final = re.compile(r"^\s*(?:[•\-*–▪●◦○■□➢►‣⁃·]|\d{1,2}[.)])\s*")
_LANGUAGE_LEVEL: Final = re.compile(r"\s*(?:[(\[:]| [-–—] ).*$")
_LANGUAGE_SEPARATORS: Final = re.compile(r"\s*[,;|•·▪●\u2022\t]\s*| {3,}")


def parse_cv_text(text: str, *, today: date | None = None) -> dict[str, Any]:
    """Parse CV text into {name, email, phone, location, links, summary, skills, experience, education,
    certifications, languages, total_years_experience}. Dates are kept exactly as written.

    `today` resolves "present" in the total-years figure (defaults to the current date).
    """
    lines = [line.rstrip() for line in text.replace("\r", "\n").split("\n")]
    content_lines = [line for line in lines if line.strip()]
    sections = split_sections(content_lines, names_skills=names_known_skill)
    header = sections[0].lines
    by_key = _lines_by_section(sections)
    experience = parse_experience(by_key.get("experience", []))
    education = parse_education(by_key.get("education", []))
    ranges = [
        date_range
        for line in by_key.get("experience", [])
        if not is_bullet(line)
        for date_range in find_date_ranges(line)[:1]
        if date_range.end or date_range.ongoing
    ]
    return {
        "name": find_name(header or content_lines),
        "email": find_email(text),
        "phone": find_phone(content_lines),
        "location": find_location(header or content_lines),
        "links": find_links(text),
        "summary": _summary(by_key.get("summary", []), header),
        "skills": find_skills(skills_lines=by_key.get("skills", []), full_text=text),
        "experience": experience,
        "education": education,
        "certifications": _list_items(by_key.get("certifications", [])),
        "languages": _languages(by_key.get("languages", [])),
        "total_years_experience": total_years(ranges, today=today or date.today()),
    }


def _lines_by_section(sections: list[Section]) -> dict[str, list[str]]:
    by_key: dict[str, list[str]] = {}
    for section in sections:
        by_key.setdefault(section.key, []).extend(section.lines)
    return by_key


def _summary(summary_lines: list[str], header: list[str]) -> str:
    lines = summary_lines
    if not lines:
        # Without a heading, a summary is the prose paragraph below the contact block.
        lines = [line for line in header if len(line) > 80 and not EMAIL.search(line) and not URL.search(line)]
    summary = " ".join(line.strip() for line in lines)
    return summary[:_MAX_SUMMARY_CHARACTERS].strip()


def _list_item(line: str) -> str:
    return _LIST_MARKER.sub("", line).strip()


def _list_items(lines: list[str]) -> list[str]:
    items: list[str] = []
    for line in lines:
        item = _list_item(line)
        if item and item not in items:
            items.append(item)
    return items


def _languages(lines: list[str]) -> list[str]:
    languages: list[str] = []
    items = [item for line in lines for item in _LANGUAGE_SEPARATORS.split(_list_item(line))]
    for item in items:
        name = _LANGUAGE_LEVEL.sub("", item).strip()
        if name and name[0].isalpha() and name not in languages:
            languages.append(name)
    return languages
