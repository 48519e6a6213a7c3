"""Resume chat sockets, on the gateway's StreamingConsumer.

    /ws/chat/cv/<cv_id>/        a recruiter of the CV's company (closes 4401 / 4403 before any call)
    /ws/chat/public/<token>/    an anonymous visitor of a published link (4403 if revoked or unknown)

Client -> server: {"type": "start", "question": "...", "conversation": "<id or empty>",
                   "action": "ask" | "regenerate"}, {"type": "cancel"} (Stop).
HTMX mode (the page) gets fragments: the question and answer bubbles, chunks appended into the
answer, the stored answer once it ends. JSON mode gets the gateway's protocol plus one
{"type": "conversation", "conversation_id", "question_id", "answer_id", "title"} before a stream.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from chat import limits, selectors, services
from chat.models import Conversation, Message, PublicChatLink
from chat.prompting import FEATURE
from chat.services import NothingToRegenerate, PreparedAnswer
from llm.consumers import CLOSE_FORBIDDEN, Event, StreamCall, StreamingConsumer, StreamOutcome, in_db_thread
from llm.streaming_html import chunk_html, ready_event
from recruiting.selectors import ChatCV, company_for_user, cv_for_chat

VISITOR_SESSION_KEY = "chat_visitor_key"
PAGE_TEMPLATE = "chat/conversation.html"
STORE_WAIT_SECONDS = 10.0

RECRUITER_REFUSALS = {
    "budget_exceeded": "Your company's AI budget for this period is used up, so the assistant cannot answer. "
    "An admin can raise the budget; your question is kept.",
    "feature_disabled": "Resume chat is switched off for your company.",
}
PUBLIC_REFUSALS = {
    "budget_exceeded": "This chat has reached its spending limit. Please contact the recruiter who shared it.",
    "feature_disabled": "This chat is switched off.",
}


def answer_dom_id(message_id: int) -> str:
    return f"chat-msg-{message_id}"


def friendly_error(event: Event, refusals: dict[str, str]) -> Event:
    """The gateway's refusals, said in the chat's words."""
    code = event.get("code")
    if code == "rate_limited":
        wait = f" Please wait {int(event['retry_after'])} s and ask again." if event.get("retry_after") else ""
        return {**event, "message": f"Too many questions in the last minute.{wait}"}
    if code in refusals:
        return {**event, "message": refusals[code]}
    return event


def recruiter_cv(*, user: Any, cv_id: int) -> tuple[Any, ChatCV] | None:
    """(company, CV) when `user` is an active member of the company that owns `cv_id`, else None."""
    company = company_for_user(user=user)
    if company is None or not user.is_active:
        return None
    cv = cv_for_chat(company=company, cv_id=cv_id)
    return None if cv is None else (company, cv)


def public_link_cv(*, token: str, session: Any) -> tuple[PublicChatLink, ChatCV, str] | None:
    """(link, CV, visitor key) for an active link's socket opened from its page, else None."""
    link = selectors.public_link_active(token=token)
    visitor = str(session.get(VISITOR_SESSION_KEY, "")) if session else ""
    cv = cv_for_chat(company=link.company_id, cv_id=link.cv_id) if link else None
    if link is None or cv is None or not visitor:
        return None
    return link, cv, visitor


def public_message_admit_and_reserve(*, link_id: int, client_ip: str) -> tuple[limits.Refusal | None, bool]:
    """The visitor's per-IP and per-link limits, then the link's spend hold: (refusal, held)."""
    refusal = limits.public_message_admit(link_id=link_id, client_ip=client_ip)
    if refusal is not None:
        return refusal, False
    if not services.public_link_spend_reserve(link_id=link_id):
        return limits.Refusal("budget_exceeded", PUBLIC_REFUSALS["budget_exceeded"]), False
    return None, True


