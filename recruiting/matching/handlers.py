"""The `local` provider's answers for match_candidate and recruiter_lens (registered in
RecruitingConfig.ready()): the rule-based assessment in the features' output shape."""

from __future__ import annotations

from typing import Any

from llm.local import LocalRequest
from recruiting.matching.assessment import Assessment, assess, parse_job_text


def match_candidate_locally(request: LocalRequest) -> dict[str, Any]:
    job_text, cv_text = str(request.context.get("job_text", "")), str(request.context.get("cv_text", ""))
    result = assess(job_text=job_text, cv_text=cv_text)
    title = parse_job_text(job_text).title or "this job"
    keywords = result.keywords
    strengths = [f'{skill}: "{line}"' for skill, line in result.quotes]
    if result.title_evidence and result.parts.get("title", 0) >= 0.5:
        strengths.append(f'Role: "{result.title_evidence}"')
    if result.years is not None and result.years_required and result.years >= result.years_required:
        strengths.append(f"About {result.years:g} years of experience (the job asks for {result.years_required}+).")
    gaps = [f"No evidence of {skill}." for skill in keywords.missing]
    return {
        "title": f"Match for {title}: {result.score}/100",
        "summary": _summary(result),
        "content": _breakdown(result),
        "bullets": strengths,
        "warnings": result.warnings,
        "keywords_added": keywords.missing,
        "next_actions": _next_actions(result),
        "score": result.score,
        "strengths": strengths,
        "gaps": gaps,
    }


def recruiter_lens_locally(request: LocalRequest) -> dict[str, Any]:
    job_text, cv_text = str(request.context.get("job_text", "")), str(request.context.get("cv_text", ""))
    result = assess(job_text=job_text, cv_text=cv_text)
    keywords = result.keywords
    stand_out = [f'"{line}"' for _, line in result.quotes[:5]]
    if result.title_evidence:
        stand_out.insert(0, f'Headline/role: "{result.title_evidence}"')
    improve = [f"Name {skill} explicitly if you have used it, with where and how." for skill in keywords.missing[:5]]
    if result.years_required and (result.years or 0) < result.years_required:
        improve.append("Make the dates of each role explicit so the years of experience are clear.")
    return {
        "title": f"Recruiter's first read: {result.score}/100",
        "summary": _first_impression(result),
        "content": _breakdown(result),
        "bullets": stand_out,
        "warnings": result.warnings,
        "keywords_added": keywords.missing,
        "next_actions": improve or ["The CV already covers the job's keywords; lead with measurable results."],
        "score": result.score,
    }


def _summary(result: Assessment) -> str:
    keywords = result.keywords
    total = len(keywords.matched) + len(keywords.missing)
    verdict = "worth an interview" if result.score >= 70 else "a possible fit" if result.score >= 50 else "a weak fit"
    return f"Rule-based assessment: {verdict}. The CV shows {len(keywords.matched)} of the job's {total} skills."


def _first_impression(result: Assessment) -> str:
    if result.score >= 70:
        return "Reads as a strong fit at a glance: the right role and most of the keywords."
    if result.score >= 50:
        return "Relevant in parts; a recruiter would look twice at the gaps."
    return "Does not read as a fit for this role at a glance."


def _breakdown(result: Assessment) -> str:
    parts = ", ".join(f"{name} {round(100 * value)}%" for name, value in result.parts.items())
    return f"Score parts: {parts}. Keyword score {result.keywords.score}/100."


def _next_actions(result: Assessment) -> list[str]:
    actions = [f"Ask about {skill}." for skill in result.keywords.missing[:3]]
    if result.injected:
        actions.insert(0, "Read the flagged passage: the CV contains text aimed at an AI screener.")
    if result.score >= 70:
        actions.append("Invite to a screening call.")
    return actions
