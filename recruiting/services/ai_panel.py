"""The AI panel of the job, candidate and interview pages: which context goes into the prompt
(context chips), what that costs in tokens before sending, the AI memory notes, and saving an
answer as a Document.

A chip is one source: a CV version, a job description, a document, or the AI memory of a job.
`cv` and `job` chips are single-choice (a prompt reads one CV against one job); documents add up.
The memory chip turns the runner's `memory_scope` on: the job's notes, shared and the recruiter's
own, go into the system prompt fenced as data (llm/runner/admission.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from django.db import transaction

from llm import runner
from llm.services import ai_memory_set
from recruiting import selectors
from recruiting.matching.inputs import cv_text_for, job_text_for
from recruiting.models import Candidate, Company, Document, Interview, Job

HostType = Literal["interview", "candidate", "job"]
HOST_TYPES: Final[tuple[HostType, ...]] = ("interview", "candidate", "job")
FEATURE_FOR_HOST: Final[dict[str, str]] = {
    "interview": "generate_interview_feedback",
    "candidate": "recruiter_lens",
    "job": "recruiter_lens",
}
SINGLE_CHOICE_KINDS: Final = ("cv", "job")
MEMORY_SCOPE_TYPE: Final = "job"
MAX_DOCUMENT_CHARS: Final = 4000  # per document in a prompt: notes, not whole files


@dataclass(frozen=True)
class Chip:
    key: str  # "cv:12", "job:3", "doc:7", "memory:3"
    kind: str
    label: str
    detail: str
    selected: bool


@dataclass
class Panel:
    host_type: HostType
    host: Interview | Candidate | Job
    company: Company
    feature: str
    chips: list[Chip]
    context: dict[str, Any]
    memory_scope: tuple[str, int] | None
    memory: list[Any] = field(default_factory=list)  # AiMemory rows of the job, for editing

    def chip(self, kind: str) -> Chip | None:
        return next((c for c in self.chips if c.kind == kind and c.selected), None)

    @property
    def selected_keys(self) -> list[str]:
        return [c.key for c in self.chips if c.selected]

    @property
    def job(self) -> Job | None:
        if isinstance(self.host, Job):
            return self.host
        if isinstance(self.host, Interview):
            return self.host.job
        chip = self.chip("job")
        return selectors.job_list(company=self.company).filter(pk=_chip_id(chip)).first() if chip else None

    @property
    def candidate(self) -> Candidate | None:
        if isinstance(self.host, Candidate):
            return self.host
        if isinstance(self.host, Interview):
            return self.host.candidate
        chip = self.chip("cv")
        cv = selectors.cv_list(company=self.company).filter(pk=_chip_id(chip)).first() if chip else None
        return cv.candidate if cv is not None else None

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.chips if c.selected]


@dataclass(frozen=True)
class Estimate:
    model: str
    input_tokens: int
    max_output_tokens: int
    rule_based: bool


def _chip_id(chip: Chip | None) -> int:
    return int(chip.key.split(":", 1)[1]) if chip is not None else 0


def ai_panel_host(*, company: Company, host_type: str, pk: int) -> Interview | Candidate | Job | None:
    """The page object a panel belongs to, within the company; None for another company's."""
    if host_type == "interview":
        return selectors.interview_list(company=company).filter(pk=pk).first()
    if host_type == "candidate":
        return selectors.candidate_list(company=company).filter(pk=pk).first()
    if host_type == "job":
        return selectors.job_list(company=company).filter(pk=pk).first()
    return None


def next_selection(*, selected: Iterable[str], toggle: str = "") -> list[str]:
    """The chip keys after adding or removing `toggle`; adding a CV or job drops the other one of its kind."""
    keys = [key for key in dict.fromkeys(selected) if key]
    if not toggle:
        return keys
    if toggle in keys:
        return [key for key in keys if key != toggle]
    kind = toggle.split(":", 1)[0]
    if kind in SINGLE_CHOICE_KINDS:
        keys = [key for key in keys if key.split(":", 1)[0] != kind]
    return [*keys, toggle]


def _available_chips(host_type: HostType, host: Any, company: Company) -> list[tuple[str, str, str, str]]:
    """(key, kind, label, detail) of every source the host offers, the default ones first of their kind."""
    chips: list[tuple[str, str, str, str]] = []
    candidate = host.candidate if isinstance(host, Interview) else host if isinstance(host, Candidate) else None
    job = host.job if isinstance(host, Interview) else host if isinstance(host, Job) else None
    if candidate is not None:
        versions = list(selectors.candidate_cv_versions(candidate=candidate))
        for number, cv in zip(range(len(versions), 0, -1), versions, strict=True):
            chips.append((f"cv:{cv.pk}", "cv", f"CV v{number}", f"{cv} · {cv.created_at:%Y-%m-%d}"))
    else:
        for cv in selectors.applicant_cvs(job=host):
            chips.append((f"cv:{cv.pk}", "cv", f"CV: {cv.candidate}", f"{cv} · {cv.created_at:%Y-%m-%d}"))
    if job is not None:
        chips.append((f"job:{job.pk}", "job", "Job description", job.title))
    else:
        for application in candidate.applications.select_related("job").order_by("-updated_at"):  # type: ignore[union-attr]
            chips.append((f"job:{application.job_id}", "job", f"Job: {application.job.title}", "job description"))
    for document in selectors.documents_about(company=company, candidate=candidate, job=job)[:20]:
        chips.append((f"doc:{document.pk}", "doc", document.title[:60], document.get_kind_display()))
    return chips


