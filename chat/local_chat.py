"""The `local` provider's resume_chat answer: extractive and rule-based.

Finds the CV section(s) most relevant to the question (topic words for the usual sections, plus
the question's own words), answers with their matching lines and cites the section, or says
"The CV does not say." Only the CV in the prompt is read: it knows nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chat.prompting import SECTION_MARKER_PATTERN, terms
from llm.local import LocalRequest

DOES_NOT_SAY = "The CV does not say."
MAX_LINES = 6
# Question words that point at a kind of section, keyed by words found in section headings.
TOPICS: dict[str, frozenset[str]] = {
    "experience": frozenset(
        [
            "work",
            "worked",
            "job",
            "role",
            "position",
            "employer",
            "company",
            "experience",
            "career",
            "recent",
            "current",
            "previous",
            "last",
            "responsibilitie",
            "achievement",
            "project",
            "year",
        ]
    ),
    "employment": frozenset(["work", "worked", "job", "role", "position", "employer", "company", "career"]),
    "education": frozenset(
        [
            "study",
            "studied",
            "degree",
            "university",
            "school",
            "education",
            "graduate",
            "diploma",
            "bachelor",
            "master",
            "phd",
            "college",
        ]
    ),
    "skill": frozenset(
        ["skill", "technology", "tool", "stack", "programming", "know", "framework", "expertise", "tech"]
    ),
    "language": frozenset(
        ["language", "speak", "spoken", "fluent", "native", "english", "german", "french", "spanish", "dutch"]
    ),
    "certification": frozenset(["certification", "certificate", "certified", "license", "course"]),
    "summary": frozenset(["summary", "profile", "about", "overview", "who", "background"]),
    "contact": frozenset(["email", "phone", "contact", "live", "based", "location", "address", "reach", "linkedin"]),
}
_OTHER_PEOPLE = re.compile(
    r"\b(other|all|every|another|different)\s+(candidates?|applicants?|people|persons?|cvs?|resumes?|profiles?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Section:
    heading: str
    lines: list[str]


def _sections(cv_text: str) -> list[_Section]:
    sections: list[_Section] = []
    for line in cv_text.splitlines():
        marker = SECTION_MARKER_PATTERN.match(line.strip())
        if marker:
            sections.append(_Section(marker.group("heading"), []))
        elif sections and line.strip():
            sections[-1].lines.append(line.strip())
    return sections


def _topic_score(heading: str, wanted: set[str]) -> int:
    folded = heading.lower()
    return sum(len(wanted & words) for topic, words in TOPICS.items() if topic in folded)


def _matching_lines(section: _Section, wanted: set[str]) -> list[str]:
    return [line for line in section.lines if wanted & terms(line)]


def answer_about_cv(question: str, cv_text: str) -> str:
    if _OTHER_PEOPLE.search(question):
        return f"I can only answer about this candidate's CV. {DOES_NOT_SAY}"
    wanted = terms(question)
    scored = []
    for section in _sections(cv_text):
        lines = _matching_lines(section, wanted)
        topic = _topic_score(section.heading, wanted)
        score = topic * 2 + len(lines) + len(wanted & terms(section.heading)) * 2
        if score:
            scored.append((score, section, lines or section.lines))
    if not scored:
        return DOES_NOT_SAY
    scored.sort(key=lambda item: -item[0])
    best_score = scored[0][0]
    chosen = [(section, lines) for score, section, lines in scored[:2] if score * 2 >= best_score]
    body = []
    for section, lines in chosen:
        body.append(f"From the {section.heading} section:")
        body.extend(f"- {line}" for line in lines[:MAX_LINES])
    sources = ", ".join(section.heading for section, _ in chosen)
    return "\n".join(body) + f"\n\n(Source: {sources})"


def resume_chat_locally(request: LocalRequest) -> str:
    return answer_about_cv(str(request.context.get("question", "")), str(request.context.get("cv_text", "")))
