"""Interview fixtures shared by the interview feedback and AI panel tests."""

from __future__ import annotations

from recruiting import services
from recruiting.models import CV, Candidate, Interview
from recruiting.services.interviews import interview_create
from tests.conftest import Tenant

CV_TEXT = """Ana Silva
Backend developer, Lisbon
Skills: Python, Django, Docker
2019-2024 Senior Engineer at Shopware: built payment APIs in Python and Django.
"""
NOTES = (
    "Strong Python answers: she explained how she built a Django payment API handling 3 million requests a day. "
    "Struggled with PostgreSQL indexing questions and could not explain a query plan. "
    "Clear, structured walk-through of the system design exercise."
)


def interview_for(tenant: Tenant, *, notes: str = NOTES, cv_text: str = CV_TEXT, name: str = "Ana Silva") -> Interview:
    company = tenant.company
    job = services.job_create(
        company=company,
        title="Backend Engineer",
        location="Berlin",
        description="Build and run our Python services.",
        skills=["Python", "PostgreSQL", "Kubernetes"],
    )
    candidate = Candidate.objects.create(company=company, full_name=name)
    CV.objects.create(
        company=company, candidate=candidate, text=cv_text, status=CV.Status.DONE, original_filename="ana.txt"
    )
    application = services.application_upsert(candidate=candidate, job=job)
    return interview_create(application=application, interviewer=tenant.user, notes=notes)
