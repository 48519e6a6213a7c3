"""`/ws/recruiting/jobs/draft/` and `/ws/recruiting/jobs/<id>/draft/`: a job posting streamed into
the job form (generate_job_metadata).

As the model's JSON arrives, each completed member (description, responsibilities, …) is pushed
to its form field: in HTMX mode as an out-of-band swap of that field, in JSON mode as an extra
`{"type": "field", "name", "value"}` event. The validated output on `complete` has the last word.
Nothing is saved here: the recruiter edits the form and saves it.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from llm.consumers import Event, StreamCall, StreamingConsumer
from recruiting import selectors
from recruiting.drafting.job_posting import FEATURE, form_values, job_draft_context
from recruiting.drafting.partial_json import MemberStream
from recruiting.forms import JobDraftForm, JobForm
from recruiting.models import Company, Job

FIELD_TEMPLATE = "recruiting/partials/form_field.html"
RESULT_TEMPLATE = "recruiting/job_form.html#draft_result"


class JobDraftConsumer(StreamingConsumer):
    output_mode = "htmx"
    fragment_prefix = "draft"

    company: Company | None = None
    job: Job | None = None

    async def authorize(self) -> bool:
        self.company = await database_sync_to_async(selectors.company_for_user)(user=self.user)
        if self.company is None:
            return False
        job_id = self.scope["url_route"]["kwargs"].get("job_id")
        if job_id is None:
            return True
        self.job = await database_sync_to_async(selectors.job_list(company=self.company).filter(pk=job_id).first)()
        return self.job is not None

    async def build_call(self, message: dict[str, Any]) -> StreamCall | None:
        call = await database_sync_to_async(self._validated_call)(message)
        self.members = MemberStream()
        self.filled: dict[str, Any] = {}
        return call

    def _validated_call(self, message: dict[str, Any]) -> StreamCall:
        assert self.company is not None  # authorize() refused the socket otherwise
        # The start message carries the whole job form; the draft reads its own fields from it.
        form = JobDraftForm(data={**message, "notes": message.get("draft_notes", "")}, company=self.company)
        if not form.is_valid():
            raise ValidationError(form.error_text())
        return StreamCall(
            feature=FEATURE,
            context=job_draft_context(company=self.company, **form.cleaned_data),
            tenant=self.company,
            user=self.user,
            subject=self.job,  # a new job's run is linked to it when the job is saved
        )

    async def send_event(self, event: Event) -> None:
        await super().send_event(event)  # the raw text still goes to #draft-output
        if event["type"] == "chunk":
            await self._fill(form_values(dict(self.members.feed(event["content"]))))
        elif event["type"] == "complete":
            validated = form_values(event.get("output") or {})
            await self._fill({name: value for name, value in validated.items() if self.filled.get(name) != value})
            if self.mode == "htmx":
                await self.send(text_data=render_to_string(RESULT_TEMPLATE, {"event": event}))

    async def _fill(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            self.filled[name] = value
            if self.mode == "json":
                await self.send_json({"type": "field", "name": name, "value": value})
                continue
            form = JobForm(initial={name: value}, company=self.company)
            await self.send(text_data=render_to_string(FIELD_TEMPLATE, {"field": form[name], "oob": True}))
