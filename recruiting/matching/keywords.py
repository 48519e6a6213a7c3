"""The deterministic keyword match between a job and a CV (the seeds' `compute_keyword_match`).

Skills are compared by their canonical name from the parsing vocabulary, so "postgres", "psql"
and "PostgreSQL" are one skill and case never matters. A job skill the vocabulary does not know
("Stakeholder management") still matches when the CV names it literally.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from recruiting.parsing.skills import canonical_skill, find_skills

# A skill the job merely mentions in its description counts for less than one it requires.
MENTIONED_SKILL_WEIGHT = 0.35


@dataclass(frozen=True)
class KeywordMatch:
    matched: list[str]
    missing: list[str]
    extra: list[str]
    score: int  # 0-100: weighted share of the job's skills the CV has
    required: list[str] = field(default_factory=list)  # the job's must-haves, canonical names


@dataclass(frozen=True)
class JobSkills:
    required: list[str]
    mentioned: list[str]  # named in the description only: nice to have

    @property
    def all(self) -> list[str]:
        return [*self.required, *self.mentioned]


def job_skills_from(*, skills: Sequence[str] = (), required_text: str = "", other_text: str = "") -> JobSkills:
    """The job's skills: listed skills and those named in the qualifications are required; those
    only named in the description or responsibilities are nice to have."""
    required = _unique([*find_skills(skills_lines=list(skills), full_text=""), *_skills_in(required_text)])
    folded = {name.casefold() for name in required}
    mentioned = [name for name in _unique(_skills_in(other_text)) if name.casefold() not in folded]
    return JobSkills(required=required, mentioned=mentioned)


def compute_keyword_match(
    *,
    job_skills: Sequence[str] = (),
    job_text: str = "",
    cv_text: str = "",
    cv_skills: Sequence[str] = (),
    job_required_text: str = "",
) -> KeywordMatch:
    """Matched, missing and extra skills with a 0-100 score.

    `job_skills` (and skills named in `job_required_text`) are must-haves; skills named only in
    `job_text` weigh `MENTIONED_SKILL_WEIGHT`. With no listed skills, every skill the job text names
    is required. `cv_skills` are parsed skills; skills named in `cv_text` count too.
    """
    wanted = job_skills_from(skills=job_skills, required_text=job_required_text, other_text=job_text)
    if not wanted.required:
        wanted = JobSkills(required=wanted.mentioned, mentioned=[])
    cv_has = _unique([*(canonical_skill(name) or name for name in cv_skills), *_skills_in(cv_text)])
    cv_folded = {name.casefold() for name in cv_has}
    folded_cv_text = cv_text.casefold()

    def has(skill: str) -> bool:
        return skill.casefold() in cv_folded or _named_literally(skill, folded_cv_text)

    matched = [skill for skill in wanted.all if has(skill)]
    missing = [skill for skill in wanted.all if not has(skill)]
    job_folded = {skill.casefold() for skill in wanted.all}
    extra = [skill for skill in cv_has if skill.casefold() not in job_folded]
    total = len(wanted.required) + MENTIONED_SKILL_WEIGHT * len(wanted.mentioned)
    earned = sum(1.0 for skill in wanted.required if has(skill)) + sum(
        MENTIONED_SKILL_WEIGHT for skill in wanted.mentioned if has(skill)
    )
    score = round(100 * earned / total) if total else 0
    return KeywordMatch(matched=matched, missing=missing, extra=extra, score=score, required=wanted.required)


def _skills_in(text: str) -> list[str]:
    return find_skills(skills_lines=[], full_text=text) if text.strip() else []


def _named_literally(skill: str, folded_text: str) -> bool:
    # Only for skills the vocabulary does not know; known ones were matched through synonyms.
    if canonical_skill(skill) or len(skill) < 3:
        return False
    return re.search(rf"(?<!\w){re.escape(skill.casefold())}(?!\w)", folded_text) is not None


def _unique(names: Sequence[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        if name and name.strip():
            seen.setdefault(name.strip().casefold(), name.strip())
    return list(seen.values())
