"""Resume chat pages. Answers stream over the sockets in chat.consumers; these views render the
page, the conversation log (after a reconnect), deletion, and publishing a CV's public link."""

from __future__ import annotations

import secrets
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from chat import selectors, services
from chat.consumers import PAGE_TEMPLATE, VISITOR_SESSION_KEY
from chat.limits import MAX_QUESTION_CHARACTERS
from chat.models import Conversation, PublicChatLink
from recruiting import selectors as recruiting_selectors
from recruiting.decorators import company_member_required
from recruiting.http import TenantRequest
from recruiting.selectors import ChatCV


@company_member_required
def chat_index(request: TenantRequest) -> HttpResponse:
    cvs = recruiting_selectors.cv_list(company=request.company)[:50]
    conversations = selectors.conversation_list(company=request.company, user=request.user)[:20]
    return render(request, "chat/index.html", {"cvs": cvs, "conversations": conversations})


def _chat_cv(request: TenantRequest, cv_id: int) -> ChatCV:
    cv = recruiting_selectors.cv_for_chat(company=request.company, cv_id=cv_id)
    if cv is None:
        raise Http404("No such CV.")
    return cv


def _page_context(*, cv: ChatCV, conversation: Conversation | None, **extra: Any) -> dict[str, Any]:
    return {
        "cv": cv,
        "conversation": conversation,
        "chat_messages": selectors.message_list(conversation=conversation) if conversation else [],
        "suggestions": selectors.suggested_questions(cv=cv),
        "max_question_characters": MAX_QUESTION_CHARACTERS,
        **extra,
    }


@company_member_required
def chat_page(request: TenantRequest, cv_id: int, conversation_id: int | None = None) -> HttpResponse:
    cv = _chat_cv(request, cv_id)
    conversation = None
    if conversation_id is not None:
        conversation = selectors.conversation_get(
            company=request.company, user=request.user, conversation_id=conversation_id
        )
        if conversation is None or conversation.cv_id != cv.cv_id:
            raise Http404("No such conversation.")
    context = _page_context(
        cv=cv,
        conversation=conversation,
        public=False,
        socket_path=f"/ws/chat/cv/{cv.cv_id}/",
        conversations=selectors.conversation_list(company=request.company, user=request.user, cv_id=cv.cv_id)[:50],
        public_link=selectors.public_link_for_cv(company=request.company, cv_id=cv.cv_id),
        view_conversation_id=conversation.pk if conversation else None,
    )
    return render(request, PAGE_TEMPLATE, context)


@company_member_required
def conversation_log(request: TenantRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.conversation_get(
        company=request.company, user=request.user, conversation_id=conversation_id
    )
    if conversation is None:
        raise Http404("No such conversation.")
    cv = _chat_cv(request, conversation.cv_id)
    return render(request, f"{PAGE_TEMPLATE}#log", _page_context(cv=cv, conversation=conversation, public=False))


@company_member_required
@require_POST
def conversation_delete(request: TenantRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.conversation_get(
        company=request.company, user=request.user, conversation_id=conversation_id
    )
    if conversation is None:
        raise Http404("No such conversation.")
    cv_id = conversation.cv_id
    services.conversation_delete(conversation=conversation)
    if request.POST.get("current") == str(conversation_id) or not request.htmx:
        url = reverse("chat:cv", args=[cv_id])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return HttpResponse("")  # htmx removes the list entry


@company_member_required
@require_POST
def public_link_publish(request: TenantRequest, cv_id: int) -> HttpResponse:
    cv = _chat_cv(request, cv_id)
    link = services.public_link_publish(company=request.company, cv_id=cv.cv_id, user=request.user)
    return render(request, f"{PAGE_TEMPLATE}#public-link", {"cv": cv, "public_link": link})


@company_member_required
@require_POST
def public_link_revoke(request: TenantRequest, link_id: int) -> HttpResponse:
    link = selectors.public_link_get(company=request.company, link_id=link_id)
    if link is None:
        raise Http404("No such link.")
    services.public_link_revoke(link=link)
    cv = _chat_cv(request, link.cv_id)
    return render(request, f"{PAGE_TEMPLATE}#public-link", {"cv": cv, "public_link": None})


# --- The public resume bot (no login) -----------------------------------------------------------


def _public_link(token: str) -> tuple[PublicChatLink, ChatCV]:
    link = selectors.public_link_active(token=token)
    cv = recruiting_selectors.cv_for_chat(company=link.company_id, cv_id=link.cv_id) if link else None
    if link is None or cv is None:
        raise Http404("This chat link does not exist or was withdrawn.")
    return link, cv


def _visitor_key(request: HttpRequest) -> str:
    if not request.session.get(VISITOR_SESSION_KEY):
        request.session[VISITOR_SESSION_KEY] = secrets.token_urlsafe(24)
    return str(request.session[VISITOR_SESSION_KEY])


def public_chat(request: HttpRequest, token: str) -> HttpResponse:
    link, cv = _public_link(token)
    visitor_key = _visitor_key(request)
    conversation = None
    if not request.GET.get("new"):
        conversation = selectors.visitor_latest_conversation(link=link, visitor_key=visitor_key)
    context = _page_context(
        cv=cv, conversation=conversation, public=True, socket_path=f"/ws/chat/public/{token}/", token=token
    )
    return render(request, PAGE_TEMPLATE, context)


def public_conversation_log(request: HttpRequest, token: str, conversation_id: int) -> HttpResponse:
    link, cv = _public_link(token)
    conversation = selectors.visitor_conversation_get(
        link=link, visitor_key=_visitor_key(request), conversation_id=conversation_id
    )
    if conversation is None:
        raise Http404("No such conversation.")
    context = _page_context(cv=cv, conversation=conversation, public=True, token=token)
    return render(request, f"{PAGE_TEMPLATE}#log", context)
