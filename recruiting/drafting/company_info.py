"""extract_company_info: the rule-based extraction the `local` provider answers with.

Heuristics over the site text: the name from the page title or "X is a/an …" sentences, the
mission from sentences that say so, values from a "values" heading or sentence, departments by
keyword, the size band from employee-count phrases. What the text does not say stays empty.
"""

from __future__ import annotations

import re
from typing import Any

from llm.local import LocalRequest, conform_to_schema
from recruiting.drafting.text import sentence_case, sentences, unique
from recruiting.parsing.skills import find_skills

FEATURE = "extract_company_info"
SIZE_BANDS = ["1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5000+"]
RULE_BASED_WARNING = "Rule-based extraction: read from the text by keyword rules, without a language model."

_MISSION = re.compile(
    r"\b(our mission|mission is|we exist to|our purpose|we believe|we help|we are on a mission|we want to)\b", re.I
)
_VALUES_HEADING = re.compile(r"^(our |core |company )?values\b\s*:?\s*(.*)$", re.I)
_VALUES_SENTENCE = re.compile(r"\b(?:our values are|we value|values:)\s*(.+)", re.I)
_NAME_SENTENCE = re.compile(
    r"^(?:At |About )?([A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*){0,3}) (?:is|are|was|builds|makes|helps|develops|provides)\b"
)
_TITLE_SPLIT = re.compile(r"\s+[|\u2013\u2014:-]\s+")
_EMPLOYEES = re.compile(
    r"(\d[\d,. ]*)\s*(k)?\+?\s*(?:employees|people|team members|staff|colleagues|headcount|engineers|experts|"
    r"professionals|strong)\b|(?:team|company) of (?:over |about |around |more than )?(\d[\d,.]*)",
    re.I,
)
_DEPARTMENT_KEYWORDS = {
    "Engineering": r"engineer|developer|software|backend|frontend|platform|devops|infrastructure",
    "Product": r"product manager|product management|product team",
    "Design": r"designer|design team|\bux\b|user experience",
    "Data": r"data scien|data engineer|analytics|machine learning|\bml\b|\bai\b",
    "Sales": r"\bsales\b|account executive|business development",
    "Marketing": r"marketing|brand|growth team|\bseo\b",
    "Customer Success": r"customer success|customer support|support team|customer service",
    "Finance": r"finance|accounting|controlling",
    "People": r"\bhr\b|human resources|people team|talent|recruit",
    "Operations": r"operations|logistics|supply chain",
    "Legal": r"legal|compliance",
    "Security": r"security team|information security|infosec",
}
_INDUSTRIES = {
    "Financial services": r"fintech|bank|payments|insurance|payroll",
    "Healthcare": r"health|medical|clinic|patient|pharma",
    "E-commerce": r"e-commerce|ecommerce|online shop|retail",
    "Logistics": r"logistics|shipping|freight|delivery",
    "Education": r"education|learning platform|school|universit",
    "Software": r"\bsaas\b|software|platform|cloud",
    "Energy": r"energy|solar|renewable|battery",
    "Mobility": r"mobility|automotive|vehicle",
}
_LOCATIONS = re.compile(
    r"\b(?:offices? in|based in|headquartered in|located in|hq in)\s+([A-Z][\w .,'&-]+?)(?:[.;\n]|$)", re.M
)


def extract_company_info_locally(request: LocalRequest) -> dict[str, Any]:
    text = str(request.context.get("site_text", ""))
    lines = sentences(text)
    name = _name(text, lines)
    mission = next((sentence_case(line) + "." for line in lines if _MISSION.search(line)), "")
    size = _size_band(text)
    departments = [department for department, pattern in _DEPARTMENT_KEYWORDS.items() if re.search(pattern, text, re.I)]
    industry = next((label for label, pattern in _INDUSTRIES.items() if re.search(pattern, text, re.I)), "")
    summary = next((sentence_case(line) + "." for line in lines if _NAME_SENTENCE.match(line)), "")
    warnings = [RULE_BASED_WARNING]
    if departments:
        warnings.append("Departments are guessed from words on the page: keep only the ones you have.")
    draft = {
        "title": name or "Company profile",
        "summary": summary,
        "content": " ".join(part for part in [summary, mission] if part),
        "bullets": [],
        "warnings": warnings,
        "keywords_added": [],
        "next_actions": ["Review the extracted profile, then save it."],
        "name": name,
        "mission": mission,
        "values": _values(lines),
        "departments": departments,
        "size": size,
        "industry": industry,
        "locations": unique(
            place.strip(" ,") for match in _LOCATIONS.findall(text) for place in re.split(r",|\band\b", match)
        )[:5],
        "technologies": find_skills(skills_lines=[], full_text=text)[:15],
    }
    return conform_to_schema(request.output_schema, draft) if request.output_schema else draft


def _name(text: str, lines: list[str]) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    for line in lines[:20]:
        match = _NAME_SENTENCE.match(line)
        if match and match.group(1).lower() not in {"we", "our", "the", "this", "it"}:
            return match.group(1)
    # A page title such as "Acme GmbH | Payroll for teams" names the company first.
    title = _TITLE_SPLIT.split(first_line)[0].strip()
    return title if 0 < len(title) <= 60 and len(title.split()) <= 5 else ""


def _values(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        sentence = _VALUES_SENTENCE.search(line)
        if sentence:
            return _value_items(sentence.group(1))
        heading = _VALUES_HEADING.match(line)
        if heading:
            if heading.group(2):
                return _value_items(heading.group(2))
            following = [item for item in lines[index + 1 : index + 9] if len(item) <= 60]
            return unique(sentence_case(item.split(":")[0].split(" - ")[0]) for item in following[:6])
    return []


def _value_items(text: str) -> list[str]:
    items = re.split(r",\s*|\s+and\s+|;\s*", text.rstrip("."))
    return unique(sentence_case(item) for item in items if 0 < len(item) <= 60)[:8]


def _size_band(text: str) -> str:
    counts = []
    for match in _EMPLOYEES.finditer(text):
        digits = re.sub(r"[^\d]", "", match.group(1) or match.group(3) or "")
        if digits:
            counts.append(int(digits) * (1000 if match.group(2) else 1))
    if not counts:
        return ""
    count = max(counts)
    for band, ceiling in zip(SIZE_BANDS, [10, 50, 200, 500, 1000, 5000], strict=False):
        if count <= ceiling:
            return band
    return SIZE_BANDS[-1]
