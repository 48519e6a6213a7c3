"""Reads of recruiting data. Every query here is scoped to one company (the tenant)."""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from recruiting.models import CV, Application, Candidate, Company, Department, Interview, Job


def company_for_user(*, user: Any) -> Company | None:
    if user is None or not user.is_authenticated:
        return None
    membership = getattr(user, "membership", None)
    return membership.company if membership is not None else None


def job_list(*, company: Company, status: str = "") -> QuerySet[Job]:
    jobs = Job.objects.filter(company=company).select_related("department")
    if status:
        jobs = jobs.filter(status=status)
    return jobs


def department_list(*, company: Company) -> QuerySet[Department]:
    return Department.objects.filter(company=company).annotate(job_count=Count("jobs"))


def department_names(*, company: Company) -> list[str]:
    return list(Department.objects.filter(company=company).values_list("name", flat=True))


def candidate_list(*, company: Company) -> QuerySet[Candidate]:
    return Candidate.objects.filter(company=company)


def cv_list(*, company: Company) -> QuerySet[CV]:
    return CV.objects.filter(company=company).select_related("candidate")


def interview_list(*, company: Company) -> QuerySet[Interview]:
    return Interview.objects.filter(company=company).select_related("candidate", "job", "interviewer")


# --- Candidates and CVs ------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateFilters:
    query: str = ""
    mode: str = "keyword"  # "keyword" or "meaning"
    skills: tuple[str, ...] = ()
    min_years: float | None = None
    location: str = ""
    stage: str = ""
    job_id: int | None = None


@dataclass(frozen=True)
class CandidateHit:
    candidate: Candidate
    score: float | None = None  # cosine similarity for searches by meaning


def candidate_search(*, company: Company, filters: CandidateFilters, limit: int = 200) -> list[CandidateHit]:
    """Keyword search (every term must appear in the CV text, name or skills) or search by
    meaning (cosine similarity of embeddings, top-k), both within the structured filters."""
    candidates = candidate_list(company=company).filter(merged_into=None)
    for skill in filters.skills:
        candidates = candidates.filter(cvs__text__icontains=skill)
    if filters.min_years is not None:
        candidates = candidates.filter(total_years_experience__gte=filters.min_years)
    if filters.location:
        candidates = candidates.filter(location__icontains=filters.location)
    if filters.stage:
        candidates = candidates.filter(applications__stage=filters.stage)
        if filters.job_id:
            candidates = candidates.filter(applications__job_id=filters.job_id)
    if not filters.query.strip():
        return [CandidateHit(c) for c in candidates.distinct()[:limit]]
    if filters.mode == "meaning":
        return _search_by_meaning(company=company, candidates=candidates, query=filters.query, limit=limit)
    for term in filters.query.split():
        candidates = candidates.filter(
            Q(full_name__icontains=term) | Q(headline__icontains=term) | Q(cvs__text__icontains=term)
        )
    return [CandidateHit(c) for c in candidates.distinct()[:limit]]


def _search_by_meaning(
    *, company: Company, candidates: QuerySet[Candidate], query: str, limit: int
) -> list[CandidateHit]:
    from recruiting import ai

    query_vector, model = ai.embed_query(company=company, text=query)
    allowed = set(candidates.values_list("pk", flat=True))
    best: dict[int, float] = {}
    # Only vectors of the query's model compare (CVs embedded by another model: reembed_cvs fixes them).
    cv_rows = CV.objects.filter(company=company, candidate_id__in=allowed, embedding_model=model).exclude(
        embedding=None
    )
    for candidate_id, embedding in cv_rows.values_list("candidate_id", "embedding").iterator():
        if not embedding or len(embedding) != len(query_vector):
            continue
        score = cosine_similarity(query_vector, embedding)
        if score > best.get(candidate_id, -2.0):
            best[candidate_id] = score
    ranked = heapq.nlargest(limit, best.items(), key=lambda item: item[1])
    by_id = candidates.in_bulk([candidate_id for candidate_id, _ in ranked])
    return [
        CandidateHit(by_id[candidate_id], round(score, 4)) for candidate_id, score in ranked if candidate_id in by_id
    ]


def cv_counts_by_embedding_model(*, company: Company) -> dict[str, int]:
    """How many of the company's CVs each embedding model made (explains an empty search by
    meaning: a query only compares with CVs its own model embedded)."""
    rows = (
        CV.objects.filter(company=company)
        .exclude(embedding=None)
        .values_list("embedding_model")
        .annotate(count=Count("pk"))
        .order_by("embedding_model")
    )
    return {model or "unknown": count for model, count in rows}


