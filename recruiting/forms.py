from __future__ import annotations

from typing import Any

from django import forms

from recruiting.models import Application, Department, Job


class LinesField(forms.CharField):
    """A list of strings edited as one item per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip(" -•\t") for line in str(text).splitlines() if line.strip(" -•\t")]


class JobForm(forms.ModelForm):
    responsibilities = LinesField(required=False, help_text="One per line.")
    qualifications = LinesField(required=False, help_text="One per line.")
    skills = LinesField(required=False, help_text="One per line.")
    benefits = LinesField(required=False, help_text="One per line.")

    class Meta:
        model = Job
        fields = [
            "title",
            "department",
            "location",
            "status",
            "description",
            "responsibilities",
            "qualifications",
            "skills",
            "benefits",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args: Any, company: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(company=company)  # type: ignore[attr-defined]


class CandidateFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    mode = forms.ChoiceField(choices=[("keyword", "Keyword"), ("meaning", "Meaning")], required=False)
    skills = forms.CharField(required=False, help_text="Comma-separated")
    min_years = forms.FloatField(required=False, min_value=0, label="Min. years")
    location = forms.CharField(required=False)
    stage = forms.ChoiceField(choices=[("", "Any stage"), *Application.Stage.choices], required=False)

    def skill_list(self) -> tuple[str, ...]:
        raw = self.cleaned_data.get("skills") or ""
        return tuple(skill.strip() for skill in raw.split(",") if skill.strip())