def _default_selection(chips: list[tuple[str, str, str, str]]) -> list[str]:
    firsts: dict[str, str] = {}
    for key, kind, _, _ in chips:
        if kind in SINGLE_CHOICE_KINDS:
            firsts.setdefault(kind, key)
    return [*firsts.values(), "memory:on"]


def ai_panel_build(*, host_type: HostType, host: Any, user: Any, selected: Iterable[str] | None = None) -> Panel:
    """The panel for a host: its chips (`selected` None means the defaults) and the prompt context they make."""
    company: Company = host.company
    available = _available_chips(host_type, host, company)
    offered = {key for key, *_ in available}
    chosen = set(_default_selection(available) if selected is None else selected)
    chips = [Chip(key, kind, label, detail, key in chosen) for key, kind, label, detail in available]
    panel = Panel(
        host_type=host_type,
        host=host,
        company=company,
        feature=FEATURE_FOR_HOST[host_type],
        chips=chips,
        context={},
        memory_scope=None,
    )
    job = panel.job
    if job is not None:
        panel.memory = list(selectors.ai_memory_notes(company=company, job=job, user=user))
        on = "memory:on" in chosen
        detail = f"{len(panel.memory)} note(s)" if panel.memory else "no notes yet"
        panel.chips.append(Chip("memory:on", "memory", "AI memory", detail, on))
        panel.memory_scope = (MEMORY_SCOPE_TYPE, job.pk) if on else None
    panel.context = _prompt_context(panel, chosen & offered)
    return panel


def _prompt_context(panel: Panel, chosen: set[str]) -> dict[str, Any]:
    company = panel.company
    ids = {
        kind: [int(key.split(":", 1)[1]) for key in chosen if key.startswith(f"{kind}:")]
        for kind in ("cv", "job", "doc")
    }
    cv = selectors.cv_list(company=company).filter(pk__in=ids["cv"]).select_related("candidate").first()
    job = selectors.job_list(company=company).filter(pk__in=ids["job"]).first()
    cv_text = ""
    if cv is not None:
        cv_text, _ = cv_text_for(cv=cv, candidate=cv.candidate or Candidate(), anonymized=False)
    job_text = job_text_for(job=job) if job is not None else ""
    documents = "\n\n".join(
        f"## {d.title}\n{d.content[:MAX_DOCUMENT_CHARS]}"
        for d in Document.objects.filter(company=company, pk__in=ids["doc"]).order_by("pk")
    )
    if isinstance(panel.host, Interview):
        interview = panel.host
        return {
            "job_title": interview.job.title,
            "candidate_name": str(interview.candidate),
            "notes": interview.notes,
            "cv_text": cv_text,
            "job_text": job_text,
            "documents": documents,
        }
    # recruiter_lens reads one CV against one job; documents on file travel inside the CV fence.
    if documents:
        cv_text = f"{cv_text}\n\nDocuments on file:\n{documents}".strip()
    return {"job_text": job_text, "cv_text": cv_text}


def ai_panel_estimate(*, panel: Panel, user: Any) -> Estimate:
    """Tokens of the prompt exactly as the runner would render it now (memory included) and the
    model the route would pick first. No AiRun: nothing is sent."""
    guess = runner.estimate(
        feature=panel.feature, context=panel.context, tenant=panel.company, user=user, memory_scope=panel.memory_scope
    )
    return Estimate(
        model=guess.model,
        input_tokens=guess.input_tokens,
        max_output_tokens=guess.max_output_tokens,
        rule_based=guess.rule_based,
    )


@transaction.atomic
def ai_memory_note_save(*, company: Company, job: Job, user: Any, key: str, value: str, shared: bool) -> Any:
    """A note for the AI about a job: the recruiter's own, or shared with the team."""
    key, value = key.strip()[:100], value.strip()
    if not key or not value:
        raise ValueError("A memory note needs a label and a text.")
    if job.company_id != company.pk:
        raise ValueError("the job belongs to another company")
    return ai_memory_set(
        tenant_id=company.pk,
        user_id=None if shared else int(user.pk),
        scope_type=MEMORY_SCOPE_TYPE,
        scope_id=job.pk,
        key=key,
        value=value,
    )


@transaction.atomic
def ai_memory_note_delete(*, company: Company, job: Job, user: Any, note_id: int) -> bool:
    """Delete a note the user can see: a shared one of the job or their own."""
    deleted, _ = selectors.ai_memory_notes(company=company, job=job, user=user).filter(pk=note_id).delete()
    return bool(deleted)


@transaction.atomic
def ai_output_save(
    *,
    panel: Panel,
    user: Any,
    kind: str,
    title: str,
    content: str,
    run_id: int | None = None,
) -> Document:
    """Save an answer as a Document of the panel's company: an AI output about the panel's
    candidate and job, or a new CV version of the candidate for that job."""
    if kind not in (Document.Kind.AI_OUTPUT, Document.Kind.CV_VERSION):
        raise ValueError(f"unknown document kind {kind!r}")
    if not content.strip():
        raise ValueError("There is no answer to save yet.")
    candidate, job = panel.candidate, panel.job
    if kind == Document.Kind.CV_VERSION and (candidate is None or job is None):
        raise ValueError("A CV version needs a candidate's CV and a job in the context.")
    return Document.objects.create(
        company=panel.company,
        candidate=candidate,
        job=job,
        kind=kind,
        title=(title.strip() or f"AI output ({panel.feature})")[:300],
        content=content,
        data={"feature": panel.feature, "run_id": run_id, "context": panel.selected_keys},
        created_by=user,
    )
