"""The resume_chat prompt: system message + CV (fenced data, by section) + history + question,
fitted to the model's context window by token count.

- The CV is never truncated silently: when it alone does not fit, only its sections most relevant
  to the question go in, and both the prompt and the answer's notice say so.
- History keeps the newest turns verbatim; older ones are summarised to the questions asked, and
  dropped altogether (counted) when even the summary does not fit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from llm.router import route
from llm.selectors import catalog
from llm.tokens import count_messages, count_text
from recruiting.selectors import ChatCV, ChatCVSection

FEATURE = "resume_chat"
SECTION_MARKER = "[Section: {heading}]"
SECTION_MARKER_PATTERN = re.compile(r"^\[Section: (?P<heading>.+)\]$", re.MULTILINE)
# Token counts kept per process: a CV's text and sections, the prompt's framing and past turns are
# the same on every question of a conversation (keys are the texts themselves, so an edited CV or
# prompt is counted afresh).
TOKEN_CACHE_SIZE = 4096
# Room kept free for the gateway's own framing and counting differences between encodings.
SAFETY_MARGIN_TOKENS = 64
SUMMARY_MAX_TOKENS = 300
DEFAULT_REPLY_TOKENS = 600
_WORD = re.compile(r"[a-z0-9+#]{2,}")
_STOPWORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "does",
        "did",
        "with",
        "what",
        "which",
        "whom",
        "when",
        "where",
        "why",
        "how",
        "this",
        "that",
        "from",
        "into",
        "his",
        "her",
        "their",
        "they",
        "them",
        "she",
        "him",
        "you",
        "your",
        "our",
        "any",
        "all",
        "can",
        "could",
        "would",
        "should",
        "will",
        "there",
        "here",
        "been",
        "being",
        "also",
        "than",
        "then",
        "its",
        "it's",
        "is",
        "in",
        "on",
        "of",
        "to",
        "as",
        "at",
        "by",
        "an",
        "or",
        "be",
        "do",
        "a",
    ]
)


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str


@dataclass(frozen=True)
class ModelLimits:
    model: str  # the name tokens are counted for
    context_window: int
    reply_tokens: int  # max_tokens of the prompt: reserved for the answer


@dataclass(frozen=True)
class ChatPrompt:
    context: dict[str, str]  # the template's variables: cv_text, history, question
    input_tokens: int
    sections_used: tuple[str, ...]
    sections_left_out: tuple[str, ...]
    turns_verbatim: int
    turns_summarised: int
    turns_dropped: int

    @property
    def notice(self) -> str:
        """What the user is told when the CV did not fit."""
        if not self.sections_left_out:
            return ""
        return (
            "This CV is longer than the model's context window, so the answer used only its sections most "
            f"relevant to the question ({', '.join(self.sections_used)}); left out: "
            f"{', '.join(self.sections_left_out)}."
        )


def model_limits(*, plan: str) -> ModelLimits:
    """The smallest context window among the models that may answer (a fallback must fit too)."""
    current = catalog()
    prompt = current.prompt(FEATURE)
    reply_tokens = int((prompt.parameters if prompt else {}).get("max_tokens") or DEFAULT_REPLY_TOKENS)
    targets = route(catalog=current, feature=FEATURE, plan=plan)
    remote = [target for target in targets if not target.is_local] or targets
    return ModelLimits(
        model=remote[0].model.name,
        context_window=min(target.model.context_window for target in remote),
        reply_tokens=reply_tokens,
    )


def terms(text: str) -> set[str]:
    """Lower-case content words, with a crude plural fold ("skills" ~ "skill")."""
    return {word.removesuffix("s") for word in _WORD.findall(text.lower()) if word not in _STOPWORDS}


def format_sections(sections: Sequence[ChatCVSection]) -> str:
    return "\n\n".join(f"{SECTION_MARKER.format(heading=section.heading)}\n{section.text}" for section in sections)


def _rank_sections(sections: Sequence[ChatCVSection], question: str) -> list[int]:
    """Section indexes, most relevant to the question first (ties: CV order)."""
    wanted = terms(question)

    def score(index: int) -> tuple[int, int]:
        section = sections[index]
        overlap = len(wanted & terms(f"{section.heading} {section.key}")) * 3 + len(wanted & terms(section.text))
        return (-overlap, index)

    return sorted(range(len(sections)), key=score)


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def _sections_text_and_tokens(sections: tuple[ChatCVSection, ...], model: str) -> tuple[str, int]:
    text = format_sections(sections)
    return text, count_text(text, model)


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def _tokens(text: str, model: str) -> int:
    return count_text(text, model)


def _fit_cv(cv: ChatCV, question: str, budget: int, model: str) -> tuple[str, int, list[str], list[str]]:
    """(CV text, its tokens, sections used, sections left out) within `budget` tokens."""
    everything, tokens = _sections_text_and_tokens(cv.sections, model)
    if tokens <= budget:
        return everything, tokens, [section.heading for section in cv.sections], []
    note = "[Note: the CV is too long for this model; only the sections below are included.]\n\n"
    room = budget - _tokens(note, model)
    chosen: set[int] = set()
    for index in _rank_sections(cv.sections, question):
        cost = _sections_text_and_tokens((cv.sections[index],), model)[1] + 2
        if cost <= room:
            chosen.add(index)
            room -= cost
    kept = [section for index, section in enumerate(cv.sections) if index in chosen]
    left_out = [section.heading for index, section in enumerate(cv.sections) if index not in chosen]
    text = note + format_sections(kept)
    return text, count_text(text, model), [section.heading for section in kept], left_out


def format_turn(turn: Turn) -> str:
    return f"Recruiter: {turn.question}\nAssistant: {turn.answer}"


def _fit_history(turns: Sequence[Turn], budget: int, model: str) -> tuple[str, int, int, int]:
    """(history text, verbatim, summarised, dropped) within `budget` tokens, newest turns first."""
    verbatim: list[str] = []
    used = 0
    index = len(turns)
    summary_room = min(SUMMARY_MAX_TOKENS, budget // 4) if turns else 0
    while index > 0:
        text = format_turn(turns[index - 1])
        cost = _tokens(text, model) + 2
        if used + cost > budget - summary_room:
            break
        verbatim.insert(0, text)
        used += cost
        index -= 1
    older = list(turns[:index])
    summary, summarised = _summary(older, min(summary_room, budget - used), model)
    parts = [summary] if summary else []
    return "\n\n".join([*parts, *verbatim]), len(verbatim), summarised, len(older) - summarised


def _summary(older: Sequence[Turn], budget: int, model: str) -> tuple[str, int]:
    """The earlier questions, newest kept when they do not all fit."""
    if not older or budget <= 0:
        return "", 0
    questions: list[str] = []
    for turn in reversed(older):
        question = " ".join(turn.question.split())[:200]
        candidate = _summary_text([question, *questions], len(older))
        if count_text(candidate, model) > budget:
            break
        questions.insert(0, question)
    if not questions:
        return "", 0
    return _summary_text(questions, len(older)), len(questions)


def _summary_text(questions: list[str], older_count: int) -> str:
    dropped = older_count - len(questions)
    more = f" (and {dropped} earlier questions not shown)" if dropped else ""
    return f"Earlier in this conversation{more}, the recruiter asked: " + "; ".join(questions) + "."


def build_prompt(
    *, cv: ChatCV, history: Sequence[Turn], question: str, limits: ModelLimits, system_template: str, user_template: str
) -> ChatPrompt:
    """The context for one answer, within `limits.context_window - limits.reply_tokens` tokens."""
    model = limits.model
    framing = _framing_tokens(system_template, user_template, model)
    budget = limits.context_window - limits.reply_tokens - framing - SAFETY_MARGIN_TOKENS
    question_tokens = count_text(question, model)
    cv_text, cv_tokens, used, left_out = _fit_cv(cv, question, budget - question_tokens, model)
    history_budget = budget - question_tokens - cv_tokens
    history_text, verbatim, summarised, dropped = _fit_history(history, history_budget, model)
    context = {"cv_text": cv_text, "history": history_text, "question": question}
    return ChatPrompt(
        context=context,
        input_tokens=framing + question_tokens + cv_tokens + count_text(history_text, model),
        sections_used=tuple(used),
        sections_left_out=tuple(left_out),
        turns_verbatim=verbatim,
        turns_summarised=summarised,
        turns_dropped=dropped,
    )


@lru_cache(maxsize=64)
def _framing_tokens(system_template: str, user_template: str, model: str) -> int:
    return count_messages(
        [{"role": "system", "content": system_template}, {"role": "user", "content": user_template}], model
    )


def prompt_templates() -> tuple[str, str]:
    """The production resume_chat prompt's (system, user) templates, for measuring their framing."""
    prompt = catalog().prompt(FEATURE)
    return (prompt.system_template, prompt.user_template) if prompt else ("", "")


def cited_sections(answer: str, headings: Sequence[str]) -> list[str]:
    """The CV sections an answer names in its "(Source: …)" citation."""
    match = re.search(r"\(Sources?: (?P<names>[^)]+)\)\s*$", answer.strip())
    if not match:
        return []
    named = [name.strip().strip('"') for name in re.split(r",|;| and ", match.group("names"))]
    by_folded = {heading.casefold(): heading for heading in headings}
    return [by_folded[name.casefold()] for name in named if name.casefold() in by_folded]
