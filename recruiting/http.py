"""The request type recruiter views receive (after TenantMiddleware and HtmxMiddleware)."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from recruiting.models import Company


class TenantRequest(HttpRequest):
    htmx: HtmxDetails
    # Set by TenantMiddleware; never None inside views guarded by company_member_required.
    company: Company
