"""The combined score a ranking sorts by.

    combined = 0.35 * keyword + 0.65 * llm            (with an LLM assessment)
             = keyword                                (before one exists)

The LLM reads context the keyword match cannot (titles, seniority, evidence), so it weighs more;
the keyword part keeps the ranking anchored to the job's stated skills whatever the model says.
A CV flagged for prompt injection cannot gain from it: its LLM score is capped at the rule-based
score of the CV without the flagged lines, and the combined score loses INJECTION_PENALTY points.
Jobs carry no embedding, so embedding similarity is not part of the blend.
"""

from __future__ import annotations

KEYWORD_WEIGHT = 0.35
LLM_WEIGHT = 0.65
INJECTION_PENALTY = 10


def combined_score(
    *, keyword_score: int, llm_score: int | None, injected: bool = False, rule_based_score: int | None = None
) -> int:
    if llm_score is not None and injected and rule_based_score is not None:
        llm_score = min(llm_score, rule_based_score)
    blend = float(keyword_score) if llm_score is None else KEYWORD_WEIGHT * keyword_score + LLM_WEIGHT * llm_score
    if injected:
        blend -= INJECTION_PENALTY
    return max(0, min(100, round(blend)))
