"""The tenant (Company), its members, and the first recruiting records.

Every record below Company carries a `company` foreign key so that tenant scoping is one
filter, applied in selectors, never forgotten in a view.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Company(models.Model):
    class Plan(models.TextChoices):
        FREE = "free", "Free"
        PRO = "pro", "Pro"
        ENTERPRISE = "enterprise", "Enterprise"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.FREE)
    # The company profile (extract_company_info, reviewed by a person before it is saved).
    website = models.URLField(max_length=500, blank=True)
    mission = models.TextField(blank=True)
    values = models.JSONField(default=list, blank=True)
    size = models.CharField(max_length=20, blank=True, help_text="Employee count band, e.g. 51-200")
    industry = models.CharField(max_length=200, blank=True)
    profile = models.JSONField(default=dict, blank=True, help_text="Further extracted facts: locations, technologies")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user belongs to exactly one company; the role decides what they may administer."""

    class Role(models.TextChoices):
        RECRUITER = "recruiter", "Recruiter"
        ADMIN = "admin", "Admin"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.RECRUITER)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} @ {self.company} ({self.role})"


class Department(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    technologies = models.JSONField(default=list, blank=True)
    job_templates = models.JSONField(default=list, blank=True, help_text="Titles of roles the department hires for")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return self.name


class Job(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="jobs")
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs")
    title = models.CharField(max_length=200)
    location = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    responsibilities = models.JSONField(default=list, blank=True)
    qualifications = models.JSONField(default=list, blank=True)
    skills = models.JSONField(default=list, blank=True)
    benefits = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "status"])]

    def __str__(self) -> str:
        return self.title


class Candidate(models.Model):
    """A deduplicated person: the same email or phone within a company is the same candidate."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="candidates")
    full_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    # Normalised copies are what deduplication matches on ("+49 30 123" == "004930123").
    email_key = models.CharField(max_length=254, blank=True, db_index=True)
    phone_key = models.CharField(max_length=32, blank=True, db_index=True)
    location = models.CharField(max_length=200, blank=True)
    headline = models.CharField(max_length=300, blank=True)
    skills = models.JSONField(default=list, blank=True)
    total_years_experience = models.FloatField(null=True, blank=True)
    injection_warnings = models.JSONField(default=list, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "email_key"]), models.Index(fields=["company", "phone_key"])]
        # Two parses of the same person's CVs at once must not create two candidates: the
        # database, not only a lookup before the insert, keeps one per email and per phone.
        constraints = [
            models.UniqueConstraint(
                fields=["company", key],
                condition=models.Q(merged_into=None) & ~models.Q(**{key: ""}),
                name=f"candidate_one_per_{key}",
            )
            for key in ("email_key", "phone_key")
        ]

    def __str__(self) -> str:
        return self.full_name or f"Candidate #{self.pk}"


class CV(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        EXTRACTING = "extracting", "Extracting"
        PARSING = "parsing", "Parsing"
        EMBEDDING = "embedding", "Embedding"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="cvs")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, null=True, blank=True, related_name="cvs")
    file = models.FileField(upload_to="cvs/%Y/%m/", blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    file_type = models.CharField(max_length=10, blank=True)
    size_bytes = models.PositiveIntegerField(default=0)
    text = models.TextField(blank=True)
    # Text a human reader cannot see (white-on-white, tiny fonts): kept out of `text`, checked
    # for instructions aimed at the model.
    hidden_text = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    status_message = models.CharField(max_length=500, blank=True)
    profile = models.JSONField(default=dict, blank=True)
    parser_used = models.CharField(max_length=100, blank=True, help_text="provider/model that produced the profile")
    prompt_version = models.PositiveIntegerField(null=True, blank=True)
    parsed_at = models.DateTimeField(null=True, blank=True)
    embedding = models.JSONField(null=True, blank=True)
    embedding_model = models.CharField(max_length=100, blank=True)
    embedded_at = models.DateTimeField(null=True, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "CV"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "content_hash"],
                condition=~models.Q(content_hash=""),
                name="cv_unique_content_per_company",
            )
        ]

    def __str__(self) -> str:
        return self.original_filename or f"CV #{self.pk}"


class Application(models.Model):
    class Stage(models.TextChoices):
        APPLIED = "applied", "Applied"
        SCREENING = "screening", "Screening"
        INTERVIEW = "interview", "Interview"
        OFFER = "offer", "Offer"
        HIRED = "hired", "Hired"
        REJECTED = "rejected", "Rejected"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="applications")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="applications")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="applications")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.APPLIED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["candidate", "job"], name="application_unique_candidate_job")]

    def __str__(self) -> str:
        return f"{self.candidate} → {self.job} ({self.stage})"


class Document(models.Model):
    """A saved AI output or a recruiter's note, about a candidate and/or a job."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        AI_OUTPUT = "ai_output", "AI output"
        CV_VERSION = "cv_version", "CV version"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="documents")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, null=True, blank=True, related_name="documents")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, null=True, blank=True, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NOTE)
    title = models.CharField(max_length=300)
    content = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class AuditEvent(models.Model):
    """Who viewed, changed, exported or erased a candidate (kept after erasure, without PII)."""

    class Action(models.TextChoices):
        VIEWED = "viewed", "Viewed"
        CHANGED = "changed", "Changed"
        EXPORTED = "exported", "Exported"
        ERASED = "erased", "Erased"
        MERGED = "merged", "Merged"
        UPLOADED = "uploaded", "Uploaded"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    candidate_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} candidate #{self.candidate_id}"


class Interview(models.Model):
    class Recommendation(models.TextChoices):
        STRONG_YES = "strong_yes", "Strong yes"
        YES = "yes", "Yes"
        NO = "no", "No"
        STRONG_NO = "strong_no", "Strong no"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="interviews")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="interviews")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="interviews")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    feedback = models.TextField(blank=True)
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices, blank=True)
    # The AiRun whose answer the saved feedback started from (None: written by hand).
    feedback_run_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-scheduled_at", "-id"]

    def __str__(self) -> str:
        return f"{self.candidate} for {self.job}"


class MatchAssessment(models.Model):
    """A cached LLM assessment of one candidate for one job (one per feature and anonymity mode);
    the ranking page reads these instead of calling a model on every view."""

    class Feature(models.TextChoices):
        MATCH_CANDIDATE = "match_candidate", "Match score"
        RECRUITER_LENS = "recruiter_lens", "Recruiter lens"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="match_assessments")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="match_assessments")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="match_assessments")
    cv = models.ForeignKey(CV, on_delete=models.SET_NULL, null=True, blank=True, related_name="match_assessments")
    feature = models.CharField(max_length=40, choices=Feature.choices, default=Feature.MATCH_CANDIDATE)
    anonymized = models.BooleanField(default=False)
    keyword_score = models.PositiveSmallIntegerField()
    llm_score = models.PositiveSmallIntegerField(null=True, blank=True)
    combined_score = models.PositiveSmallIntegerField()
    injection_flagged = models.BooleanField(default=False)
    output = models.JSONField(default=dict, blank=True)
    rule_based = models.BooleanField(default=False)
    model_used = models.CharField(max_length=200, blank=True)
    run_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-combined_score", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "candidate", "feature", "anonymized"], name="match_assessment_unique_per_mode"
            )
        ]
        indexes = [models.Index(fields=["company", "job", "feature"])]

    def __str__(self) -> str:
        return f"{self.candidate} for {self.job}: {self.combined_score}"
