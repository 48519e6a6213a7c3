# ruff: noqa: RUF001 - CV text really contains typographic dashes, quotes and accented letters
"""Name, email, phone, links and location from the top of a CV."""

from __future__ import annotations

import re
from typing import Final

from .dates import DATE_RANGE
from .lexicon import CITIES, COUNTRIES, EMPLOYER_MARKERS, INSTITUTION_WORDS, TITLE_WORDS, US_STATES
from .sections import DOCUMENT_TITLES, fold, heading_key

EMAIL: Final = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![\w])"
)
# International phone numbers: "+49 (0)30 1234567", "(555) 123-4567", "06 12 34 56 78", "+44 7700 900123".
_PHONE_CANDIDATE: Final = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().\-/]{5,22}\d(?![\w])")
_PHONE_LABEL: Final = re.compile(
    r"\b(?:phone|tel|tel\.|telephone|telefon|telefono|teléfono|téléphone|mobile|mobil|mob|cell|handy|"
    r"portable|movil|móvil|gsm|telefoonnummer|telefoon|whatsapp|contact)\b|(?:^|\s)[TMP]\s?:",
    re.IGNORECASE,
)
URL: Final = re.compile(
    r"(?<![@\w])(?:https?://|www\.)[^\s,;|<>()\"']+|(?<![@\w.])(?:[a-z0-9-]+\.)*(?:linkedin\.com|github\.com|"
    r"gitlab\.com|behance\.net|dribbble\.com|stackoverflow\.com|medium\.com|xing\.com|twitter\.com|x\.com|"
    r"kaggle\.com)/[^\s,;|<>()\"']*",
    re.IGNORECASE,
)
_LOCATION_LABEL: Final = re.compile(
    r"^\s*(?:address|location|based in|residence|city|adresse|anschrift|wohnort|standort|domicile|"
    r"direcci[oó]n|ubicaci[oó]n|residencia|adres|woonplaats|locatie|indirizzo)\s*[:\-]\s*(?P<value>.+)$",
    re.IGNORECASE,
)
_NAME_LABEL: Final = re.compile(r"^\s*(?:name|full name|nom|nombre|naam|vor- und nachname)\s*:\s*(?P<value>.+)$", re.I)
_NAME_WORD: Final = re.compile(r"^(?:[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿ'’\-]*\.?|[A-Z]\.)$")
_NAME_PARTICLES: Final = frozenset(
    {
        "van",
        "von",
        "de",
        "der",
        "den",
        "da",
        "del",
        "della",
        "di",
        "du",
        "la",
        "le",
        "ten",
        "ter",
        "bin",
        "al",
        "el",
        "dos",
        "das",
        "y",
        "zu",
        "vom",
        "st.",
    }
)
_FIELD_SEPARATORS: Final = re.compile(r"\s*(?:\||•|·|⋅|\u25cf|\u2022|;|\t| {3,}| — | – | - )\s*")
_POSTCODE_CITY: Final = re.compile(r"\b\d{4,5}\s+(?P<city>[A-ZÀ-Þ][\wÀ-ÿ\-]+(?:\s[A-ZÀ-Þ][\wÀ-ÿ\-]+)?)")
_HEADER_LINES = 12


def find_email(text: str) -> str:
    match = EMAIL.search(text)
    return match.group(0) if match else ""


def find_phone(lines: list[str]) -> str:
    """The first phone-like number, preferring labelled lines and the header; dates are not phones."""
    best: tuple[int, int, str] | None = None
    for index, line in enumerate(lines):
        labelled = bool(_PHONE_LABEL.search(line))
        for match in _PHONE_CANDIDATE.finditer(line):
            candidate = match.group(0).strip(" -/.")
            if not _plausible_phone(candidate, line, match.start()):
                continue
            score = (2 if labelled else 0) + (1 if candidate.startswith(("+", "00", "(")) else 0)
            score += 1 if index < _HEADER_LINES else 0
            if score == 0:
                continue
            rank = (-score, index, candidate)
            if best is None or rank < best:
                best = rank
    return best[2] if best else ""


def _plausible_phone(candidate: str, line: str, position: int) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if not 7 <= len(digits) <= 15:
        return False
    if candidate.count("(") != candidate.count(")") and not re.search(r"\(0\)", candidate):
        candidate = candidate.strip("()")
    # Date ranges and single dates ("2019 - 2021", "03/2018 - 02/2020", "12.03.1990") are not numbers.
    if DATE_RANGE.fullmatch(candidate) or re.fullmatch(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}", candidate):
        return False
    if re.fullmatch(r"(?:19|20)\d\d\s*[-–/]\s*(?:19|20)\d\d", candidate):
        return False
    return "@" not in line[max(0, position - 1) : position]