class CVChatConsumer(StreamingConsumer):
    """What both sockets share: one CV, its conversations, one answer streaming at a time."""

    output_mode = "htmx"
    fragment_prefix = "chat"
    refusals = RECRUITER_REFUSALS

    cv: ChatCV
    tenant: Any = None
    current: PreparedAnswer | None = None
    answer_ended = False  # its complete or error event went out; on_finished may still be storing it

    # --- hooks of the two sockets -----------------------------------------------------------

    # find_conversation and prepare are sync: build_call runs both in one database hop.

    def find_conversation(self, conversation_id: str) -> Conversation | None:
        raise NotImplementedError

    def prepare(self, conversation: Conversation | None, question: str, regenerate: bool) -> PreparedAnswer:
        raise NotImplementedError

    async def refuse(self, message: dict[str, Any]) -> limits.Refusal | None:
        """Checks that come before anything is stored (limits); None admits the message."""
        if message.get("action") == "regenerate":
            return None
        return limits.question_refusal(str(message.get("question") or ""))

    # --- protocol ---------------------------------------------------------------------------

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.stream_task is not None and self.answer_ended:
            # The answer was sent and is being stored: a question asked right away waits for that.
            await asyncio.wait({self.stream_task}, timeout=STORE_WAIT_SECONDS)
        idle = self.stream_task is None or self.stream_task.done()
        if isinstance(content, dict) and content.get("type") == "start" and idle:
            refusal = await self.refuse(content)
            if refusal is not None:
                await self.send_event(
                    {
                        "type": "error",
                        "run_id": None,
                        "code": refusal.code,
                        "message": refusal.message,
                        "retryable": refusal.retry_after is not None,
                        "retry_after": refusal.retry_after,
                    }
                )
                return
        await super().receive_json(content, **kwargs)

    async def build_call(self, message: dict[str, Any]) -> StreamCall | None:
        regenerate = message.get("action") == "regenerate"
        question = str(message.get("question") or "").strip()
        conversation_id = str(message.get("conversation") or "").strip()

        def find_and_prepare() -> PreparedAnswer:
            conversation = None
            if conversation_id:
                conversation = self.find_conversation(conversation_id)
                if conversation is None:
                    raise ValidationError("This conversation does not exist or is not yours.")
            try:
                return self.prepare(conversation, question, regenerate)
            except NothingToRegenerate as problem:
                raise ValidationError(str(problem)) from None

        self.answer_ended = False
        self.current = prepared = await in_db_thread(find_and_prepare)
        if self.mode == "json":
            await self.send_json(
                {
                    "type": "conversation",
                    "conversation_id": prepared.conversation.pk,
                    "question_id": prepared.question.pk,
                    "answer_id": prepared.answer.pk,
                    "title": prepared.conversation.title,
                    "notice": prepared.answer.notice,
                }
            )
        return StreamCall(
            feature=FEATURE,
            context=prepared.prompt.context,
            tenant=self.tenant,
            user=self.user,
            subject=("chat.message", prepared.answer.pk),
            cache=not regenerate,  # Regenerate asks the model again
        )

    async def send_event(self, event: Event) -> None:
        if event["type"] in ("complete", "error") and self.current is not None:
            self.answer_ended = True
        if event["type"] == "error" and event.get("run_id") is not None:  # the gateway's refusals
            event = friendly_error(event, self.refusals)
        if self.mode != "htmx" or self.current is None:
            await super().send_event(event)
        elif event["type"] == "chunk":
            await self.send(text_data=chunk_html(event["content"], answer_dom_id(self.current.answer.pk)))
        elif event["type"] == "started":
            await self.send(text_data=self.render("exchange-started", prepared=self.current))
        else:
            await super().send_event(event)

    async def on_finished(self, outcome: StreamOutcome) -> None:
        prepared, self.current = self.current, None
        if prepared is None:
            return
        final = outcome.final_event
        message = ""
        if final is not None and final.get("type") == "error":
            message = friendly_error(final, self.refusals)["message"]
        answer = await in_db_thread(
            services.answer_finish,
            answer=prepared.answer,
            ended=outcome.status,
            text=outcome.text,
            final_event=final,
            headings=[section.heading for section in self.cv.sections],
            error_message=message,
            stopped_run_id=outcome.stopped_run_id,
        )
        await self.after_answer(answer, final)
        if outcome.status == "disconnected" or self.mode != "htmx":
            return
        try:
            await self.send(text_data=self.render("message-oob", message=answer))
        except Exception:  # noqa: BLE001 - the socket closed meanwhile; the answer is stored
            return

    async def after_answer(self, answer: Message, final: Event | None) -> None:
        """After the answer is stored (the public socket settles its link's spend here)."""

    def render(self, partial: str, **context: Any) -> str:
        return render_to_string(f"{PAGE_TEMPLATE}#{partial}", {**self.page_context(), **context})

    def page_context(self) -> dict[str, Any]:
        return {"cv": self.cv, "public": False}

    def url_kwarg(self, name: str) -> str:
        return str(self.scope["url_route"]["kwargs"][name])


