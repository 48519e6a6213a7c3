"""The recruiting app's calls into the LLM gateway (parse_cv, embed_cv)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llm import runner
from llm.models import ANY
from llm.router import route
from llm.selectors import catalog
from recruiting.models import CV, Company

# About 10k tokens: fits every configured model's context with room for the answer. Longer
# CVs are cut at a line boundary, and the CV records that it was cut.
MAX_CV_PROMPT_CHARS = 40_000


@dataclass(frozen=True)
class ParsedCV:
    profile: dict[str, Any]
    parser_used: str
    prompt_version: int | None
    run_id: int


def cv_text_for_prompt(text: str) -> tuple[str, bool]:
    if len(text) <= MAX_CV_PROMPT_CHARS:
        return text, False
    cut = text.rfind("\n", 0, MAX_CV_PROMPT_CHARS)
    return text[: cut if cut > 0 else MAX_CV_PROMPT_CHARS], True


def parse_cv(*, cv: CV, user: Any = None) -> ParsedCV:
    cv_text, truncated = cv_text_for_prompt(cv.text)
    result = runner.run(feature="parse_cv", context={"cv_text": cv_text}, tenant=cv.company, user=user, subject=cv)
    profile = dict(result.output or {})
    if truncated:
        profile.setdefault("warnings", []).append("CV text was truncated to fit the model's context.")
    parser_used = f"{result.provider}/{result.model}" + (" (rule-based)" if result.rule_based else "")
    return ParsedCV(
        profile=profile, parser_used=parser_used, prompt_version=result.prompt_version, run_id=result.run_id
    )


def embed_cv(*, cv: CV, user: Any = None) -> tuple[list[float], str]:
    result = runner.embed(
        feature="embed_cv", texts=[cv_text_for_prompt(cv.text)[0]], tenant=cv.company, user=user, subject=cv
    )
    return result.vectors[0], embedding_model_label(provider=result.provider, model=result.model)


def embed_query(*, company: Any, text: str, user: Any = None) -> tuple[list[float], str]:
    """Embeds a search query with the same feature (and so the same route) as the CVs; returns the
    vector and the model that made it (`CV.embedding_model`), since only same-model vectors compare."""
    result = runner.embed(feature="embed_cv", texts=[text[:2000]], tenant=company, user=user, subject=None)
    return result.vectors[0], embedding_model_label(provider=result.provider, model=result.model)


def embedding_model_label(*, provider: str, model: str) -> str:
    """How `CV.embedding_model` names the model that made a vector."""
    return f"{provider}/{model}"


def embedding_model_for(*, company: Company) -> str:
    """The model ("provider/model") that the company's next CV embedding would be made with, when
    its first choice answers: reembed_cvs re-embeds the CVs whose vectors another model made."""
    targets = route(catalog=catalog(), feature="embed_cv", plan=company.plan or ANY, embedding=True)
    if not targets:
        return ""
    return embedding_model_label(provider=targets[0].model.provider.name, model=targets[0].model.name)