def find_links(text: str) -> list[str]:
    links: list[str] = []
    for match in URL.finditer(text):
        link = match.group(0).rstrip(".,;:)")
        if link.lower() not in (existing.lower() for existing in links):
            links.append(link)
    return links


def find_name(lines: list[str]) -> str:
    """The person's name: a labelled "Name:" line, else the first name-shaped line at the top."""
    for line in lines[: _HEADER_LINES * 2]:
        labelled = _NAME_LABEL.match(line)
        if labelled:
            return _tidy_name(labelled.group("value"))
    for line in lines[:_HEADER_LINES]:
        stripped = line.strip()
        if not stripped or fold(stripped.strip(" :-")) in DOCUMENT_TITLES or heading_key(stripped):
            continue
        for part in _FIELD_SEPARATORS.split(stripped):
            name = _name_from(part)
            if name:
                return name
    return ""


def _name_from(part: str) -> str:
    part = part.strip(" ,:")
    if not part or EMAIL.search(part) or URL.search(part) or any(character.isdigit() for character in part):
        return ""
    if fold(part) in DOCUMENT_TITLES:
        return ""
    surname_first = re.fullmatch(
        r"([A-ZÀ-Þ][A-ZÀ-Þ'\-]+(?:\s[A-ZÀ-Þ][A-ZÀ-Þ'\-]+)?),\s*([A-ZÀ-Þ][\wÀ-ÿ'\-]+(?:\s[A-ZÀ-Þ][\wÀ-ÿ'\-]+)?)", part
    )
    if surname_first:  # "MÜLLER, Anna" -> "Anna Müller"
        return _tidy_name(f"{surname_first.group(2)} {surname_first.group(1)}")
    words = part.split()
    if not 2 <= len(words) <= 5:
        return ""
    capitalised = [word for word in words if word.lower() not in _NAME_PARTICLES]
    if not 2 <= len(capitalised) <= 4 or not all(_NAME_WORD.match(word) for word in capitalised):
        return ""
    folded_words = {fold(word).strip(".,") for word in words}
    if folded_words & (TITLE_WORDS | EMPLOYER_MARKERS | INSTITUTION_WORDS) or looks_like_location(part):
        return ""
    return _tidy_name(part)


def _tidy_name(name: str) -> str:
    """Collapse spaces and soften capitals: "MÜLLER" -> "Müller", "VAN DEN BERG" -> "van den Berg"."""
    words = name.split()
    tidy: list[str] = []
    for position, word in enumerate(words):
        if word.isupper() and len(word) > 1:
            word = "-".join(part.capitalize() for part in word.split("-"))
            if position > 0 and word.lower() in _NAME_PARTICLES:
                word = word.lower()
        tidy.append(word)
    return " ".join(tidy).strip(" ,")


def looks_like_location(text: str) -> bool:
    """ "Berlin, Germany", "Austin, TX", "Remote", "75001 Paris"."""
    parts = [fold(part).strip(" .()") for part in re.split(r"[,/]", text) if part.strip()]
    if not parts or len(parts) > 4 or len(text) > 60:
        return False
    last = parts[-1]
    if last in COUNTRIES or last in CITIES or (len(parts) > 1 and last in US_STATES):
        return True
    return bool(_POSTCODE_CITY.search(text)) and len(text.split()) <= 5


def find_location(lines: list[str]) -> str:
    for line in lines[: _HEADER_LINES * 2]:
        labelled = _LOCATION_LABEL.match(line)
        if labelled:
            return labelled.group("value").strip()
    for line in lines[:_HEADER_LINES]:
        for part in _FIELD_SEPARATORS.split(line.strip()):
            part = part.strip()
            if part and not EMAIL.search(part) and looks_like_location(part) and not _PHONE_LABEL.search(part):
                return _strip_street(part)
    return ""


def _strip_street(location: str) -> str:
    # "Hauptstraße 5, 10115 Berlin" -> "10115 Berlin": the street is personal data we do not need.
    parts = [part.strip() for part in location.split(",")]
    if len(parts) > 1 and re.search(r"\d", parts[0]) and not re.match(r"^\d{4,5}\s", parts[0]):
        return ", ".join(parts[1:])
    return location