class RecruiterChatConsumer(CVChatConsumer):
    """`/ws/chat/cv/<cv_id>/`: a member of the CV's company, about that CV, in their own conversations."""

    async def authorize(self) -> bool:
        found = await in_db_thread(recruiter_cv, user=self.user, cv_id=int(self.url_kwarg("cv_id")))
        if found is None:
            return False  # no company, an inactive user, another company's CV or none: 4403 before any call
        self.tenant, self.cv = found
        return True

    def find_conversation(self, conversation_id: str) -> Conversation | None:
        conversation = selectors.conversation_get(company=self.tenant, user=self.user, conversation_id=conversation_id)
        return conversation if conversation is not None and conversation.cv_id == self.cv.cv_id else None

    def prepare(self, conversation: Conversation | None, question: str, regenerate: bool) -> PreparedAnswer:
        return services.answer_prepare(
            cv=self.cv,
            plan=self.tenant.plan,
            conversation=conversation,
            question=question,
            regenerate=regenerate,
            user=self.user,
        )


class PublicChatConsumer(CVChatConsumer):
    """`/ws/chat/public/<token>/`: anyone with the link, about its CV only, within the link's
    per-IP and per-link limits and spend budget (and the company's own budgets)."""

    refusals = PUBLIC_REFUSALS
    link: PublicChatLink
    visitor_key = ""
    spend_held = False

    async def connect(self) -> None:
        session = self.scope.get("session")
        found = await in_db_thread(public_link_cv, token=self.url_kwarg("token"), session=session)
        if found is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.link, self.cv, self.visitor_key = found
        self.tenant = self.link.company
        self.mode = self._requested_mode()
        await self.accept()
        if self.mode == "htmx":
            await self.send_event(ready_event())

    def page_context(self) -> dict[str, Any]:
        return {"cv": self.cv, "public": True, "token": self.link.token}

    @property
    def user(self) -> Any:
        return None  # anonymous by design, even if the browser holds a recruiter's session

    def client_ip(self) -> str:
        client = self.scope.get("client") or ("unknown", 0)
        return str(client[0])

    async def refuse(self, message: dict[str, Any]) -> limits.Refusal | None:
        refusal = await super().refuse(message)
        if refusal is None:
            refusal, self.spend_held = await in_db_thread(
                public_message_admit_and_reserve, link_id=self.link.pk, client_ip=self.client_ip()
            )
        return refusal

    async def build_call(self, message: dict[str, Any]) -> StreamCall | None:
        try:
            return await super().build_call(message)
        except BaseException:
            await self.release_spend(None)
            raise

    def find_conversation(self, conversation_id: str) -> Conversation | None:
        return selectors.visitor_conversation_get(
            link=self.link, visitor_key=self.visitor_key, conversation_id=conversation_id
        )

    def prepare(self, conversation: Conversation | None, question: str, regenerate: bool) -> PreparedAnswer:
        return services.answer_prepare(
            cv=self.cv,
            plan=self.link.company.plan,
            conversation=conversation,
            question=question,
            regenerate=regenerate,
            public_link=self.link,
            visitor_key=self.visitor_key,
        )

    async def after_answer(self, answer: Message, final: Event | None) -> None:
        if final is not None:
            # A refusal or failure reports cost 0; an answer its cost.
            await self.release_spend(Decimal(str(final.get("cost") or "0")))
        else:  # stopped or dropped: the cancelled run's estimated cost, when it was recorded
            await self.release_spend(answer.cost_usd if answer.run_id is not None else None)

    async def release_spend(self, actual: Decimal | None) -> None:
        if self.spend_held:
            self.spend_held = False
            await in_db_thread(services.public_link_spend_settle, link_id=self.link.pk, actual=actual)
