"""{% analytics_alert_banner %}: open alerts on admin pages (a read, no logic beyond the selector)."""

from __future__ import annotations

from typing import Any

from django import template

from analytics.selectors.alerts import alert_banner_list

register = template.Library()


@register.inclusion_tag("analytics/alert_banner.html", takes_context=True)
def analytics_alert_banner(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    return {"alerts": list(alert_banner_list()), "next": request.get_full_path() if request else ""}
