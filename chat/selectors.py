"""Reads of chat data. A recruiter sees their own conversations within their company; a public
visitor sees the conversations of their session on one link."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from chat.models import Conversation, Message, PublicChatLink
from chat.prompting import Turn
from recruiting.selectors import ChatCV


def conversation_list(*, company: Any, user: Any, cv_id: int | None = None) -> QuerySet[Conversation]:
    conversations = Conversation.objects.filter(company=company, user=user, public_link=None)
    if cv_id is not None:
        conversations = conversations.filter(cv_id=cv_id)
    return conversations.select_related("cv", "cv__candidate")


def conversation_get(*, company: Any, user: Any, conversation_id: int | str | None) -> Conversation | None:
    """The user's own conversation in their company, else None (another tenant's or user's is not found)."""
    if not str(conversation_id or "").isdigit():
        return None
    return conversation_list(company=company, user=user).filter(pk=int(str(conversation_id))).first()


def visitor_conversation_get(
    *, link: PublicChatLink, visitor_key: str, conversation_id: int | str | None
) -> Conversation | None:
    if not visitor_key or not str(conversation_id or "").isdigit():
        return None
    return Conversation.objects.filter(
        public_link=link, visitor_key=visitor_key, cv_id=link.cv_id, pk=int(str(conversation_id))
    ).first()


def visitor_latest_conversation(*, link: PublicChatLink, visitor_key: str) -> Conversation | None:
    if not visitor_key:
        return None
    return Conversation.objects.filter(public_link=link, visitor_key=visitor_key).first()


def message_list(*, conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.all()


def history_turns(*, conversation: Conversation, before_message_id: int | None = None) -> list[Turn]:
    """Question/answer pairs before a message (None: all so far), oldest first; unanswered
    questions are left out."""
    turns: list[Turn] = []
    question: str | None = None
    messages = conversation.messages.all()
    if before_message_id is not None:
        messages = messages.filter(pk__lt=before_message_id)
    for role, content, status in messages.values_list("role", "content", "status"):
        if role == Message.Role.USER:
            question = content
        elif question is not None and content and status != Message.Status.FAILED:
            turns.append(Turn(question=question, answer=content))
            question = None
    return turns


def public_link_active(*, token: str) -> PublicChatLink | None:
    if not token:
        return None
    return PublicChatLink.objects.filter(token=token, revoked_at=None).select_related("company").first()


def public_link_for_cv(*, company: Any, cv_id: int) -> PublicChatLink | None:
    return PublicChatLink.objects.filter(company=company, cv_id=cv_id, revoked_at=None).first()


def suggested_questions(*, cv: ChatCV, limit: int = 4) -> list[str]:
    """First questions that this CV can answer, from its sections and profile."""
    name = cv.candidate_name.split()[0] if cv.candidate_name.strip() else "the candidate"
    keys = {section.key for section in cv.sections}
    suggestions = []
    if "experience" in keys:
        suggestions.append(f"What is {name}'s most recent role and what did they do there?")
    if cv.skills:
        suggestions.append(f"How much experience does {name} have with {cv.skills[0]}?")
    elif "skills" in keys:
        suggestions.append(f"Which technologies does {name} know best?")
    if "education" in keys:
        suggestions.append(f"What did {name} study, and where?")
    if "languages" in keys:
        suggestions.append(f"Which languages does {name} speak?")
    if cv.total_years_experience:
        suggestions.append(f"How many years of experience does {name} have?")
    if "summary" in keys:
        suggestions.append(f"Summarise {name}'s profile in two sentences.")
    return suggestions[:limit] or [f"What does this CV say about {name}'s experience?"]


def public_link_get(*, company: Any, link_id: int) -> PublicChatLink | None:
    return PublicChatLink.objects.filter(company=company, pk=link_id, revoked_at=None).first()
