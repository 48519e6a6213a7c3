# ruff: noqa: RUF001 - CV text really contains typographic dashes, quotes and accented letters
"""Experience and education entries from the lines of their sections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from .contact import EMAIL, URL, looks_like_location
from .dates import DateRange, find_date_ranges
from .lexicon import DEGREE_PATTERN, EMPLOYER_MARKERS, INSTITUTION_WORDS, LEGAL_FORMS, TITLE_WORDS
from .sections import fold, fold_keeping_length

_BULLET: Final = re.compile(r"^\s*(?:[•\-*–▪●◦○■□➢►‣⁃·>]|\d{1,2}[.)])\s+")
# Between the parts of a header line: "Engineer | Acme | Berlin", "Engineer — Acme, Berlin", "Engineer   Acme".
_PART_SEPARATOR: Final = re.compile(r"\s*(?:\||•|·|\t| {3,}| — | – | -- | - |—|–|, |; )\s*")
_AT_SEPARATOR: Final = re.compile(r"\s+(?:at|@|bei|chez|en|bij|presso)\s+", re.IGNORECASE)
_EMPTY_BRACKETS: Final = re.compile(r"\(\s*[,;:\-–]*\s*\)|\[\s*\]")
_EDGE_PUNCTUATION: Final = " \t|,;:–—-•·()[]"
_MAX_HEADER_CHARACTERS = 110
_MAX_HEADER_WORDS = 14


@dataclass(slots=True)
class _Block:
    header_lines: list[str]
    dated_line: int  # which header line carries `dates`
    dates: DateRange
    description: list[str] = field(default_factory=list)


def is_bullet(line: str) -> bool:
    return bool(_BULLET.match(line))


def _header_like(line: str) -> bool:
    stripped = line.strip()
    if not stripped or is_bullet(stripped) or len(stripped) > _MAX_HEADER_CHARACTERS:
        return False
    if len(stripped.split()) > _MAX_HEADER_WORDS or EMAIL.search(stripped):
        return False
    # Sentences end with a full stop; titles and employer names rarely do ("Inc." does).
    return not (stripped.endswith(".") and not re.search(r"\b(?:inc|ltd|co|corp|s\.a|b\.v|n\.v)\.$", stripped, re.I))


def _date_lines(lines: list[str]) -> dict[int, DateRange]:
    found: dict[int, DateRange] = {}
    for index, line in enumerate(lines):
        if is_bullet(line) or len(line) > 160:
            continue
        ranges = find_date_ranges(line)
        # A bare year inside prose ("grew revenue 30% in 2019") is not an entry's date.
        usable = [r for r in ranges if r.end or r.ongoing or len(line.strip()) <= 60 or _header_like(line)]
        if usable:
            found[index] = usable[0]
    return found


def _split_blocks(lines: list[str]) -> list[_Block]:
    """One block per dated header. How many header lines sit above the first date line (below the
    heading) tells us the section's convention, and we apply it to every entry."""
    lines = [line for line in lines if line.strip()]
    dated = _date_lines(lines)
    if not dated:
        return []
    first = min(dated)
    lines_before = sum(1 for line in lines[:first] if _header_like(line))
    before = min(lines_before, 3) if lines_before == first else 0
    blocks: list[_Block] = []
    claimed: set[int] = set()
    starts: list[int] = []
    for index in sorted(dated):
        header = [index]
        position = index - 1
        while len(header) <= before and position >= 0 and position not in claimed and position not in dated:
            if not _header_like(lines[position]):
                break
            header.insert(0, position)
            position -= 1
        if before == 0:
            parts = [part for part in _text_parts(lines[index], dated[index]) if len(part) > 1]
            position = index + 1
            while len(parts) < 2 and position < len(lines) and position not in dated and _header_like(lines[position]):
                header.append(position)
                parts.extend(part for part in _text_parts(lines[position], None) if len(part) > 1)
                position += 1
        claimed.update(header)
        starts.append(header[0])
        blocks.append(_Block([lines[i] for i in header], header.index(index), dated[index]))
    for number, block in enumerate(blocks):
        end = starts[number + 1] if number + 1 < len(starts) else len(lines)
        block.description = [lines[i] for i in range(starts[number], end) if i not in claimed]
    return blocks


def _text_parts(line: str, dates: DateRange | None) -> list[str]:
    text = line
    if dates is not None:
        text = text[: dates.span[0]] + "  " + text[dates.span[1] :]
    text = _EMPTY_BRACKETS.sub(" ", text)
    parts: list[str] = []
    for chunk in _PART_SEPARATOR.split(text):
        chunk = chunk.strip(_EDGE_PUNCTUATION)
        if not chunk:
            continue
        # "Engineer at Acme" is two parts; "Grado en Informática" and "Institut für X" are one.
        keep_whole = _is_institution(chunk) or DEGREE_PATTERN.search(fold(chunk))
        at_split = [chunk] if keep_whole else _AT_SEPARATOR.split(chunk, maxsplit=1)
        parts.extend(piece.strip(_EDGE_PUNCTUATION) for piece in at_split if piece.strip(_EDGE_PUNCTUATION))
    return parts


def _is_title(text: str) -> bool:
    return any(word.strip(".,()") in TITLE_WORDS for word in re.split(r"[\s/]+", fold(text)))


