"""Candidate-job matching: the deterministic keyword match, the rule-based assessment the `local`
provider answers with, anonymized CV text, and the combined score."""

from recruiting.matching.anonymize import anonymize_cv_text, candidate_label
from recruiting.matching.assessment import assess, job_prompt_text, strip_injected_lines
from recruiting.matching.keywords import KeywordMatch, compute_keyword_match
from recruiting.matching.scoring import combined_score

__all__ = [
    "KeywordMatch",
    "anonymize_cv_text",
    "assess",
    "candidate_label",
    "combined_score",
    "compute_keyword_match",
    "job_prompt_text",
    "strip_injected_lines",
]
