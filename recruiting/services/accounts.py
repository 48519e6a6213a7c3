from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from recruiting.models import Company, Membership


@transaction.atomic
def company_get_or_create(*, slug: str, name: str, plan: str) -> Company:
    company, _ = Company.objects.get_or_create(slug=slug, defaults={"name": name, "plan": plan})
    return company


@transaction.atomic
def member_create(
    *, company: Company, username: str, email: str, password: str, role: str = Membership.Role.RECRUITER
) -> Any:
    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    Membership.objects.create(user=user, company=company, role=role)
    return user
