"""generate_department_profile: the prompt's context and the rule-based profile the `local`
provider answers with (a description templated from the name and what is known, technologies read
from the text or typical for the kind of team, role titles typical for it)."""

from __future__ import annotations

import re
from typing import Any

from llm.local import LocalRequest, conform_to_schema
from recruiting.drafting.job_posting import company_profile_text
from recruiting.drafting.text import sentences, split_list, unique
from recruiting.models import Department
from recruiting.parsing.skills import find_skills

FEATURE = "generate_department_profile"
RULE_BASED_WARNING = "Rule-based profile: templated from the department's name and notes, without a language model."

# (name pattern, typical technologies, typical roles)
_KINDS: list[tuple[str, list[str], list[str]]] = [
    (
        r"data|analytics|machine learning|\bml\b|\bai\b",
        ["Python", "SQL", "dbt", "Airflow"],
        ["Data Engineer", "Data Analyst", "Data Scientist", "Analytics Engineer"],
    ),
    (
        r"platform|infra|devops|sre|reliability|cloud",
        ["Kubernetes", "Terraform", "AWS", "Prometheus"],
        ["Platform Engineer", "Site Reliability Engineer", "DevOps Engineer", "Engineering Manager"],
    ),
    (
        r"engineer|development|software|tech|backend|frontend|mobile|web",
        ["Git", "Python", "TypeScript", "PostgreSQL"],
        ["Backend Engineer", "Frontend Engineer", "Full-Stack Engineer", "Engineering Manager"],
    ),
    (r"design|ux|ui", ["Figma", "Miro"], ["Product Designer", "UX Researcher", "UI Designer"]),
    (r"product", ["Jira", "Amplitude", "Figma"], ["Product Manager", "Product Owner", "Head of Product"]),
    (
        r"sales|business development|revenue",
        ["Salesforce", "HubSpot", "LinkedIn Sales Navigator"],
        ["Account Executive", "Sales Development Representative", "Sales Manager"],
    ),
    (
        r"marketing|growth|brand|content",
        ["HubSpot", "Google Analytics", "Google Ads"],
        ["Marketing Manager", "Content Marketer", "Growth Marketer"],
    ),
    (
        r"customer|support|success|service",
        ["Zendesk", "Intercom"],
        ["Customer Success Manager", "Support Specialist", "Customer Support Lead"],
    ),
    (r"people|hr|human|talent|recruit", ["Personio", "Greenhouse"], ["Recruiter", "People Partner", "HR Generalist"]),
    (
        r"finance|accounting|controlling",
        ["Excel", "DATEV", "SAP"],
        ["Accountant", "Financial Controller", "FP&A Analyst"],
    ),
    (r"legal|compliance", ["Microsoft Word"], ["Legal Counsel", "Compliance Manager"]),
    (r"operations|logistics|supply", ["Excel", "SAP"], ["Operations Manager", "Logistics Coordinator"]),
]


def department_profile_context(*, department: Department) -> dict[str, str]:
    """The template variables of generate_department_profile v2 (every value is text)."""
    return {
        "company": department.company.name,
        "company_profile": company_profile_text(department.company),
        "name": department.name,
        "description": department.description,
        "technologies": ", ".join(department.technologies),
    }


def department_profile_locally(request: LocalRequest) -> dict[str, Any]:
    context = {name: str(value or "") for name, value in request.context.items()}
    name = context.get("name", "").strip() or "This department"
    description = context.get("description", "")
    known = split_list(context.get("technologies", ""))
    mentioned = find_skills(skills_lines=[], full_text=description)
    kind = next((kind for kind in _KINDS if re.search(kind[0], name, re.IGNORECASE)), None)
    typical = kind[1] if kind else []
    technologies = unique([*known, *mentioned, *typical])
    warnings = [RULE_BASED_WARNING]
    if typical:
        warnings.append(f"Technologies typical for a {name} team were added: keep only the ones you use.")
    else:
        warnings.append("The department's name suggests no typical tools or roles: add them yourself.")
    company = context.get("company", "").strip()
    intro = f"The {name} team at {company}" if company else f"The {name} team"
    paragraphs = [
        f"{intro} {_purpose(description, name)}",
        f"It works with {', '.join(technologies[:6])}." if technologies else "",
    ]
    draft = {
        "title": name,
        "summary": paragraphs[0],
        "content": "\n\n".join(part for part in paragraphs if part),
        "bullets": technologies[:5],
        "warnings": warnings,
        "keywords_added": [tech for tech in typical if tech.casefold() not in {t.casefold() for t in known}],
        "next_actions": ["Review the profile, then save it."],
        "technologies": technologies,
        "job_templates": kind[2] if kind else [],
    }
    return conform_to_schema(request.output_schema, draft) if request.output_schema else draft


def _purpose(description: str, name: str) -> str:
    lines = sentences(description)
    if lines:
        first = lines[0].rstrip(".")
        return f"— {first[:1].lower() + first[1:]}." if not first.lower().startswith(name.lower()) else f"— {first}."
    return "is part of the company; describe what it owns and delivers."
