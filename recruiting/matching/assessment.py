"""The rule-based candidate assessment behind the `local` provider's match_candidate and
recruiter_lens answers.

It reads only the two texts the prompt carries (`job_text`, `cv_text`), so it judges exactly what a
model would see. The score blends, over the parts the job states:

- skills: the keyword match's weighted coverage (weight 0.50)
- title: how much of the job title the CV's own titles and headline carry (0.25)
- experience: years in the CV against "N+ years" in the job, when the job says (0.15)
- education: a degree in the CV, when the job asks for one (0.10)

CV lines that read as instructions to a model (`detect_injection`) are dropped before scoring
and reported as a warning: they can lower nothing and raise nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from recruiting.matching.keywords import KeywordMatch, compute_keyword_match
from recruiting.parsing import detect_injection, parse_cv_text
from recruiting.parsing.lexicon import DEGREE_PATTERN
from recruiting.parsing.vocabulary import SKILL_SYNONYMS

WEIGHTS: Final = {"skills": 0.50, "title": 0.25, "experience": 0.15, "education": 0.10}
INJECTION_WARNING = "Possible prompt injection: text aimed at an AI was ignored for scoring"
REMOVED_LINE = "[removed: text addressed to an AI]"
_QUOTE_CHARS = 160
_JOB_HEADINGS: Final = ("Title", "Location", "Required skills", "Qualifications", "Responsibilities", "Description")
_YEARS_REQUIRED: Final = re.compile(
    r"(\d{1,2})\s*\+?\s*(?:\+|or more|plus)?\s*(?:years?|yrs?)(?:'|\u2019)?\s+(?:of\s+)?(?:\w+\s+){0,4}?(?:experience|in\b)",
    re.IGNORECASE,
)
_DEGREE_REQUIRED: Final = re.compile(
    r"\b(?:degree|bachelor'?s?|master'?s?|b\.?sc|m\.?sc|ph\.?d|diploma|university|licen[cs]ed?|registered nurse|"
    r"qualification in|cpa|acca)\b",
    re.IGNORECASE,
)
_TITLE_NOISE: Final = frozenset(
    [
        "senior",
        "junior",
        "lead",
        "principal",
        "staff",
        "head",
        "chief",
        "sr",
        "jr",
        "mid",
        "level",
        "i",
        "ii",
        "iii",
        "iv",
        "of",
        "and",
        "the",
        "for",
        "in",
        "at",
        "with",
        "m",
        "f",
        "d",
        "w",
        "x",
        "remote",
        "hybrid",
        "full",
        "time",
        "part",
    ]
)
_WORD: Final = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class JobPosting:
    title: str
    skills: list[str]
    required_text: str  # qualifications: skills named here are must-haves
    other_text: str  # description and responsibilities


@dataclass(frozen=True)
class Assessment:
    score: int
    keywords: KeywordMatch
    parts: dict[str, float]  # component -> 0..1, only the components the job states
    years: float | None
    years_required: int | None
    quotes: list[tuple[str, str]] = field(default_factory=list)  # (skill, CV line)
    title_evidence: str = ""
    warnings: list[str] = field(default_factory=list)
    injected: bool = False


def job_prompt_text(
    *,
    title: str,
    skills: list[str],
    qualifications: list[str],
    responsibilities: list[str],
    description: str,
    location: str = "",
) -> str:
    """The job as the prompt carries it: labelled parts that the rule-based side reads back."""
    parts = [f"Title: {title}"]
    if location:
        parts.append(f"Location: {location}")
    parts.append(f"Required skills: {', '.join(skills)}")
    parts.append("Qualifications:\n" + "\n".join(f"- {item}" for item in qualifications))
    parts.append("Responsibilities:\n" + "\n".join(f"- {item}" for item in responsibilities))
    parts.append(f"Description:\n{description}")
    return "\n".join(parts)


def parse_job_text(text: str) -> JobPosting:
    """Reads `job_prompt_text` back; any other text is a title line followed by a description."""
    pattern = re.compile(rf"^({'|'.join(_JOB_HEADINGS)}):[ \t]*", re.MULTILINE)
    pieces = pattern.split(text)
    if len(pieces) < 3:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return JobPosting(title=lines[0] if lines else "", skills=[], required_text="", other_text=text)
    by_heading = {pieces[i]: pieces[i + 1].strip() for i in range(1, len(pieces) - 1, 2)}
    skills = [item.strip() for item in by_heading.get("Required skills", "").split(",") if item.strip()]
    return JobPosting(
        title=by_heading.get("Title", ""),
        skills=skills,
        required_text=by_heading.get("Qualifications", ""),
        other_text=by_heading.get("Responsibilities", "") + "\n" + by_heading.get("Description", ""),
    )


def strip_injected_lines(cv_text: str) -> tuple[str, list[str]]:
    """The CV without the lines that address a model, and what was found in them."""
    kept: list[str] = []
    findings: list[str] = []
    for line in cv_text.splitlines():
        found = detect_injection(line)
        if found:
            findings.extend(found)
            kept.append(REMOVED_LINE)
        else:
            kept.append(line)
    cleaned = "\n".join(kept)
    # An instruction wrapped over several lines: report it; its lines are ordinary text to the scorer.
    if not findings:
        findings = detect_injection(cv_text)
    return cleaned, findings


def assess(*, job_text: str, cv_text: str) -> Assessment:
    job = parse_job_text(job_text)
    cleaned, findings = strip_injected_lines(cv_text)
    profile = parse_cv_text(cleaned)
    keywords = compute_keyword_match(
        job_skills=job.skills,
        job_required_text=job.required_text,
        job_text=job.other_text,
        cv_text=cleaned,
        cv_skills=profile.get("skills") or [],
    )
    parts: dict[str, float] = {"skills": keywords.score / 100}
    title_share, title_evidence = _title_similarity(job.title, profile, cleaned)
    if job.title:
        parts["title"] = title_share
    years = profile.get("total_years_experience")
    years_required = _years_required(job.required_text + "\n" + job.other_text)
    if years_required:
        parts["experience"] = min(1.0, (years or 0.0) / years_required)
    if _DEGREE_REQUIRED.search(job.required_text):
        parts["education"] = 1.0 if profile.get("education") or DEGREE_PATTERN.search(cleaned) else 0.0
    weight = sum(WEIGHTS[name] for name in parts)
    score = round(100 * sum(WEIGHTS[name] * value for name, value in parts.items()) / weight)
    warnings = _warnings(keywords, years, years_required, parts)
    if findings:
        warnings.insert(0, f"{INJECTION_WARNING} ({len(findings)} passage(s)).")
    return Assessment(
        score=max(0, min(100, score)),
        keywords=keywords,
        parts=parts,
        years=years,
        years_required=years_required,
        quotes=_quotes(keywords.matched, cleaned),
        title_evidence=title_evidence,
        warnings=warnings,
        injected=bool(findings),
    )


def _years_required(text: str) -> int | None:
    found = [int(match.group(1)) for match in _YEARS_REQUIRED.finditer(text)]
    found = [years for years in found if 0 < years <= 25]
    return max(found) if found else None


def _title_words(text: str) -> set[str]:
    return {word for word in _WORD.findall(text.casefold()) if word not in _TITLE_NOISE and len(word) > 1}


def _same_word(a: str, b: str) -> bool:
    # "nurse"/"nursing", "engineer"/"engineering", "accountant"/"accounting": a shared stem.
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return a == b or common >= max(4, min(len(a), len(b)) - 2)


def _title_similarity(job_title: str, profile: dict[str, Any], cv_text: str) -> tuple[float, str]:
    wanted = _title_words(job_title)
    if not wanted:
        return 0.0, ""
    lines = [line.strip() for line in cv_text.splitlines() if line.strip()]
    # The CV's own titles: its headline (the first lines) and the titles of its jobs.
    candidates = [*lines[:3], *(str(entry.get("title", "")) for entry in profile.get("experience") or [])]
    best, evidence = 0.0, ""
    for line in candidates:
        words = _title_words(line)
        share = sum(1 for w in wanted if any(_same_word(w, v) for v in words)) / len(wanted)
        if share > best:
            best, evidence = share, line
    return best, evidence


def _quotes(matched: list[str], cv_text: str) -> list[tuple[str, str]]:
    spellings: dict[str, list[str]] = {}
    for synonym, canonical in SKILL_SYNONYMS.items():
        spellings.setdefault(canonical.casefold(), []).append(synonym)
    lines = [line.strip() for line in cv_text.splitlines() if line.strip() and line.strip() != REMOVED_LINE]
    quotes: list[tuple[str, str]] = []
    used: set[str] = set()
    for skill in matched:
        names = spellings.get(skill.casefold(), [skill.casefold()])
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE)
        # Prefer a sentence of experience over a bare skills list.
        hits = [line for line in lines if pattern.search(line)]
        hits.sort(key=lambda line: (line in used, -min(len(line.split()), 12)))
        if hits:
            used.add(hits[0])
            quotes.append((skill, hits[0][:_QUOTE_CHARS]))
    return quotes


def _warnings(
    keywords: KeywordMatch, years: float | None, years_required: int | None, parts: dict[str, float]
) -> list[str]:
    warnings: list[str] = []
    missing_required = [skill for skill in keywords.missing if skill in keywords.required]
    if missing_required:
        warnings.append("Missing must-have skills: " + ", ".join(missing_required[:8]) + ".")
    if years_required and (years or 0) < years_required:
        warnings.append(f"The job asks for {years_required}+ years; the CV shows about {years or 0:g}.")
    if parts.get("education") == 0.0:
        warnings.append("The job asks for a degree or licence; the CV names none.")
    if parts.get("title", 1.0) < 0.5:
        warnings.append("None of the CV's job titles resemble this role.")
    return warnings
