"""`/ws/recruiting/company/extract/<token>/`: extract_company_info streamed into the company
profile's review form.

The page first POSTs the source (pasted text, an uploaded page or a guarded URL fetch); the view
reads it to text and keeps it server-side under a one-time id bound to the company and the user
(`company_source_store`). This socket opens with that id, starts at once, and fills the review
form's fields as the JSON completes. Nothing is saved: the recruiter confirms the form.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from llm.consumers import Event, StreamCall, in_db_thread
from recruiting import selectors
from recruiting.consumers.streamed_fields import StreamedFieldsConsumer, form_field_html
from recruiting.drafting.company_info import FEATURE
from recruiting.forms import CompanyProfileForm
from recruiting.models import Company
from recruiting.services.profiles import CompanySource, company_source_discard, company_source_load

# Extracted members shown in the review form (the rest of the answer is the standard shape).
REVIEWED_FIELDS = ("name", "industry", "size", "mission", "values", "locations", "technologies")
RESULT_TEMPLATE = "recruiting/company_profile.html#extraction_result"


def reviewed_values(output: dict[str, Any], existing_departments: set[str]) -> dict[str, Any]:
    """The review form's values in a (possibly partial) answer; proposed departments the company lacks."""
    values = {name: output[name] for name in REVIEWED_FIELDS if output.get(name)}
    if "departments" in output:
        proposed = [
            str(name) for name in output["departments"] or [] if str(name).casefold() not in existing_departments
        ]
        values["new_departments"] = proposed
    return values


class CompanyExtractionConsumer(StreamedFieldsConsumer):
    fragment_prefix = "company"

    source: CompanySource | None = None
    existing_departments: set[str] = set()

    @property
    def token(self) -> str:
        return str(self.scope["url_route"]["kwargs"]["token"])

    def authorize_objects(self, company: Company) -> bool:
        self.source = company_source_load(token=self.token, company=company, user=self.user)
        self.existing_departments = {name.casefold() for name in selectors.department_names(company=company)}
        return self.source is not None

    async def connect(self) -> None:
        await super().connect()
        if self.source is not None:  # accepted: the page opened the socket to extract
            await self.receive_json({"type": "start"})

    def prepare_call(self, message: dict[str, Any]) -> StreamCall:
        assert self.source is not None and self.company is not None
        return StreamCall(
            feature=FEATURE,
            context={"site_text": self.source.site_text},
            tenant=self.company,
            user=self.user,
            subject=self.company,
        )

    def field_values(self, members: dict[str, Any]) -> dict[str, Any]:
        return reviewed_values(members, self.existing_departments)

    def field_html(self, name: str, value: Any) -> str:
        assert self.company is not None
        return form_field_html(CompanyProfileForm(instance=self.company, initial={name: value}), name)

    def result_html(self, event: Event) -> str:
        assert self.company is not None and self.source is not None
        website = self.source.source_url or self.company.website
        form = CompanyProfileForm(instance=self.company, initial={"website": website})
        return form_field_html(form, "website") + render_to_string(RESULT_TEMPLATE, {"event": event})

    async def on_complete(self, event: Event) -> None:
        await in_db_thread(company_source_discard, token=self.token)
