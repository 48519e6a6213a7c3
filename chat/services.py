"""Writes of chat data: conversations, questions and answers, public links and their spend."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chat.models import Conversation, Message, PublicChatLink
from chat.prompting import ChatPrompt, Turn, build_prompt, cited_sections, model_limits, prompt_templates
from chat.selectors import history_turns
from llm.selectors import ai_run_cost
from llm.tokens import count_text
from recruiting.selectors import ChatCV

TITLE_CHARACTERS = 60
# What one public answer may cost at most, held on the link until the answer's cost is known;
# an answer stopped before its cost is reported is charged this much.
PUBLIC_ANSWER_RESERVE_USD = Decimal("0.01")


def conversation_title(question: str) -> str:
    """The first question, cut at a word boundary."""
    text = " ".join(question.split())
    if len(text) <= TITLE_CHARACTERS:
        return text
    return text[:TITLE_CHARACTERS].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


@dataclass(frozen=True)
class PreparedAnswer:
    conversation: Conversation
    question: Message
    answer: Message  # the placeholder the stream fills
    prompt: ChatPrompt
    new_conversation: bool
    regenerated: bool = False  # the question was asked before; its old answers are gone
    replaced_answer_ids: tuple[int, ...] = ()


class NothingToRegenerate(ValueError):
    pass


@transaction.atomic
def answer_prepare(
    *,
    cv: ChatCV,
    plan: str,
    conversation: Conversation | None,
    question: str,
    regenerate: bool = False,
    user: Any = None,
    public_link: PublicChatLink | None = None,
    visitor_key: str = "",
) -> PreparedAnswer:
    """Store the question (or, to regenerate, drop the last answer) and an empty answer to stream
    into, and build the prompt from the CV and the conversation so far.

    Before the first token, so kept to few statements: the prompt is built first (its notice goes
    into the answer's INSERT), and a new question and its answer are one INSERT.
    """
    new_conversation = conversation is None
    replaced: tuple[int, ...] = ()
    question_message: Message | None = None
    if conversation is None:
        if regenerate:
            raise NothingToRegenerate("There is no answer to regenerate yet.")
        conversation = Conversation.objects.create(
            company_id=cv.company_id,
            cv_id=cv.cv_id,
            user=user,
            public_link=public_link,
            visitor_key=visitor_key,
            title=conversation_title(question),
        )
        history: list[Turn] = []
    elif regenerate:
        question_message = conversation.messages.filter(role=Message.Role.USER).last()
        if question_message is None:
            raise NothingToRegenerate("There is no question to answer again.")
        later = conversation.messages.filter(pk__gt=question_message.pk)
        replaced = tuple(later.values_list("pk", flat=True))
        later.delete()
        question = question_message.content
        history = history_turns(conversation=conversation, before_message_id=question_message.pk)
    else:
        history = history_turns(conversation=conversation)
    system_template, user_template = prompt_templates()
    prompt = build_prompt(
        cv=cv,
        history=history,
        question=question,
        limits=model_limits(plan=plan),
        system_template=system_template,
        user_template=user_template,
    )
    answer = Message(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        status=Message.Status.STREAMING,
        notice=prompt.notice[:500],
    )
    if question_message is None:
        question_message = Message(conversation=conversation, role=Message.Role.USER, content=question)
        Message.objects.bulk_create([question_message, answer])  # ids in this order: the question's first
    else:
        answer.save(force_insert=True)
    if not new_conversation:
        Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    return PreparedAnswer(conversation, question_message, answer, prompt, new_conversation, regenerate, replaced)


def answer_finish(
    *,
    answer: Message,
    ended: str,
    text: str,
    final_event: dict[str, Any] | None,
    headings: list[str],
    error_message: str = "",
    stopped_run_id: int | None = None,
) -> Message:
    """Keep what the stream produced in the `answer` placeholder, however it ended: complete,
    error, cancelled (the user pressed Stop) or disconnected (the socket dropped); partial text is
    kept in every case. A stopped answer links to the run the runner finished as cancelled, with
    that run's (estimated) cost."""
    status = {
        "complete": Message.Status.COMPLETE,
        "cancelled": Message.Status.STOPPED,
        "disconnected": Message.Status.INTERRUPTED,
    }.get(ended, Message.Status.FAILED)
    event = final_event or {}
    usage = event.get("usage") or {}
    content = (event.get("text") or text) if ended == "complete" else text
    fields: dict[str, Any] = {
        "status": status,
        "content": content,
        "run_id": event.get("run_id"),
        "model": event.get("model") or "",
        "rule_based": bool(event.get("rule_based")),
        "input_tokens": int(usage.get("input_tokens") or 0),
        "output_tokens": int(usage.get("output_tokens") or 0),
        "tokens_estimated": bool(usage.get("estimated")),
        "cost_usd": Decimal(str(event.get("cost") or "0")),
        "cited_sections": cited_sections(content, headings),
        "error_code": str(event.get("code") or "") if event.get("type") == "error" else "",
        "error_message": error_message[:500],
        "updated_at": timezone.now(),
    }
    if status in (Message.Status.STOPPED, Message.Status.INTERRUPTED):
        run_cost = ai_run_cost(run_id=stopped_run_id) if final_event is None and stopped_run_id else None
        if run_cost is not None:
            fields.update(run_id=stopped_run_id, cost_usd=run_cost)
        if text:
            # The runner records the stopped run with estimated usage; the message shows an estimate too.
            fields.update(output_tokens=count_text(text, fields["model"] or "gpt-4o-mini"), tokens_estimated=True)
    Message.objects.filter(pk=answer.pk).update(**fields)
    # The placeholder plus the fields just written is the stored row: no need to read it back.
    for name, value in fields.items():
        setattr(answer, name, value)
    return answer


@transaction.atomic
def conversation_delete(*, conversation: Conversation) -> None:
    conversation.delete()


# --- Public links -------------------------------------------------------------------------------


@transaction.atomic
def public_link_publish(*, company: Any, cv_id: int, user: Any) -> PublicChatLink:
    """The CV's active public link, created with a new unguessable token if there is none."""
    existing = PublicChatLink.objects.filter(company=company, cv_id=cv_id, revoked_at=None).first()
    if existing is not None:
        return existing
    return PublicChatLink.objects.create(company=company, cv_id=cv_id, created_by=user, token=secrets.token_urlsafe(32))


@transaction.atomic
def public_link_revoke(*, link: PublicChatLink) -> None:
    PublicChatLink.objects.filter(pk=link.pk, revoked_at=None).update(revoked_at=timezone.now())


def public_link_spend_reserve(*, link_id: int, amount: Decimal = PUBLIC_ANSWER_RESERVE_USD) -> bool:
    """Hold `amount` on the link if its cap allows (one conditional UPDATE: concurrent answers
    cannot all see the same headroom)."""
    return bool(
        PublicChatLink.objects.filter(
            pk=link_id, revoked_at=None, spent_usd__lte=F("spend_cap_usd") - F("reserved_usd") - amount
        ).update(reserved_usd=F("reserved_usd") + amount)
    )


def public_link_spend_settle(
    *, link_id: int, actual: Decimal | None, amount: Decimal = PUBLIC_ANSWER_RESERVE_USD
) -> None:
    """Replace the hold by the answer's cost; None (cost unknown) charges the whole hold."""
    charged = amount if actual is None else actual
    PublicChatLink.objects.filter(pk=link_id).update(
        reserved_usd=F("reserved_usd") - amount, spent_usd=F("spent_usd") + charged
    )
