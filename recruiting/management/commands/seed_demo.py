"""Load demo data: two companies, their recruiters, jobs and a few CVs. Safe to run again.

Passwords are generated on first run and kept in var/demo_logins.json so that a second run
prints the same logins instead of resetting them.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from recruiting import services
from recruiting.models import Job, Membership

DEMO_DATA_DIR = Path(__file__).resolve().parents[2] / "demo_data"

COMPANIES: list[dict[str, Any]] = [
    {
        "slug": "acme",
        "name": "Acme Robotics",
        "plan": "pro",
        "users": [("alice", Membership.Role.ADMIN), ("arthur", Membership.Role.RECRUITER)],
        "jobs": [
            (
                "Senior Backend Engineer (Python/Django)",
                "Berlin",
                Job.Status.OPEN,
                "Build and scale the services behind our robot fleet. Python, Django, PostgreSQL, Celery.",
            ),
            (
                "Site Reliability Engineer",
                "Amsterdam",
                Job.Status.OPEN,
                "Run our Kubernetes platform on AWS; Terraform, Prometheus and on-call.",
            ),
            ("Data Scientist", "Remote (EU)", Job.Status.DRAFT, ""),
        ],
        "cvs": [
            "maria_schmidt.txt",
            "chen_wei.txt",
        ],
    },
    {
        "slug": "globex",
        "name": "Globex Health",
        "plan": "free",
        "users": [("bob", Membership.Role.ADMIN)],
        "jobs": [
            ("Product Designer", "Madrid", Job.Status.OPEN, "Design accessible patient-facing apps. Figma, research."),
            ("Machine Learning Engineer", "London", Job.Status.CLOSED, "Forecasting and ML for clinics."),
        ],
        "cvs": [
            "lucia_fernandez.txt",
            "james_okafor.txt",
        ],
    },
]
STAFF_USERNAME = "staff"


class Command(BaseCommand):
    help = "Load demo companies, recruiters, jobs and CVs (idempotent) and print the logins."

    def handle(self, *args: Any, **options: Any) -> None:
        logins_file = Path(settings.VAR_DIR) / "demo_logins.json"
        passwords: dict[str, str] = json.loads(logins_file.read_text()) if logins_file.exists() else {}
        user_model = get_user_model()

        def password_for(username: str) -> str:
            return passwords.setdefault(username, secrets.token_urlsafe(9))

        for spec in COMPANIES:
            company = services.company_get_or_create(slug=spec["slug"], name=spec["name"], plan=spec["plan"])
            for username, role in spec["users"]:
                if not user_model.objects.filter(username=username).exists():
                    services.member_create(
                        company=company,
                        username=username,
                        email=f"{username}@{spec['slug']}.example",
                        password=password_for(username),
                        role=role,
                    )
            creator = user_model.objects.filter(username=spec["users"][0][0]).first()
            if not company.jobs.exists():
                for title, location, status, description in spec["jobs"]:
                    services.job_create(
                        company=company,
                        title=title,
                        location=location,
                        status=status,
                        description=description,
                        created_by=creator,
                    )
            for filename in spec["cvs"]:
                services.cv_create_from_text(
                    company=company,
                    filename=filename,
                    text=(DEMO_DATA_DIR / filename).read_text(encoding="utf-8"),
                    uploaded_by=creator,
                )

        if not user_model.objects.filter(username=STAFF_USERNAME).exists():
            user_model.objects.create_superuser(
                username=STAFF_USERNAME, email="staff@headhunter.example", password=password_for(STAFF_USERNAME)
            )

        logins_file.write_text(json.dumps(passwords, indent=2))
        logins_file.chmod(0o600)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins:"))
        for username, password in passwords.items():
            user = user_model.objects.filter(username=username).select_related("membership__company").first()
            if user is None:
                continue
            where = (
                "staff (Django admin)" if user.is_staff else f"{user.membership.company.name} ({user.membership.role})"
            )
            self.stdout.write(f"  {username:<8} / {password:<14} {where}")
