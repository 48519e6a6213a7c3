"""generate_job_metadata: the prompt's context, the form fields a posting fills, and the
rule-based draft the `local` provider answers with (templated from the title, the notes and the
department's technologies; it never claims benefits the notes do not state)."""

from __future__ import annotations

import re
from typing import Any

from llm.local import LocalRequest, conform_to_schema
from recruiting.drafting.text import sentence_case, sentences, split_list, unique
from recruiting.models import Company, Department
from recruiting.parsing.skills import find_skills

FEATURE = "generate_job_metadata"
# Posting member -> job form field; the order is the order the form fills in.
FORM_FIELDS = {
    "content": "description",
    "responsibilities": "responsibilities",
    "qualifications": "qualifications",
    "skills": "skills",
    "benefits": "benefits",
}
RULE_BASED_WARNING = "Rule-based draft: templated from the title, notes and department, without a language model."

_SENIORITY = re.compile(r"\b(intern|junior|mid|senior|staff|principal|lead|head of)\b", re.IGNORECASE)
_YEARS = re.compile(r"(\d{1,2})\s*\+?\s*(?:years?|yrs?)", re.IGNORECASE)
_BENEFIT_WORDS = re.compile(
    r"\b(remote|hybrid|vacation|holidays?|pto|equity|stock|options|salary|bonus|pension|401k|health|insurance|"
    r"learning budget|training|parental|flexible|relocation|visa|gym|wellbeing|laptop)\b",
    re.IGNORECASE,
)
_QUALIFICATION_WORDS = re.compile(
    r"\b(years?|experience|degree|fluent|english|german|knowledge|background|certified|must|should have)\b",
    re.IGNORECASE,
)
# Phrases that tend to exclude people for reasons unrelated to the job.
_EXCLUDING_PHRASES = re.compile(
    r"\b(young|digital native|native speaker|recent graduate|energetic|guys?|he will|she will|"
    r"under \d\d|max(?:imum)? age|culture fit)\b",
    re.IGNORECASE,
)


def job_draft_context(
    *, company: Company, title: str, notes: str = "", location: str = "", department: Department | None = None
) -> dict[str, str]:
    """The template variables of generate_job_metadata v2 (every value is text)."""
    return {
        "title": title,
        "notes": notes,
        "location": location,
        "department": department.name if department else "",
        "department_description": department.description if department else "",
        "department_technologies": ", ".join(department.technologies) if department else "",
        "company": company.name,
        "company_profile": company_profile_text(company),
    }


def company_profile_text(company: Company) -> str:
    lines = [
        f"Mission: {company.mission}" if company.mission else "",
        f"Values: {', '.join(company.values)}" if company.values else "",
        f"Industry: {company.industry}" if company.industry else "",
        f"Size: {company.size} employees" if company.size else "",
    ]
    return "\n".join(line for line in lines if line)


def form_values(posting: dict[str, Any]) -> dict[str, Any]:
    """The job form's values in a (possibly partial) posting, by form field name."""
    return {field: posting[member] for member, field in FORM_FIELDS.items() if member in posting}


