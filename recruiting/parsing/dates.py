# ruff: noqa: RUF001 - CV text really contains typographic dashes, quotes and accented letters
"""Dates and date ranges as CVs write them ("03/2019", "Jan 2020", "2018", "Sommer 2017", "heute"), kept
verbatim, plus the arithmetic for total experience."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from .sections import fold

# Month names (accent-folded) in English, German, French, Spanish, Dutch, Italian, Portuguese -> number.
_MONTHS: Final[dict[str, int]] = {}
for _number, _names in enumerate(
    (
        "january jan januar janv janvier enero ene januari gennaio gen janeiro jän jaenner",
        "february feb februar fevrier fev febrero februari febbraio fevereiro",
        "march mar marz maerz mars marzo maart marco mrz mrt",
        "april apr avril avr abril",
        "may mai mayo mei maggio maio mag",
        "june jun juni juin junio giugno junho",
        "july jul juli juillet juil julio luglio julho lug",
        "august aug aout agosto augustus ago",
        "september sep sept septembre septiembre settembre setembro set",
        "october oct oktober octobre octubre oktober ottobre outubro okt ott out",
        "november nov novembre noviembre novembro",
        "december dec dezember decembre diciembre dic dez dicembre dezembro",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

# Seasons ("Sommer 2017", "Fall 2019") are dates too; for arithmetic they count from the season's
# middle month (winter from January, the month its year is named after).
_SEASONS: Final[dict[str, int]] = {}
for _number, _names in (
    (4, "spring frühling fruhling fruehling frühjahr fruhjahr fruehjahr printemps lente voorjaar"),
    (7, "summer sommer ete été verano zomer estate verao verão"),
    (10, "autumn fall herbst automne otono otoño herfst najaar autunno outono"),
    (1, "winter hiver invierno inverno"),
):
    for _name in _names.split():
        _SEASONS[fold(_name)] = _number
_DATE_WORDS: Final[dict[str, int]] = {**_MONTHS, **_SEASONS}

_MONTH_NAME = r"(?:[A-Za-zÀ-ÿ]{3,10}\.?)"
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
# A single date: "March 2020", "Mar. 2020", "März 2020", "03/2020", "3.2020", "2020-03", "2020/03", "2020",
# "mars de 2020", "'19" is too ambiguous and not accepted.
_DATE = (
    rf"(?:{_MONTH_NAME}\s+(?:de\s+)?{_YEAR}"
    rf"|(?:0?[1-9]|1[0-2])\s*[/.\-]\s*{_YEAR}"
    rf"|{_YEAR}\s*[/\-.]\s*(?:0[1-9]|1[0-2])(?!\d)"
    rf"|{_YEAR})"
)
_ONGOING_WORDS = (
    r"present|current|currently|now|today|ongoing|to date|till date|heute|aktuell|derzeit|bis heute|jetzt|"
    r"aujourd'hui|aujourd’hui|a ce jour|à ce jour|présent|actuel|en cours|actualidad|presente|actual|hoy|"
    r"la fecha|heden|nu|huidig|tot heden|oggi|in corso|atual"
)
_ONGOING = rf"(?:{_ONGOING_WORDS})(?![\w'’])"
_RANGE_SEPARATOR = r"\s*(?:-{1,2}|–|—|to|until|till|bis|au|à|a|hasta|tot|al|a\s+la|→|>|~)\s*"
_RANGE_PREFIX = r"(?:(?:since|seit|depuis|desde|sinds|from|von|de|vanaf|dal|da)\s+)?"

DATE_RANGE: Final = re.compile(
    rf"(?P<start>{_DATE})(?:{_RANGE_SEPARATOR}(?P<end>{_DATE}|{_ONGOING}))?(?![\d/])",
    re.IGNORECASE,
)
_SINCE = re.compile(rf"\b(?:since|seit|depuis|desde|sinds|vanaf)\s+(?P<start>{_DATE})", re.IGNORECASE)
_ONGOING_ONLY = re.compile(rf"^(?:{_ONGOING_WORDS})$", re.IGNORECASE)
_MONTH_WORD = re.compile(r"[A-Za-zÀ-ÿ]+")
_NUMERIC_MONTH_FIRST = re.compile(rf"^(0?[1-9]|1[0-2])\s*[/.\-]\s*({_YEAR})$")
_NUMERIC_YEAR_FIRST = re.compile(rf"^({_YEAR})\s*[/\-.]\s*(0[1-9]|1[0-2])$")
_YEAR_ONLY = re.compile(rf"({_YEAR})")


@dataclass(frozen=True, slots=True)
class DateRange:
    start: str  # as written
    end: str  # as written, "" when the text gives a single date
    span: tuple[int, int]  # where it sits in the line
    ongoing: bool = False  # "since 2021", "seit 2021": a single date that runs to today


def find_date_ranges(line: str) -> list[DateRange]:
    """Date ranges (or single dates) in a line, verbatim. Month words must be real month names."""
    found: list[DateRange] = []
    for match in DATE_RANGE.finditer(line):
        start, end = match.group("start"), match.group("end") or ""
        if not _valid_date(start) or (end and not _ONGOING_ONLY.match(end) and not _valid_date(end)):
            # "Senior 2020": the word before the year is not a month; retry on the year alone.
            year = _YEAR_ONLY.search(start)
            if year is None:
                continue
            offset = match.start("start") + year.start()
            retry = DATE_RANGE.match(line, offset)
            if retry is None or (retry.group("end") and not _valid_end(retry.group("end"))):
                found.append(DateRange(year.group(1), "", (offset, offset + 4)))
                continue
            match = retry
            start, end = match.group("start"), match.group("end") or ""
        span_start = _with_prefix(line, match.start())
        ongoing = not end and bool(_SINCE.match(line, span_start))
        found.append(DateRange(start.strip(), end.strip(), (span_start, match.end()), ongoing))
    return found


def _valid_end(end: str) -> bool:
    return bool(_ONGOING_ONLY.match(end)) or _valid_date(end)


def _with_prefix(line: str, start: int) -> int:
    prefix = re.search(rf"{_RANGE_PREFIX}$", line[:start], re.IGNORECASE)
    return prefix.start() if prefix and prefix.group(0) else start


def _valid_date(text: str) -> bool:
    words = _MONTH_WORD.findall(text)
    return all(fold(word).rstrip(".") in _DATE_WORDS or fold(word) == "de" for word in words)


def month_index(written: str, *, today: date) -> int | None:
    """Months since year 0 for a written date; year-only dates count from January (start and end),
    so "2019 - 2021" is two years, as a reader would say."""
    text = written.strip()
    if not text:
        return None
    if _ONGOING_ONLY.match(text):
        return today.year * 12 + today.month - 1
    numeric = _NUMERIC_MONTH_FIRST.match(text)
    if numeric:
        return int(numeric.group(2)) * 12 + int(numeric.group(1)) - 1
    numeric = _NUMERIC_YEAR_FIRST.match(text)
    if numeric:
        return int(numeric.group(1)) * 12 + int(numeric.group(2)) - 1
    year = _YEAR_ONLY.search(text)
    if year is None:
        return None
    month = 1
    for word in _MONTH_WORD.findall(text):
        month = _DATE_WORDS.get(fold(word).rstrip("."), month)
    return int(year.group(1)) * 12 + month - 1


def total_years(ranges: list[DateRange], *, today: date) -> float | None:
    """Years covered by the ranges, overlaps merged; None when no range can be read."""
    intervals: list[tuple[int, int]] = []
    for date_range in ranges:
        start_text, end_text = date_range.start, "present" if date_range.ongoing else date_range.end
        start = month_index(start_text, today=today)
        end = month_index(end_text, today=today) if end_text else None
        if start is None or end is None or end < start:
            continue
        # Month ranges are inclusive ("Jan 2020 - Mar 2020" is three months); a bare year range is not
        # padded ("2019 - 2021" is two years).
        padding = 0 if _YEAR_ONLY.fullmatch(end_text.strip()) else 1
        intervals.append((start, end + padding))
    if not intervals:
        return None
    intervals.sort()
    covered = 0
    current_start, current_end = intervals[0]
    for start, end in intervals[1:]:
        if start <= current_end:
            current_end = max(current_end, end)
        else:
            covered += current_end - current_start
            current_start, current_end = start, end
    covered += current_end - current_start
    return round(covered / 12, 1)
