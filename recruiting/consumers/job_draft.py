"""`/ws/recruiting/jobs/draft/` and `/ws/recruiting/jobs/<id>/draft/`: a job posting streamed into
the job form (generate_job_metadata).

As the model's JSON arrives, each completed member (description, responsibilities, …) is pushed
to its form field: in HTMX mode as an out-of-band swap of that field, in JSON mode as an extra
`{"type": "field", "name", "value"}` event. The validated output on `complete` has the last word.
Nothing is saved here: the recruiter edits the form and saves it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from llm.consumers import Event, StreamCall
from recruiting import selectors
from recruiting.consumers.streamed_fields import StreamedFieldsConsumer, form_field_html
from recruiting.drafting.job_posting import FEATURE, form_values, job_draft_context
from recruiting.forms import JobDraftForm, JobForm
from recruiting.models import Company, Job

RESULT_TEMPLATE = "recruiting/job_form.html#draft_result"


class JobDraftConsumer(StreamedFieldsConsumer):
    fragment_prefix = "draft"

    job: Job | None = None

    def authorize_objects(self, company: Company) -> bool:
        job_id = self.scope["url_route"]["kwargs"].get("job_id")
        if job_id is None:
            return True
        self.job = selectors.job_list(company=company).filter(pk=job_id).first()
        return self.job is not None

    def prepare_call(self, message: dict[str, Any]) -> StreamCall:
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

    def field_values(self, members: dict[str, Any]) -> dict[str, Any]:
        return form_values(members)

    def field_html(self, name: str, value: Any) -> str:
        return form_field_html(JobForm(initial={name: value}, company=self.company), name)

    def result_html(self, event: Event) -> str:
        return render_to_string(RESULT_TEMPLATE, {"event": event})
