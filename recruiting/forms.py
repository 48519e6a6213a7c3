from __future__ import annotations

from typing import Any

from django import forms

from recruiting.drafting.company_info import SIZE_BANDS
from recruiting.models import Application, Company, Department, Interview, Job


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


class JobDraftForm(forms.Form):
    """What an AI job draft starts from: the job form's title, location and department, plus notes."""

    title = forms.CharField(max_length=200, error_messages={"required": "Enter a job title to draft from."})
    location = forms.CharField(max_length=200, required=False)
    department = forms.ModelChoiceField(queryset=Department.objects.none(), required=False)
    notes = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, company: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the tenant's departments: another company's id is "not a valid choice".
        self.fields["department"].queryset = Department.objects.filter(company=company)  # type: ignore[attr-defined]

    def error_text(self) -> list[str]:
        return [" ".join(str(error) for error in errors) for errors in self.errors.values()]


MAX_SITE_UPLOAD_BYTES = 2_000_000
SIZE_CHOICES = [("", "Unknown"), *((band, band) for band in SIZE_BANDS)]


class CompanySourceForm(forms.Form):
    """Where a company profile is read from: pasted text, an uploaded HTML page, or a public URL."""

    text = forms.CharField(
        required=False, max_length=100_000, widget=forms.Textarea(attrs={"rows": 8}), label="Paste text from your site"
    )
    page = forms.FileField(required=False, label="or upload a saved HTML page")
    url = forms.URLField(required=False, max_length=500, assume_scheme="https", label="or fetch a public page")

    def clean_page(self) -> Any:
        page = self.cleaned_data.get("page")
        if page is not None and page.size > MAX_SITE_UPLOAD_BYTES:
            raise forms.ValidationError("The page is larger than 2 MB; save just the page, without images.")
        return page

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [name for name in ("text", "page", "url") if data.get(name)]
        if len(given) != 1 and not self.errors:
            raise forms.ValidationError("Give one source: paste text, upload an HTML page, or enter a URL.")
        return data


class CompanyProfileForm(forms.ModelForm):
    """The reviewed profile: what the recruiter confirms is saved, and nothing before that."""

    website = forms.URLField(required=False, max_length=500, assume_scheme="https")
    values = LinesField(required=False, help_text="One per line.")
    size = forms.ChoiceField(choices=SIZE_CHOICES, required=False, label="Size (employees)")
    locations = LinesField(required=False, help_text="One per line.")
    technologies = LinesField(required=False, help_text="One per line.")
    new_departments = LinesField(
        required=False, label="Departments to create", help_text="One per line; departments you already have are kept."
    )

    class Meta:
        model = Company
        fields = ["name", "website", "industry", "size", "mission", "values"]
        widgets = {"mission": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profile = self.instance.profile or {}
        for name in ("locations", "technologies"):
            self.fields[name].initial = profile.get(name, [])

    def profile(self) -> dict[str, Any]:
        return {
            **(self.instance.profile or {}),
            "locations": self.cleaned_data["locations"],
            "technologies": self.cleaned_data["technologies"],
        }


class DepartmentForm(forms.ModelForm):
    technologies = LinesField(required=False, help_text="One per line.")
    job_templates = LinesField(required=False, label="Job templates", help_text="Role titles, one per line.")

    class Meta:
        model = Department
        fields = ["name", "description", "technologies", "job_templates"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.company = company

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data.get("name", "")).split())
        taken = Department.objects.filter(company=self.company, name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Your company already has a department with this name.")
        return name


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


class CandidateForm(forms.Form):
    """A candidate typed in by a recruiter; CV files come from `request.FILES` ("files")."""

    full_name = forms.CharField(max_length=200, label="Name")
    email = forms.EmailField(max_length=254, required=False)
    phone = forms.CharField(max_length=50, required=False)
    location = forms.CharField(max_length=200, required=False)

    def clean_phone(self) -> str:
        from recruiting.services.candidates import phone_key

        phone = str(self.cleaned_data.get("phone") or "").strip()
        if phone and not phone_key(phone):
            raise forms.ValidationError("Enter a phone number with at least 7 digits.")
        return phone


class DocumentForm(forms.Form):
    """A recruiter's note about a candidate and/or a job of their company."""

    title = forms.CharField(max_length=300)
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), label="Note")
    candidate: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, required=False)
    job: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args: Any, company: Any, **kwargs: Any) -> None:
        from recruiting.models import Candidate

        super().__init__(*args, **kwargs)
        # Only the tenant's own records can be chosen: another company's id is "not a valid choice".
        self.fields["candidate"].queryset = Candidate.objects.filter(company=company, merged_into=None)  # type: ignore[attr-defined]
        self.fields["job"].queryset = Job.objects.filter(company=company)  # type: ignore[attr-defined]