def draft_job_posting_locally(request: LocalRequest) -> dict[str, Any]:
    context = {name: str(value or "") for name, value in request.context.items()}
    title = context.get("title", "").strip() or "New role"
    notes = context.get("notes", "")
    department = context.get("department", "").strip()
    note_lines = sentences(notes)
    noted_skills = find_skills(skills_lines=[], full_text=f"{title}\n{notes}")
    department_skills = split_list(context.get("department_technologies", ""))
    skills = unique([*noted_skills, *department_skills])
    added = [skill for skill in department_skills if skill.casefold() not in {s.casefold() for s in noted_skills}]

    benefits = [sentence_case(line) for line in note_lines if _BENEFIT_WORDS.search(line)]
    qualifications = _qualifications(title, note_lines, noted_skills or skills)
    responsibilities = _responsibilities(title, department, note_lines, benefits, qualifications, skills)
    warnings = [RULE_BASED_WARNING]
    if not benefits:
        warnings.append("The notes name no benefits: add the ones you offer.")
    warnings += [f"Check the wording: {match!r} can exclude candidates." for match in _excluding_phrases(notes)]

    draft = {
        "title": sentence_case(title),
        "summary": _summary(title, department, context.get("company", ""), context.get("location", "")),
        "content": _description(title, department, context, note_lines),
        "responsibilities": responsibilities,
        "qualifications": qualifications,
        "skills": skills,
        "benefits": benefits,
        "bullets": (qualifications + skills)[:5],
        "warnings": warnings,
        "keywords_added": added,
        "next_actions": ["Review every field, then save the job."],
    }
    return conform_to_schema(request.output_schema or {}, draft) if request.output_schema else draft


def _summary(title: str, department: str, company: str, location: str) -> str:
    team = f" in the {department} team" if department else ""
    at = f" at {company}" if company else ""
    where = f" ({location})" if location else ""
    return f"{sentence_case(title)}{team}{at}{where}."


def _description(title: str, department: str, context: dict[str, str], note_lines: list[str]) -> str:
    company = context.get("company", "").strip() or "We"
    hiring = "are" if company == "We" else "is"
    team = f" for the {department} team" if department else ""
    location = context.get("location", "").strip()
    where = f" in {location}" if location else ""
    paragraphs = [f"{company} {hiring} hiring a {title}{team}{where}."]
    mission = re.search(r"^Mission: (.+)$", context.get("company_profile", ""), re.MULTILINE)
    if mission:
        paragraphs.append(mission.group(1).strip())
    if context.get("department_description", "").strip():
        paragraphs.append(context["department_description"].strip())
    about_role = [line for line in note_lines if not _BENEFIT_WORDS.search(line) and _usable(line)][:3]
    if about_role:
        paragraphs.append(" ".join(sentence_case(line) + "." for line in about_role))
    return "\n\n".join(paragraphs)


def _qualifications(title: str, note_lines: list[str], skills: list[str]) -> list[str]:
    found = [sentence_case(line) for line in note_lines if _QUALIFICATION_WORDS.search(line) and _usable(line)]
    if not any(_YEARS.search(line) for line in found):
        years = {"senior": 5, "staff": 7, "principal": 8, "lead": 6, "head of": 8, "junior": 0, "intern": 0}.get(
            _seniority(title), 3
        )
        if years:
            found.append(f"{years}+ years of experience in a similar role")
    if skills:
        found.append(f"Hands-on experience with {', '.join(skills[:4])}")
    return unique(found)


def _responsibilities(
    title: str,
    department: str,
    note_lines: list[str],
    benefits: list[str],
    qualifications: list[str],
    skills: list[str],
) -> list[str]:
    taken = {line.casefold() for line in [*benefits, *qualifications]}
    from_notes = [
        sentence_case(line) for line in note_lines if sentence_case(line).casefold() not in taken and _usable(line)
    ]
    templated = []
    if skills:
        templated.append(f"Build and maintain our work in {', '.join(skills[:3])}")
    team = f"the {department} team" if department else "your team"
    templated.append(f"Work with {team} to plan, ship and improve what we deliver")
    if _seniority(title) in {"senior", "staff", "principal", "lead", "head of"}:
        templated.append("Mentor colleagues and review their work")
    return unique([*from_notes, *templated])


def _excluding_phrases(notes: str) -> list[str]:
    return unique(match.group(0) for match in _EXCLUDING_PHRASES.finditer(notes))


def _seniority(title: str) -> str:
    match = _SENIORITY.search(title)
    return match.group(0).lower() if match else ""


def _usable(line: str) -> bool:
    """Notes that may exclude people are flagged in warnings, never copied into the posting."""
    return not _EXCLUDING_PHRASES.search(line)
