"""A JSON feature streamed into a page field by field: the base of the drafting sockets (job
posting, company and department profiles) and the match explanation.

As the model's JSON arrives, each completed top-level member is mapped to a field (`field_values`)
and pushed: in HTMX mode as the out-of-band fragment `field_html` renders, in JSON mode as an
extra `{"type": "field", "name", "value"}` event. The validated output on `complete` has the last
word: fields it changes are pushed again. Subclasses build the call in `prepare_call` (run in a
database thread) and may add a closing fragment with `result_html`.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from llm.consumers import Event, StreamCall, StreamingConsumer, in_db_thread
from recruiting import selectors
from recruiting.drafting.partial_json import MemberStream
from recruiting.models import Company

FIELD_TEMPLATE = "recruiting/partials/form_field.html"


def form_field_html(form: Any, name: str) -> str:
    """One form field as an out-of-band swap of its `#field-<name>` wrapper (autoescaped)."""
    return render_to_string(FIELD_TEMPLATE, {"field": form[name], "oob": True})


class StreamedFieldsConsumer(StreamingConsumer):
    output_mode = "htmx"

    company: Company | None = None

    # --- hooks for subclasses -------------------------------------------------------------

    def authorize_objects(self, company: Company) -> bool:
        """Object checks within `self.company` (database thread); False closes with 4403."""
        return True

    def prepare_call(self, message: dict[str, Any]) -> StreamCall:
        """A start message -> the call (database thread). Raise ValidationError to refuse it."""
        raise NotImplementedError

    def field_values(self, members: dict[str, Any]) -> dict[str, Any]:
        """The page's field values in a (possibly partial) output, by field name."""
        return members

    def field_html(self, name: str, value: Any) -> str:
        """HTMX mode: the out-of-band fragment that shows one field's value (autoescaped)."""
        raise NotImplementedError

    def result_html(self, event: Event) -> str:
        """HTMX mode: fragments sent after the complete event (database thread); empty for none."""
        return ""

    # --- the machinery --------------------------------------------------------------------

    async def authorize(self) -> bool:
        return await in_db_thread(self._authorize)

    def _authorize(self) -> bool:
        self.company = selectors.company_for_user(user=self.user)
        return self.company is not None and bool(self.user.is_active) and self.authorize_objects(self.company)

    async def build_call(self, message: dict[str, Any]) -> StreamCall | None:
        call = await in_db_thread(self.prepare_call, message)
        self.members = MemberStream()
        self.filled: dict[str, Any] = {}
        return call

    async def send_event(self, event: Event) -> None:
        await super().send_event(event)  # the raw text still goes to #<prefix>-output
        if event["type"] == "chunk":
            await self._fill(self.field_values(dict(self.members.feed(event["content"]))))
        elif event["type"] == "complete":
            validated = self.field_values(dict(event.get("output") or {}))
            await self._fill({name: value for name, value in validated.items() if self.filled.get(name) != value})
            if self.mode == "htmx":
                closing = await in_db_thread(self.result_html, event)
                if closing:
                    await self.send(text_data=closing)

    async def _fill(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            self.filled[name] = value
            if self.mode == "json":
                await self.send_json({"type": "field", "name": name, "value": value})
            else:
                await self.send(text_data=self.field_html(name, value))
