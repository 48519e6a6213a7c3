"""Admin for analytics: the cost dashboard (under the DailySpend admin's URLs), rules and alerts."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import URLPattern, path

from analytics import views
from analytics.models import Alert, AlertRule, DailySpend
from llm.admin import ReadOnlyAdmin


@admin.register(DailySpend)
class DailySpendAdmin(ReadOnlyAdmin):
    """Read-only rows; the useful view of them is the dashboard registered here."""

    list_display = ["day", "tenant_id", "user_id", "feature", "model", "provider", "status", "calls", "cost"]
    list_filter = ["status", "provider"]
    date_hierarchy = "day"
    show_full_result_count = False

    def get_urls(self) -> list[URLPattern]:
        dashboard = [
            path("dashboard/", self.admin_site.admin_view(views.dashboard_view), name="analytics_dashboard"),
            path("export.csv", self.admin_site.admin_view(views.export_csv_view), name="analytics_export_csv"),
            path(
                "alerts/<int:alert_id>/dismiss/",
                self.admin_site.admin_view(views.alert_dismiss_view),
                name="analytics_alert_dismiss",
            ),
        ]
        return dashboard + super().get_urls()


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "threshold", "tenant_id", "min_calls", "email", "enabled"]
    list_filter = ["kind", "enabled"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["fired_at", "rule", "target", "window_start", "value", "emailed", "dismissed_at"]
    list_filter = ["rule", "emailed"]
    readonly_fields = [field.name for field in Alert._meta.fields]
    date_hierarchy = "fired_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
