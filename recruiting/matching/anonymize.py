"""Anonymized review: the CV text a model (and a page) sees without identity cues.

Names become "Candidate #<id>"; email addresses, phone numbers, links, dates of birth, age,
gender, marital status, photo references, pronouns and titles ("Mr", "Ms") are removed, so the
assessment can only weigh job-relevant evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from recruiting.parsing.contact import EMAIL, URL

_PHONE: Final = re.compile(r"(?<![\w/.-])\+?\(?\d[\d ()./-]{6,}\d(?![\w/-])")
_PERSONAL_LINE: Final = re.compile(
    r"^.*\b(?:date of birth|birth ?date|born(?: on| in)?|d\.o\.b|dob|geburtsdatum|geboren|age|alter|gender|sex|"
    r"geschlecht|marital status|familienstand|nationality|staatsangehörigkeit|photo|picture|foto)\b\s*[:\-].*$",
    re.IGNORECASE | re.MULTILINE,
)
_AGE_PHRASE: Final = re.compile(r"\b\d{2}[ -]years?[ -]old\b|\baged \d{2}\b", re.IGNORECASE)
_HONORIFIC: Final = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Herr|Frau|Mme|Mlle)\b\.?\s*", re.IGNORECASE)
_PRONOUNS: Final = {
    "he": "they",
    "she": "they",
    "him": "them",
    "his": "their",
    "hers": "theirs",
    "himself": "themself",
    "herself": "themself",
}
_PRONOUN: Final = re.compile(r"\b(?:" + "|".join(_PRONOUNS) + r"|her)\b", re.IGNORECASE)
_GENDER_WORDS: Final = re.compile(
    r"\b(?:male|female|married|single|divorced|widowed|husband|wife|mother of|father of)\b", re.IGNORECASE
)
_PRONOUN_LABEL: Final = re.compile(r"\(?\b(?:he|she|they)\s*/\s*(?:him|her|them)(?:\s*/\s*\w+)?\)?", re.IGNORECASE)


def candidate_label(candidate_id: int | None) -> str:
    return f"Candidate #{candidate_id}" if candidate_id else "The candidate"


def anonymize_cv_text(text: str, *, candidate_id: int | None, names: Sequence[str] = ()) -> str:
    """`text` without identity or contact details; each of `names` (and its parts) becomes the label."""
    label = candidate_label(candidate_id)
    text = _PERSONAL_LINE.sub("", text)
    text = EMAIL.sub("[email removed]", text)
    text = URL.sub("[link removed]", text)
    text = _PHONE.sub("[phone removed]", text)
    text = _AGE_PHRASE.sub("", text)
    text = _PRONOUN_LABEL.sub("", text)
    text = _HONORIFIC.sub("", text)
    for name in sorted({name.strip() for name in names if name and name.strip()}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", label, text, flags=re.IGNORECASE)
        for part in name.split():
            if len(part) >= 3:  # initials would erase ordinary letters
                text = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", label, text, flags=re.IGNORECASE)
    text = re.sub(rf"{re.escape(label)}(?:[ \t]+{re.escape(label)})+", label, text)  # "Maria Lopez" -> one label
    text = _GENDER_WORDS.sub("", text)
    return _PRONOUN.sub(lambda match: _neutral_pronoun(match.group(0)), text)


def _neutral_pronoun(word: str) -> str:
    # "her" is object or possessive; "their" reads fine in both places a CV uses it.
    neutral = _PRONOUNS.get(word.casefold(), "their")
    return neutral.capitalize() if word[0].isupper() else neutral
