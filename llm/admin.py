"""Admin for the gateway: configuration is editable; AiRun is a read-only record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from config.pagination import EstimatedCountPaginator
from llm.admin_changelist import FeatureFilter, ModelFilter, ProviderFilter
from llm.api.tokens import api_token_set_secret
from llm.models import (
    AiMemory,
    AiRun,
    ApiFeatureAccess,
    ApiToken,
    Budget,
    BudgetReservation,
    FeatureFlag,
    LLMModel,
    ModelPrice,
    PromptTemplate,
    Provider,
    RoutingRule,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LLMModelInline(admin.TabularInline):
    model = LLMModel
    extra = 0


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "base_url", "api_key_env", "enabled", "consecutive_failures", "unhealthy_until"]
    list_filter = ["kind", "enabled"]
    readonly_fields = ["consecutive_failures", "unhealthy_until", "last_error", "last_checked_at"]
    inlines = [LLMModelInline]


class ModelPriceInline(admin.TabularInline):
    model = ModelPrice
    extra = 0


@admin.register(LLMModel)
class LLMModelAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "tier", "context_window", "supports_json", "is_embedding", "enabled"]
    list_filter = ["provider", "tier", "is_embedding", "enabled"]
    search_fields = ["name"]
    inlines = [ModelPriceInline]


@admin.register(ModelPrice)
class ModelPriceAdmin(admin.ModelAdmin):
    list_display = ["model", "effective_from", "input_per_million", "cached_input_per_million", "output_per_million"]
    list_filter = ["model"]
    date_hierarchy = "effective_from"


@admin.register(PromptTemplate)
class PromptTemplateAdmin(admin.ModelAdmin):
    list_display = ["slug", "version", "label", "model_hint", "created_at"]
    list_filter = ["label", "slug"]
    search_fields = ["slug", "description"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["feature", "plan", "chain", "priority", "enabled"]
    list_filter = ["plan", "enabled"]
    search_fields = ["feature"]


@admin.register(FeatureFlag)
class FeatureFlagAdmin(admin.ModelAdmin):
    list_display = ["feature", "enabled", "rollout_percent", "updated_at"]
    list_editable = ["enabled", "rollout_percent"]


class BudgetReservationInline(admin.TabularInline):
    model = BudgetReservation
    extra = 0
    can_delete = False
    readonly_fields = ["period_start", "amount", "actual", "status", "run_id", "created_at", "expires_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "scope", "period", "cap_usd", "hard", "spent", "reserved", "period_start", "enabled"]
    list_filter = ["scope", "period", "hard", "enabled"]
    readonly_fields = ["period_start", "spent", "reserved", "alerted_at"]
    inlines = [BudgetReservationInline]


@admin.register(BudgetReservation)
class BudgetReservationAdmin(ReadOnlyAdmin):
    list_display = ["budget", "amount", "actual", "status", "run_id", "created_at", "expires_at"]
    list_filter = ["status"]


@admin.register(AiRun)
class AiRunAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "feature",
        "status",
        "provider",
        "model",
        "input_tokens",
        "output_tokens",
        "cost",
        "latency_ms",
        "streaming",
        "tenant_id",
    ]
    # Catalog-backed filters and a bounds-only calendar: see llm/admin_changelist.py.
    list_filter = ["status", FeatureFilter, ProviderFilter, ModelFilter, "streaming", "cache_hit", "usage_estimated"]
    date_hierarchy = "created_at"
    search_fields = ["request_id"]
    search_help_text = "Exact request ID (from the X-Request-ID header or a log line)."
    paginator = EstimatedCountPaginator
    show_full_result_count = False  # counting millions of rows on every page load is the slow part

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[AiRun], search_term: str
    ) -> tuple[QuerySet[AiRun], bool]:
        # An exact, case-sensitive match: `=request_id` would compare UPPER(...) and skip the index.
        request_id = search_term.strip()
        return (queryset.filter(request_id=request_id) if request_id else queryset), False


@admin.register(AiMemory)
class AiMemoryAdmin(admin.ModelAdmin):
    list_display = ["tenant_id", "user_id", "scope_type", "scope_id", "key", "updated_at"]
    list_filter = ["scope_type"]
    search_fields = ["key", "scope_id"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Adding a token shows its secret once, in the success message; only its hash is kept."""

    list_display = ["name", "user", "token_prefix", "created_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name", "user__username", "token_prefix"]
    readonly_fields = ["token_prefix", "created_at", "last_used_at"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Sequence[str]:  # type: ignore[override]
        return (
            ["user", "name"]
            if obj is None
            else ["user", "name", "token_prefix", "created_at", "last_used_at", "revoked"]
        )

    def save_model(self, request: HttpRequest, obj: ApiToken, form: ModelForm, change: bool) -> None:
        raw_token = api_token_set_secret(token=obj) if not change else ""
        super().save_model(request, obj, form, change)
        if raw_token:
            messages.warning(request, f"Copy the token now, it will not be shown again: {raw_token}")

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = queryset.update(revoked=True)
        messages.success(request, f"Revoked {revoked} token(s).")


@admin.register(ApiFeatureAccess)
class ApiFeatureAccessAdmin(admin.ModelAdmin):
    """Plan gating of the JSON API: no row means every plan; an empty list closes the feature."""

    list_display = ["feature", "allowed_plans", "note"]
    search_fields = ["feature"]