def cosine_similarity(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def possible_duplicates(*, candidate: Candidate) -> QuerySet[Candidate]:
    """Candidates of the same company with the same name, where email/phone did not match."""
    if not candidate.full_name.strip():
        return Candidate.objects.none()
    return (
        candidate_list(company=candidate.company)
        .filter(merged_into=None, full_name__iexact=candidate.full_name.strip())
        .exclude(pk=candidate.pk)
    )


def applications_by_stage(*, job: Job) -> dict[str, list[Application]]:
    board: dict[str, list[Application]] = {stage: [] for stage in Application.Stage.values}
    for application in job.applications.select_related("candidate").order_by("-updated_at"):
        board[application.stage].append(application)
    return board


def company_names(*, company_ids: list[int] | set[int]) -> dict[int, str]:
    """Names of many tenants in one query (analytics' tables and filter menus)."""
    return dict(Company.objects.filter(pk__in=[pk for pk in company_ids if pk]).values_list("pk", "name"))


def user_names(*, user_ids: list[int] | set[int]) -> dict[int, str]:
    """Display names of many users in one query: full name, else username."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(pk__in=[pk for pk in user_ids if pk])
    return {
        pk: f"{first} {last}".strip() or username
        for pk, username, first, last in users.values_list("pk", "username", "first_name", "last_name")
    }


# --- Matching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedCandidate:
    candidate: Candidate
    cv: CV
    keyword: Any  # recruiting.matching.KeywordMatch
    assessment: Any  # MatchAssessment | None: the cached LLM assessment in this anonymity mode
    applied: bool

    @property
    def combined_score(self) -> int:
        return self.assessment.combined_score if self.assessment is not None else self.keyword.score


def candidate_latest_cv(*, candidate: Candidate) -> CV | None:
    return candidate.cvs.filter(status=CV.Status.DONE).order_by("-created_at", "-id").first()


def ranking_pool(*, job: Job) -> list[tuple[Candidate, CV]]:
    """Every live candidate of the job's company with a parsed CV, each with their newest CV:
    a ranking is for sourcing, so it looks beyond the people who applied."""
    newest: dict[int, CV] = {}
    cvs = CV.objects.filter(company=job.company, status=CV.Status.DONE, candidate__merged_into=None)
    for cv in cvs.exclude(candidate=None).select_related("candidate").order_by("created_at", "id"):
        newest[cv.candidate_id] = cv  # type: ignore[index]
    return [(cv.candidate, cv) for cv in newest.values()]  # type: ignore[misc]


def job_ranking(*, job: Job, anonymized: bool) -> list[RankedCandidate]:
    """The pool ranked by combined score: keyword scores computed now, LLM assessments from cache."""
    from recruiting.matching.inputs import keyword_match_for
    from recruiting.models import MatchAssessment

    assessments = {
        assessment.candidate_id: assessment
        for assessment in MatchAssessment.objects.filter(
            company=job.company, job=job, feature=MatchAssessment.Feature.MATCH_CANDIDATE, anonymized=anonymized
        )
    }
    applicants = set(job.applications.values_list("candidate_id", flat=True))
    ranked = [
        RankedCandidate(
            candidate=candidate,
            cv=cv,
            keyword=keyword_match_for(job=job, cv=cv),
            assessment=_current(assessments.get(candidate.pk), cv),
            applied=candidate.pk in applicants,
        )
        for candidate, cv in ranking_pool(job=job)
    ]
    ranked.sort(key=lambda row: (-row.combined_score, -row.keyword.score, row.candidate.pk))
    return ranked


def _current(assessment: Any, cv: CV) -> Any:
    # An assessment of an older CV no longer describes the candidate.
    return assessment if assessment is not None and assessment.cv_id == cv.pk else None


def match_assessments_for(*, job: Job, candidate: Candidate, anonymized: bool) -> dict[str, Any]:
    """The cached assessments of one candidate for one job, by feature."""
    from recruiting.models import MatchAssessment

    rows = MatchAssessment.objects.filter(company=job.company, job=job, candidate=candidate, anonymized=anonymized)
    return {row.feature: row for row in rows}


# --- Candidate records: contact collisions, audit trail, documents ------------------------------


@dataclass(frozen=True)
class ContactCollision:
    """Another live candidate of the company already has this email or phone."""

    candidate: Candidate
    field: str  # "email" or "phone"


def candidate_contact_collision(
    *, company: Company, email: str, phone: str, exclude_id: int | None = None
) -> ContactCollision | None:
    """The candidate that deduplication would take for this email or phone (the same keys as
    `services.candidate_match_or_create`), other than `exclude_id`."""
    from recruiting.services.candidates import email_key, phone_key

    live = candidate_list(company=company).filter(merged_into=None).order_by("id")
    if exclude_id is not None:
        live = live.exclude(pk=exclude_id)
    for field, lookup, key in (("email", "email_key", email_key(email)), ("phone", "phone_key", phone_key(phone))):
        match = live.filter(**{lookup: key}).first() if key else None
        if match is not None:
            return ContactCollision(candidate=match, field=field)
    return None


def candidate_audit_trail(*, company: Company, candidate_id: int) -> QuerySet[Any]:
    from recruiting.models import AuditEvent

    return AuditEvent.objects.filter(company=company, candidate_id=candidate_id).select_related("actor")


def document_list(
    *, company: Company, candidate_id: int | None = None, job_id: int | None = None, kind: str = ""
) -> QuerySet[Any]:
    from recruiting.models import Document

    documents = Document.objects.filter(company=company).select_related("candidate", "job", "created_by")
    if candidate_id:
        documents = documents.filter(candidate_id=candidate_id)
    if job_id:
        documents = documents.filter(job_id=job_id)
    if kind:
        documents = documents.filter(kind=kind)
    return documents


# --- Resume chat --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatCVSection:
    key: str  # the parser's section key: "header", "experience", "skills", ...
    heading: str  # as written in the CV, or a readable name for the contact block
    text: str


@dataclass(frozen=True)
class ChatCV:
    """What resume chat may know about one CV: its text split into sections, and a few profile facts."""

    cv_id: int
    company_id: int
    candidate_name: str
    sections: tuple[ChatCVSection, ...]
    skills: tuple[str, ...]
    total_years_experience: float | None


_CHAT_SECTION_NAMES = {"header": "Contact details"}


def cv_for_chat(*, company: Company | int, cv_id: int) -> ChatCV | None:
    """The CV `cv_id` if it belongs to `company` (else None), split into sections for chat."""
    from recruiting.parsing.sections import split_sections
    from recruiting.parsing.skills import names_known_skill

    company_id = company if isinstance(company, int) else company.pk
    cv = CV.objects.filter(company_id=company_id, pk=cv_id).select_related("candidate").first()
    if cv is None:
        return None
    lines = [line.rstrip() for line in cv.text.replace("\r", "\n").split("\n") if line.strip()]
    sections = tuple(
        ChatCVSection(
            key=section.key,
            heading=section.heading.rstrip(":").strip() or _CHAT_SECTION_NAMES.get(section.key, section.key.title()),
            text="\n".join(section.lines),
        )
        for section in split_sections(lines, names_skills=names_known_skill)
        if section.lines
    )
    profile = cv.profile or {}
    candidate = cv.candidate
    years = profile.get("total_years_experience")
    return ChatCV(
        cv_id=cv.pk,
        company_id=company_id,
        candidate_name=(candidate.full_name if candidate else "") or str(profile.get("name") or "") or str(cv),
        sections=sections,
        skills=tuple(str(skill) for skill in (profile.get("skills") or [])[:20]),
        total_years_experience=float(years) if isinstance(years, int | float) else None,
    )


# --- Interviews and the AI panel -----------------------------------------------------------------


def company_members(*, company: Company) -> QuerySet[Any]:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(membership__company=company, is_active=True).order_by("username")


def interview_applications(*, company: Company) -> QuerySet[Application]:
    """Applications an interview can be scheduled for: live candidates, jobs not closed."""
    return (
        Application.objects.filter(company=company, candidate__merged_into=None)
        .exclude(job__status=Job.Status.CLOSED)
        .exclude(stage__in=[Application.Stage.REJECTED, Application.Stage.HIRED])
        .select_related("candidate", "job")
    )


def candidate_cv_versions(*, candidate: Candidate) -> QuerySet[CV]:
    """A candidate's CVs with text, newest first: each upload is a version."""
    return candidate.cvs.exclude(text="").order_by("-created_at", "-id")


def documents_about(*, company: Company, candidate: Candidate | None = None, job: Job | None = None) -> QuerySet[Any]:
    """Documents of the company about this candidate or this job (either one matches)."""
    from recruiting.models import Document

    about = Q(pk__in=[])
    if candidate is not None:
        about |= Q(candidate=candidate)
    if job is not None:
        about |= Q(job=job)
    return Document.objects.filter(company=company).filter(about).order_by("-created_at", "-id")


def applicant_cvs(*, job: Job) -> list[CV]:
    """The newest CV with text of each live applicant of a job."""
    newest: dict[int, CV] = {}
    cvs = CV.objects.filter(company=job.company, candidate__applications__job=job, candidate__merged_into=None).exclude(
        text=""
    )
    for cv in cvs.select_related("candidate").order_by("created_at", "id"):
        newest[cv.candidate_id] = cv  # type: ignore[index]
    return list(newest.values())


def ai_memory_notes(*, company: Company, job: Job, user: Any) -> QuerySet[Any]:
    """The AI memory notes of a job that `user` sees: the team's shared ones and their own."""
    from llm.models import AiMemory

    return AiMemory.objects.filter(tenant_id=company.pk, scope_type="job", scope_id=str(job.pk)).filter(
        Q(user_id__isnull=True) | Q(user_id=user.pk)
    )
