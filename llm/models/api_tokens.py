"""What the JSON API (/api/v1/ai/) adds: per-user API tokens and which plans may call each feature.

Only a SHA-256 hash of a token is stored, with a short prefix so people can tell tokens apart;
the token itself is shown once, when it is created (llm.api.tokens.api_token_create).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from llm.models.catalog import ANY


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ai_api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'ATS sync'.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(max_length=16, editable=False, help_text="The token's first characters.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"


class ApiFeatureAccess(models.Model):
    """Which tenant plans may call a feature through the JSON API.

    A feature without a row is open to every plan; an empty list closes it to the API.
    """

    feature = models.CharField(max_length=80, unique=True)
    allowed_plans = models.JSONField(
        default=list,
        blank=True,
        help_text=f'Plans that may call it, e.g. ["pro", "enterprise"]; "{ANY}" is every plan.',
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "API feature access"
        verbose_name_plural = "API feature access"
        ordering = ["feature"]

    def __str__(self) -> str:
        plans = ", ".join(self.allowed_plans) if self.allowed_plans else "closed"
        return f"{self.feature}: {plans}"

    def allows(self, plan: str) -> bool:
        return ANY in self.allowed_plans or plan in self.allowed_plans
