"""Tenant scoping and the plan gate.

The tenant comes from settings.LLM_TENANT_RESOLVER (a dotted path to a function taking `user=`),
so that llm never imports the app that owns tenants.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils.module_loading import import_string

from llm.api.errors import ApiError
from llm.api.payloads import CallRequest
from llm.models import ANY, ApiFeatureAccess
from llm.selectors import catalog


@cache
def _tenant_resolver(path: str) -> Callable[..., Any]:
    return import_string(path)


def _tenant_for(user: Any) -> Any:
    return _tenant_resolver(settings.LLM_TENANT_RESOLVER)(user=user)


def _check_feature_known(call: CallRequest) -> None:
    prompts = catalog()
    if prompts.prompt(call.feature) is None:
        raise ApiError(status=404, code="unknown_feature", message=f"No AI feature is called {call.feature!r}.")
    version = call.overrides.prompt_version
    if version is not None and prompts.prompt(call.feature, version) is None:
        raise ApiError(status=400, code="invalid_request", message=f"{call.feature!r} has no prompt version {version}.")


def _check_plan_allowed(call: CallRequest, plan: str) -> None:
    access = ApiFeatureAccess.objects.filter(feature=call.feature).first()
    if access is not None and not access.allows(plan):
        raise ApiError(
            status=403,
            code="plan_not_allowed",
            message=f"The {plan!r} plan cannot call {call.feature!r} through the API.",
        )


def _admitted_tenant(*, user: Any, call: CallRequest) -> Any:
    _check_feature_known(call)
    tenant = _tenant_for(user)
    if tenant is None:
        raise ApiError(status=403, code="no_tenant", message="This user does not belong to a company.")
    _check_plan_allowed(call, getattr(tenant, "plan", ANY) or ANY)
    return tenant


async def admitted_tenant(*, user: Any, call: CallRequest) -> Any:
    """The caller's tenant, once the feature exists and the tenant's plan may call it."""
    return await sync_to_async(_admitted_tenant)(user=user, call=call)
