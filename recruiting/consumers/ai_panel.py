"""`/ws/ai-panel/<host_type>/<pk>/`: the AI panel's socket on job and candidate pages.

The start message names the context chips (`selected`, one key or a list); the panel service
turns them into the prompt context, and the stream runs through `StreamingConsumer`. Between the
runner's "thinking" and "generating" statuses the consumer reports what it analyzes; on complete
it swaps in the answer rendered from its structured output, and a form to save it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from llm.consumers import StreamCall, StreamingConsumer, in_db_thread
from llm.runner.streaming import status_event
from recruiting import selectors
from recruiting.services.ai_panel import HOST_TYPES, Panel, ai_panel_build, ai_panel_host

RESULT_TEMPLATE = "recruiting/partials/ai_panel_result.html"
ANALYZING_PROGRESS = 5


def host_for_member(*, user: Any, host_type: str, pk: int) -> Any:
    """The host if the user is an active member of its company; None otherwise (also for unknown types)."""
    company = selectors.company_for_user(user=user)
    if company is None or not user.is_active or host_type not in HOST_TYPES:
        return None
    return ai_panel_host(company=company, host_type=host_type, pk=pk)


def selected_chips(message: dict[str, Any]) -> list[str] | None:
    """The chip keys of a start message: htmx sends one value as a string, several as a list."""
    if "selected" not in message:
        return None
    value = message["selected"]
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values if isinstance(v, str | int)]


class AiPanelConsumer(StreamingConsumer):
    output_mode = "htmx"
    fragment_prefix = "ai-panel"
    host_type: ClassVar[str | None] = None  # None: taken from the URL

    panel: Panel | None = None

    def _route(self) -> tuple[str, int]:
        kwargs = self.scope["url_route"]["kwargs"]
        return self.host_type or str(kwargs.get("host_type", "")), int(kwargs["pk"])

    async def authorize(self) -> bool:
        host_type, pk = self._route()
        host = await in_db_thread(host_for_member, user=self.user, host_type=host_type, pk=pk)
        return host is not None

    def panel_for(self, message: dict[str, Any]) -> Panel:
        host_type, pk = self._route()
        # Read again: the record may have changed, or left the user's company, since connect.
        host = host_for_member(user=self.user, host_type=host_type, pk=pk)
        if host is None:
            raise ValidationError("This record is no longer available.")
        return ai_panel_build(host_type=host_type, host=host, user=self.user, selected=selected_chips(message))  # type: ignore[arg-type]

    async def build_call(self, message: dict[str, Any]) -> StreamCall | None:
        self.panel = panel = await in_db_thread(self.panel_for, message)
        return StreamCall(
            feature=panel.feature,
            context=panel.context,
            tenant=panel.company,
            user=self.user,
            subject=panel.host,
            memory_scope=panel.memory_scope,
        )

    async def send_event(self, event: dict[str, Any]) -> None:
        await super().send_event(event)
        if event["type"] == "started":  # a new answer: the last one's save form goes
            await self.send(text_data=f'<div id="{self.fragment_prefix}-save" hx-swap-oob="true"></div>')
        elif event["type"] == "status" and event.get("status") == "thinking" and self.panel is not None:
            sources = ", ".join(self.panel.labels) or "no context"
            await super().send_event(status_event("analyzing", f"Analyzing {sources}", ANALYZING_PROGRESS))
        elif event["type"] == "complete" and self.mode == "htmx" and self.panel is not None:
            await self.send(text_data=await in_db_thread(self.result_html, event))

    def result_context(self, event: dict[str, Any]) -> dict[str, Any]:
        panel = self.panel
        assert panel is not None
        output = event.get("output") if isinstance(event.get("output"), dict) else None
        return {
            "prefix": self.fragment_prefix,
            "panel": panel,
            "event": event,
            "output": output,
            "save_text": answer_text(output, event.get("text") or ""),
        }

    def result_html(self, event: dict[str, Any]) -> str:
        return render_to_string(RESULT_TEMPLATE, self.result_context(event))


def answer_text(output: dict[str, Any] | None, text: str) -> str:
    """An answer as a document: the write-up and its lists, or the plain text of a text answer."""
    if output is None:
        return text
    parts = [str(output.get("title") or ""), str(output.get("summary") or ""), str(output.get("content") or "")]
    for heading, key in (("Points", "bullets"), ("Warnings", "warnings"), ("Next steps", "next_actions")):
        items = [str(item) for item in output.get(key) or []]
        if items:
            parts.append(f"{heading}:\n" + "\n".join(f"- {item}" for item in items))
    return "\n\n".join(part for part in parts if part.strip())
