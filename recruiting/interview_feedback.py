"""Interview feedback, rule-based: the `local` provider's answer for `generate_interview_feedback`,
and how a structured answer becomes the text of the interview's feedback field.

The handler only reports what the notes say. Each note sentence is read as a strength, a concern
or an observation (a small sentiment lexicon with negation), related to the job's skills and to
what the CV lists; notes that judge protected traits, or judge without any evidence, become
warnings; the recommendation follows the balance of strengths and concerns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from llm.local import LocalRequest, conform_to_schema
from recruiting.matching.assessment import parse_job_text
from recruiting.parsing.skills import canonical_skill, find_skills

POSITIVE: Final = frozenset(
    [
        "strong",
        "excellent",
        "clear",
        "clearly",
        "solid",
        "impressive",
        "good",
        "great",
        "confident",
        "well",
        "thorough",
        "solved",
        "structured",
        "deep",
        "experienced",
        "fluent",
        "convincing",
        "sharp",
        "quick",
        "pragmatic",
        "insightful",
        "precise",
        "enthusiastic",
        "motivated",
        "collaborative",
        "proactive",
        "outstanding",
        "competent",
        "capable",
        "knowledgeable",
    ]
)
NEGATIVE: Final = frozenset(
    [
        "weak",
        "struggled",
        "struggle",
        "unclear",
        "lacked",
        "lacks",
        "lacking",
        "poor",
        "vague",
        "missed",
        "hesitant",
        "unable",
        "limited",
        "concern",
        "concerned",
        "concerning",
        "confused",
        "wrong",
        "slow",
        "shallow",
        "superficial",
        "incorrect",
        "failed",
        "fails",
        "difficulty",
        "inconsistent",
        "rude",
        "arrogant",
        "unprepared",
    ]
)
NEGATIONS: Final = frozenset(
    ["not", "no", "never", "didn't", "doesn't", "couldn't", "wasn't", "isn't", "cannot", "can't", "hardly", "without"]
)
# A judgment backed by something concrete: a named skill, a number, or a reported action.
EVIDENCE_WORDS: Final = frozenset(
    [
        "example",
        "built",
        "designed",
        "explained",
        "described",
        "walked",
        "showed",
        "wrote",
        "implemented",
        "migrated",
        "led",
        "answered",
        "asked",
        "solved",
        "debugged",
        "shipped",
        "because",
        "when",
        "project",
        "task",
        "exercise",
        "question",
        "code",
    ]
)
PROTECTED_TRAITS: Final[dict[str, re.Pattern[str]]] = {
    "age": re.compile(r"\b(too old|too young|young|age|aged|elderly|years old|retire\w*)\b", re.I),
    "gender": re.compile(r"\b(woman|women|man's|female|male|gender|girl|guy)\b", re.I),
    "family": re.compile(
        r"\b(pregnan\w*|kids|children|married|family plans|maternity|paternity|mother|father)\b", re.I
    ),
    "origin": re.compile(r"\b(accent|foreign\w*|nationality|ethnic\w*|race|immigrant|native speaker)\b", re.I),
    "religion": re.compile(r"\b(religio\w*|church|mosque|synagogue|hijab|muslim|christian|jewish|hindu)\b", re.I),
    "health": re.compile(r"\b(disab\w*|illness|sick|health|wheelchair|pregnant|mental)\b", re.I),
    "appearance": re.compile(r"\b(attractive|pretty|ugly|overweight|fat|looks|appearance|tattoo\w*)\b", re.I),
}
MIN_NOTE_WORDS: Final = 12
_SENTENCE: Final = re.compile(r"(?<=[.!?;])\s+|\n+")
_WORD: Final = re.compile(r"[a-z][a-z']*")
RECOMMENDATION_LABELS: Final = {"strong_yes": "Strong yes", "yes": "Yes", "no": "No", "strong_no": "Strong no"}


@dataclass
class NotesReading:
    strengths: list[str] = field(default_factory=list)
    concerns: list[str] = field(default_factory=list)
    observations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skills_confirmed: list[str] = field(default_factory=list)
    skills_doubted: list[str] = field(default_factory=list)


def note_sentences(notes: str) -> list[str]:
    return [s.strip(" -•*\t") for s in _SENTENCE.split(notes) if len(s.strip(" -•*\t")) > 2]


def sentence_tone(sentence: str) -> int:
    """+1 for each positive word, -1 for each negative one; a negation just before flips the word."""
    words = _WORD.findall(sentence.lower())
    tone = 0
    for index, word in enumerate(words):
        sign = 1 if word in POSITIVE else -1 if word in NEGATIVE else 0
        if sign and any(w in NEGATIONS for w in words[max(0, index - 3) : index]):
            sign = -sign
        tone += sign
    return tone


def _skills_named(sentence: str, job_skills: list[str]) -> list[str]:
    folded = sentence.casefold()
    named = {s.casefold() for s in find_skills(skills_lines=[], full_text=sentence)}
    return [
        skill
        for skill in job_skills
        if (canonical_skill(skill) or skill).casefold() in named or skill.casefold() in folded
    ]


def _has_evidence(sentence: str, skills: list[str]) -> bool:
    words = set(_WORD.findall(sentence.lower()))
    return bool(skills) or bool(words & EVIDENCE_WORDS) or any(ch.isdigit() for ch in sentence)


def read_notes(*, notes: str, job_skills: list[str], cv_text: str) -> NotesReading:
    reading = NotesReading()
    cv_skills = {s.casefold() for s in find_skills(skills_lines=[], full_text=cv_text)}
    cv_folded = cv_text.casefold()
    for sentence in note_sentences(notes):
        traits = [trait for trait, pattern in PROTECTED_TRAITS.items() if pattern.search(sentence)]
        if traits:
            reading.warnings.append(
                f"The notes comment on {', '.join(traits)} (“{sentence}”): protected traits must not "
                "count in the decision; this sentence was left out."
            )
            continue
        skills = _skills_named(sentence, job_skills)
        tone = sentence_tone(sentence)
        if tone and not _has_evidence(sentence, skills):
            reading.warnings.append(f"“{sentence}” is a judgment without evidence: add what the candidate said or did.")
        relation = _relation(skills, cv_skills, cv_folded)
        if tone > 0:
            reading.strengths.append(sentence + relation)
            reading.skills_confirmed.extend(s for s in skills if s not in reading.skills_confirmed)
        elif tone < 0:
            reading.concerns.append(sentence + relation)
            reading.skills_doubted.extend(s for s in skills if s not in reading.skills_doubted)
        else:
            reading.observations.append(sentence + relation)
    return reading


def _relation(skills: list[str], cv_skills: set[str], cv_folded: str) -> str:
    if not skills:
        return ""
    on_cv = [s for s in skills if (canonical_skill(s) or s).casefold() in cv_skills or s.casefold() in cv_folded]
    parts = [f"job skill: {', '.join(skills)}"]
    if on_cv:
        parts.append(f"also on the CV: {', '.join(on_cv)}")
    missing = [s for s in skills if s not in on_cv]
    if missing:
        parts.append(f"not on the CV: {', '.join(missing)}")
    return f" ({'; '.join(parts)})"


def recommendation_for(reading: NotesReading) -> str:
    strengths, concerns = len(reading.strengths), len(reading.concerns)
    if strengths >= 3 and concerns == 0:
        return "strong_yes"
    if concerns >= 3 and strengths == 0:
        return "strong_no"
    # A tie, or no judgment at all, has not shown the bar was met.
    return "yes" if strengths > concerns else "no"


def interview_feedback_locally(request: LocalRequest) -> dict[str, Any]:
    context = request.context
    notes = str(context.get("notes") or "")
    cv_text = str(context.get("cv_text") or "")
    job = parse_job_text(str(context.get("job_text") or ""))
    job_title = str(context.get("job_title") or job.title or "the job")
    candidate = str(context.get("candidate_name") or "The candidate")
    job_skills = job.skills or find_skills(skills_lines=[], full_text=job.required_text + "\n" + job.other_text)
    reading = read_notes(notes=notes, job_skills=job_skills, cv_text=cv_text)
    warnings = list(reading.warnings)
    # Sentences left out for judging protected traits are no evidence either.
    if sum(len(s.split()) for s in reading.strengths + reading.concerns + reading.observations) < MIN_NOTE_WORDS:
        warnings.append("The notes are too short to support a recommendation: add what was asked and answered.")
    recommendation = recommendation_for(reading)
    untested = [s for s in job_skills if s not in reading.skills_confirmed and s not in reading.skills_doubted]
    next_actions = [f"Follow up on: {concern}" for concern in reading.concerns[:3]]
    if untested:
        next_actions.append(f"Not covered in this interview: {', '.join(untested[:6])}.")
    summary = (
        f"{len(reading.strengths)} strength(s) and {len(reading.concerns)} concern(s) in the notes; "
        f"recommendation: {RECOMMENDATION_LABELS[recommendation]}."
    )
    draft = {
        "title": f"Interview feedback: {candidate} for {job_title}",
        "summary": summary,
        "content": _markdown(reading, summary=summary, untested=untested),
        "bullets": [f"Strength: {s}" for s in reading.strengths] + [f"Concern: {c}" for c in reading.concerns],
        "warnings": warnings,
        "keywords_added": reading.skills_confirmed,
        "next_actions": next_actions,
        "recommendation": recommendation,
    }
    if request.output_schema is None:
        return draft
    return dict(conform_to_schema(request.output_schema, draft))


def _markdown(reading: NotesReading, *, summary: str, untested: list[str]) -> str:
    sections = [summary]
    for heading, items in (
        ("Strengths", reading.strengths),
        ("Concerns", reading.concerns),
        ("Other observations", reading.observations),
    ):
        if items:
            sections.append(f"**{heading}**\n" + "\n".join(f"- {item}" for item in items))
    if untested:
        sections.append(f"**Job skills not covered**\n{', '.join(untested)}")
    return "\n\n".join(sections)


def feedback_text(output: dict[str, Any]) -> str:
    """The editable feedback an answer turns into: the write-up, then the warnings to weigh."""
    parts = [str(output.get("content") or output.get("summary") or "").strip()]
    warnings = [str(w) for w in output.get("warnings") or [] if str(w).strip()]
    if warnings:
        parts.append("**Warnings**\n" + "\n".join(f"- {w}" for w in warnings))
    return "\n\n".join(part for part in parts if part)
