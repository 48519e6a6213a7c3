"""The AiRun changelist's date hierarchy, without a DISTINCT over every run (llm.admin_changelist)."""

from __future__ import annotations

import copy
from typing import Any

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy

from llm.admin_changelist import CalendarFromBounds

register = template.Library()


@register.inclusion_tag("admin/date_hierarchy.html")
def airun_date_hierarchy(cl: Any) -> dict[str, Any]:
    bounded = copy.copy(cl)
    bounded.queryset = CalendarFromBounds(cl.queryset)
    return date_hierarchy(bounded) or {}
