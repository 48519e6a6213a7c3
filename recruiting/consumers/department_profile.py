"""`/ws/recruiting/departments/<pk>/profile/`: generate_department_profile streamed into the
department edit form: description, technologies and job templates fill in as the JSON completes.
Nothing is saved: the recruiter reviews the form and presses Save."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from llm.consumers import Event, StreamCall
from recruiting import selectors
from recruiting.consumers.streamed_fields import StreamedFieldsConsumer, form_field_html
from recruiting.drafting.department_profile import FEATURE, department_profile_context
from recruiting.forms import DepartmentForm
from recruiting.models import Company, Department

# Profile member -> department form field.
FORM_FIELDS = {"content": "description", "technologies": "technologies", "job_templates": "job_templates"}
RESULT_TEMPLATE = "recruiting/department_form.html#profile_result"


class DepartmentProfileConsumer(StreamedFieldsConsumer):
    fragment_prefix = "department"

    department: Department | None = None

    def authorize_objects(self, company: Company) -> bool:
        pk = self.scope["url_route"]["kwargs"]["pk"]
        self.department = selectors.department_list(company=company).filter(pk=pk).first()
        return self.department is not None

    def prepare_call(self, message: dict[str, Any]) -> StreamCall:
        assert self.department is not None and self.company is not None
        self.department.refresh_from_db()  # the profile reads what is saved now
        return StreamCall(
            feature=FEATURE,
            context=department_profile_context(department=self.department),
            tenant=self.company,
            user=self.user,
            subject=self.department,
        )

    def field_values(self, members: dict[str, Any]) -> dict[str, Any]:
        return {field: members[member] for member, field in FORM_FIELDS.items() if member in members}

    def field_html(self, name: str, value: Any) -> str:
        assert self.company is not None
        form = DepartmentForm(instance=self.department, initial={name: value}, company=self.company)
        return form_field_html(form, name)

    def result_html(self, event: Event) -> str:
        return render_to_string(RESULT_TEMPLATE, {"event": event})
