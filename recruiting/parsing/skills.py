# ruff: noqa: RUF001 - CV text really contains typographic dashes, quotes and accented letters
"""Skills: the items of skills sections, plus known skills named anywhere in the CV."""

from __future__ import annotations

import re
from typing import Final

from .vocabulary import (
    CASE_SENSITIVE_SKILLS,
    PROSE_SPELLINGS,
    SKILL_SYNONYMS,
    SKILLS_SECTION_ONLY,
    SKILLS_SECTION_ONLY_SYNONYMS,
)

_MAX_WORDS_PER_SKILL = 4
_TOKEN: Final = re.compile(r"[A-Za-zÀ-ÿ0-9.+#/&'’-]+")
_ITEM_SEPARATORS: Final = re.compile(r"\s*(?:[,;|•·▪●◦■\u2022\t]| {3,}| - | – | / )\s*")
_SUB_LABEL: Final = re.compile(r"^[^:]{2,40}:\s*")
_LEVEL_SUFFIX: Final = re.compile(
    r"\s*[(\[][^)\]]*[)\]]\s*$|\s*[:\-–]\s*(?:expert|advanced|intermediate|basic|beginner|fluent|good|"
    r"proficient|\d+\+?\s*(?:years?|yrs?|jahre?|ans|años|jaar))\s*$",
    re.IGNORECASE,
)
_BULLET: Final = re.compile(r"^\s*(?:[•\-*–▪●◦○■□➢►‣⁃·>])\s*")
_QUALIFIER_WORDS: Final = frozenset(
    [
        "advanced",
        "basic",
        "basics",
        "expert",
        "skills",
        "skill",
        "knowledge",
        "proficient",
        "proficiency",
        "experience",
        "good",
        "very",
        "strong",
        "solid",
        "fluent",
        "in",
        "with",
        "of",
        "and",
        "gute",
        "sehr",
        "kenntnisse",
        "grundkenntnisse",
        "avance",
        "avancee",
        "bonne",
        "connaissance",
        "conocimientos",
        "avanzado",
        "kennis",
        "goede",
    ]
)
_LIST_SEPARATOR_CHARACTERS = ",;|·•"
_LONGEST_PHRASE = max(len(name.split()) for name in SKILL_SYNONYMS)


def canonical_skill(name: str) -> str | None:
    return SKILL_SYNONYMS.get(name.casefold().strip(" .,;:"))


def names_known_skill(text: str) -> bool:
    return any(canonical_skill(item) for item in split_skill_items([text]))


def split_skill_items(lines: list[str]) -> list[str]:
    """Items of a skills list: "Languages: Python, Go | SQL" -> ["Python", "Go", "SQL"]."""
    items: list[str] = []
    for line in _join_wrapped_lines(lines):
        line = _SUB_LABEL.sub("", _BULLET.sub("", line.strip()))
        for item in _ITEM_SEPARATORS.split(line):
            item = _LEVEL_SUFFIX.sub("", item).strip(" .:-–*")
            if item and len(item) <= 40 and len(item.split()) <= _MAX_WORDS_PER_SKILL and not item.isdigit():
                items.append(item)
    return items


def find_skills(*, skills_lines: list[str], full_text: str) -> list[str]:
    found: dict[str, str] = {}  # casefolded -> display name, in order of appearance
    for item in split_skill_items(skills_lines):
        name = canonical_skill(item) or _vocabulary_inside(item) or item
        found.setdefault(name.casefold(), name)
    for name in _vocabulary_mentions(full_text):
        found.setdefault(name.casefold(), name)
    return list(found.values())


def _vocabulary_inside(item: str) -> str | None:
    # "Python 3.11" or "Advanced Excel skills" name a known skill; "Event sourcing" is not "Sourcing".
    mentions = _vocabulary_mentions(item, in_skills_list=True)
    if len(mentions) != 1:
        return None
    residue = item.casefold()
    for synonym, canonical in SKILL_SYNONYMS.items():
        if canonical == mentions[0] and synonym in residue:
            residue = residue.replace(synonym, " ")
    leftover = {word for word in re.findall(r"[^\W\d_]+", residue) if word not in _QUALIFIER_WORDS}
    return mentions[0] if not leftover else None


def _vocabulary_mentions(text: str, *, in_skills_list: bool = False) -> list[str]:
    tokens = [token.strip(".,'’-/") for token in _TOKEN.findall(text)]
    tokens = [token for token in tokens if token]
    folded = [token.casefold() for token in tokens]
    found: list[str] = []
    index = 0
    while index < len(tokens):
        matched = 0
        for length in range(min(_LONGEST_PHRASE, len(tokens) - index), 0, -1):
            phrase = " ".join(folded[index : index + length])
            canonical = SKILL_SYNONYMS.get(phrase)
            if canonical and (in_skills_list or _trusted_in_prose(canonical, phrase, tokens[index : index + length])):
                found.append(canonical)
                matched = length
                break
        if not matched and "/" in tokens[index]:
            # "HTML/CSS", "CI/CD" already tried whole; now its parts.
            found.extend(_vocabulary_mentions(tokens[index].replace("/", " "), in_skills_list=in_skills_list))
        index += matched or 1
    return found


def _trusted_in_prose(canonical: str, phrase: str, written: list[str]) -> bool:
    if canonical in SKILLS_SECTION_ONLY or phrase in SKILLS_SECTION_ONLY_SYNONYMS:
        return False
    if phrase in PROSE_SPELLINGS:
        return " ".join(written) == PROSE_SPELLINGS[phrase]
    if canonical in CASE_SENSITIVE_SKILLS and phrase == canonical.casefold():
        return " ".join(written) == canonical
    if len(phrase) <= 3 and phrase.isalpha():
        return " ".join(written).isupper()  # "SQL", "AWS", "PHP" are written in capitals
    return True


def _join_wrapped_lines(lines: list[str]) -> list[str]:
    """A comma-separated list wrapped by the page ("..., Employer" / "Branding, ...") is one list:
    a line with separators that does not end on one continues on the next line."""
    joined: list[str] = []
    for line in lines:
        stripped = line.strip()
        previous = joined[-1] if joined else ""
        continues = (
            previous
            and any(character in previous for character in _LIST_SEPARATOR_CHARACTERS)
            and previous[-1] not in _LIST_SEPARATOR_CHARACTERS
            and not _BULLET.match(stripped)
            and not _SUB_LABEL.match(stripped)
            and not _both_known(previous, stripped)
        )
        if continues:
            joined[-1] = f"{previous} {stripped}"
        else:
            joined.append(stripped)
    return joined


def _both_known(previous: str, following: str) -> bool:
    # "Python, SQL" / "Docker, AWS": two complete lists, not one wrapped list.
    tail = re.split(r"[,;|·•]", previous)[-1]
    head = re.split(r"[,;|·•]", following)[0]
    return bool(canonical_skill(tail) and canonical_skill(head)) and not canonical_skill(f"{tail} {head}")