def _is_employer(text: str) -> bool:
    return any(word.strip(",()") in EMPLOYER_MARKERS for word in fold(text).split())


def _has_legal_form(text: str) -> bool:
    return any(word.strip(",()") in LEGAL_FORMS for word in fold(text).split())


def parse_experience(lines: list[str]) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = []
    for block in _split_blocks(lines):
        parts: list[str] = []
        for number, line in enumerate(block.header_lines):
            parts.extend(_text_parts(line, block.dates if number == block.dated_line else None))
        location = ""
        remaining: list[str] = []
        for part in parts:
            if not location and looks_like_location(part) and not _is_title(part):
                location = part
            elif not URL.search(part):
                remaining.append(part)
        title, employer = _assign_title_employer(remaining)
        entries.append(
            {
                "employer": employer,
                "title": title,
                "start": block.dates.start,
                "end": block.dates.end or ("present" if block.dates.ongoing else ""),
                "location": location,
                "description": "\n".join(_BULLET.sub("", line).strip() for line in block.description).strip(),
            }
        )
    return entries


def _assign_title_employer(parts: list[str]) -> tuple[str, str]:
    """Pick the title and the employer among a header's text parts.

    A part with job-title words is the title and a part with company markers ("GmbH", "Inc") the
    employer; otherwise the CV convention "Title, Employer" decides.
    """
    parts = [part for part in parts if len(part) > 1][:4]
    if not parts:
        return "", ""
    if len(parts) == 1:
        return (parts[0], "") if _is_title(parts[0]) else ("", parts[0])
    titles = [part for part in parts if _is_title(part) and not _has_legal_form(part)]
    employers = [part for part in parts if _is_employer(part) and part not in titles]
    title = titles[0] if titles else ""
    employer = employers[0] if employers else ""
    if title and not employer:
        employer = next((part for part in parts if part != title), "")
    elif employer and not title:
        title = next((part for part in parts if part != employer), "")
    elif not title and not employer:
        title, employer = parts[0], parts[1]
    return title, employer


def parse_education(lines: list[str]) -> list[dict[str, str]]:
    """Line by line: a line brings a degree, an institution and/or dates; a second degree or a second
    institution starts the next entry."""
    entries: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for raw in lines:
        line = _BULLET.sub("", raw).strip()
        if not line or len(line) > 160:
            continue
        ranges = find_date_ranges(line)
        text = line
        if ranges:
            text = line[: ranges[0].span[0]] + "  " + line[ranges[0].span[1] :]
        parts = _text_parts(text, None)
        degree_part = next((part for part in parts if DEGREE_PATTERN.search(fold(part))), "")
        institution_part = next((part for part in parts if _is_institution(part) and part != degree_part), "")
        if not degree_part and not institution_part and not ranges:
            continue
        starts_new = (degree_part and current.get("degree")) or (institution_part and current.get("institution"))
        if starts_new:
            entries.append(current)
            current = {}
        if degree_part:
            degree, field_of_study = _split_degree(degree_part, parts)
            current["degree"] = degree
            current.setdefault("field", field_of_study)
        if institution_part:
            current["institution"] = institution_part
        elif degree_part and not current.get("institution"):
            others = [
                part
                for part in parts
                if part != degree_part and not looks_like_location(part) and part != current.get("field")
            ]
            if others:
                current["institution"] = others[0]
        if ranges and "start" not in current:
            current["start"], current["end"] = _education_dates(ranges[0])
    if current:
        entries.append(current)
    return [
        {
            "institution": entry.get("institution", ""),
            "degree": entry.get("degree", ""),
            "field": entry.get("field", ""),
            "start": entry.get("start", ""),
            "end": entry.get("end", ""),
        }
        for entry in entries
        if entry.get("degree") or entry.get("institution")
    ]


def _education_dates(date_range: DateRange) -> tuple[str, str]:
    # A single year on an education line is the graduation year.
    if not date_range.end and not date_range.ongoing:
        return "", date_range.start
    return date_range.start, date_range.end or "present"


def _is_institution(text: str) -> bool:
    words = [word.strip(".,()") for word in re.split(r"[\s\-]+", fold(text))]
    return any(word in INSTITUTION_WORDS for word in words)


_FIELD_AFTER_DEGREE: Final = re.compile(r"^\s*(?:(?:in der|in|of|en|de|im)\b|[(,:\-–])\s*", re.IGNORECASE)


def _split_degree(degree_part: str, parts: list[str]) -> tuple[str, str]:
    """ "BSc Computer Science" -> ("BSc", "Computer Science"); "Master of Science in Physics" -> both."""
    match = DEGREE_PATTERN.search(fold_keeping_length(degree_part))
    if match is None:
        return degree_part, ""
    degree = degree_part[match.start() : match.end()].strip()
    rest = degree_part[match.end() :]
    rest = _FIELD_AFTER_DEGREE.sub("", rest).strip(_EDGE_PUNCTUATION)
    if rest and not _is_institution(rest):
        return degree, rest
    index = parts.index(degree_part)
    follower = parts[index + 1] if index + 1 < len(parts) else ""
    if follower and not _is_institution(follower) and not looks_like_location(follower):
        return degree, follower
    return degree, ""