# --- Interviews ----------------------------------------------------------------------------------


# --- Interviews ----------------------------------------------------------------------------------


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class InterviewCreateForm(forms.Form):
    application: forms.ModelChoiceField[Application] = forms.ModelChoiceField(
        queryset=Application.objects.none(), label="Candidate and job", empty_label=None
    )
    interviewer: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,  # the company's members, set in __init__
        required=False,
        empty_label="Nobody yet",
    )
    scheduled_at = forms.DateTimeField(required=False, label="When", widget=DateTimeLocalInput())
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, company: Any, **kwargs: Any) -> None:
        from recruiting import selectors

        super().__init__(*args, **kwargs)
        # Only the tenant's own records can be chosen: another company's id is "not a valid choice".
        applications = self.fields["application"]
        applications.queryset = selectors.interview_applications(company=company)  # type: ignore[attr-defined]
        applications.label_from_instance = lambda a: f"{a.candidate} — {a.job.title} ({a.get_stage_display()})"  # type: ignore[attr-defined]
        self.fields["interviewer"].queryset = selectors.company_members(company=company)  # type: ignore[attr-defined]


class InterviewForm(forms.Form):
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 10}))
    feedback = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 14}))
    recommendation = forms.ChoiceField(required=False, choices=[("", "Not decided"), *Interview.Recommendation.choices])
    interviewer: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,  # the company's members, set in __init__
        required=False,
        empty_label="Nobody yet",
    )
    scheduled_at = forms.DateTimeField(required=False, label="When", widget=DateTimeLocalInput())
    feedback_run_id = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args: Any, interview: Interview, **kwargs: Any) -> None:
        from recruiting import selectors

        kwargs.setdefault(
            "initial",
            {
                "notes": interview.notes,
                "feedback": interview.feedback,
                "recommendation": interview.recommendation,
                "interviewer": interview.interviewer_id,
                "scheduled_at": interview.scheduled_at,
                "feedback_run_id": interview.feedback_run_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.interview = interview
        self.fields["interviewer"].queryset = selectors.company_members(company=interview.company)  # type: ignore[attr-defined]

    def clean_feedback_run_id(self) -> int | None:
        from llm.models import AiRun

        run_id = self.cleaned_data.get("feedback_run_id")
        if run_id is None:
            return None
        # Only a run made for this very interview can be named as the feedback's source.
        ours = AiRun.objects.filter(
            pk=run_id,
            tenant_id=self.interview.company_id,
            subject_type=Interview._meta.label_lower,
            subject_id=str(self.interview.pk),
        )
        if not ours.exists():
            raise forms.ValidationError("This AI answer does not belong to this interview.")
        return run_id


class AiMemoryNoteForm(forms.Form):
    key = forms.CharField(max_length=100, label="Label", widget=forms.TextInput(attrs={"placeholder": "Location"}))
    value = forms.CharField(
        label="Note for the AI", widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Must be in Berlin"})
    )
    shared = forms.BooleanField(required=False, label="Share with the team")


class AiOutputSaveForm(forms.Form):
    kind = forms.ChoiceField(choices=[("ai_output", "Document"), ("cv_version", "CV version for the job")])
    title = forms.CharField(max_length=300, required=False)
    content = forms.CharField(widget=forms.Textarea)
    run_id = forms.IntegerField(required=False)
