"""The record of every call (AiRun) and the memory fed into prompts (AiMemory).

AiRun may live in its own database (llm.db_router), so it names tenants, users and subjects
by plain ids rather than foreign keys.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class AiRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        REFUSED = "refused", "Refused"
        LOST = "lost", "Lost"
        CACHED = "cached", "Cached"

    feature = models.CharField(max_length=80)
    tenant_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    provider = models.CharField(max_length=50, blank=True)
    model = models.CharField(max_length=100, blank=True)
    prompt_slug = models.CharField(max_length=80, blank=True)
    prompt_version = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    input_tokens = models.PositiveIntegerField(default=0)
    cached_input_tokens = models.PositiveIntegerField(default=0, help_text="Part of input tokens.")
    output_tokens = models.PositiveIntegerField(default=0)
    reasoning_tokens = models.PositiveIntegerField(default=0, help_text="Part of output tokens.")
    usage_estimated = models.BooleanField(default=False)
    cost = models.DecimalField(max_digits=14, decimal_places=8, default=Decimal(0))
    cost_saved = models.DecimalField(max_digits=14, decimal_places=8, default=Decimal(0))
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    ttft_ms = models.PositiveIntegerField(null=True, blank=True)
    queue_ms = models.PositiveIntegerField(null=True, blank=True)
    streaming = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    fallback_used = models.BooleanField(default=False)
    error_code = models.CharField(max_length=50, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    subject_type = models.CharField(max_length=80, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    compression_saved_tokens = models.PositiveIntegerField(default=0)
    cache_hit = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "AI run"
        ordering = ["-created_at", "-id"]
        indexes = [
            # (created_at, id) serves the changelist's ORDER BY -created_at, -id straight from the index.
            models.Index(fields=["created_at", "id"], name="airun_created_id"),
            models.Index(fields=["finished_at"], name="airun_finished"),
            models.Index(fields=["status", "created_at"], name="airun_status_created"),
            models.Index(fields=["provider", "created_at"], name="airun_provider_created"),
            models.Index(fields=["model", "created_at"], name="airun_model_created"),
            models.Index(fields=["tenant_id", "created_at"], name="airun_tenant_created"),
            models.Index(fields=["feature", "created_at"], name="airun_feature_created"),
            models.Index(fields=["request_id"], name="airun_request"),
            models.Index(fields=["subject_type", "subject_id"], name="airun_subject"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.feature} {self.status}"

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class AiMemory(models.Model):
    """Key-value context fed into prompts, e.g. a recruiter's preferences for one job."""

    tenant_id = models.BigIntegerField(db_index=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    scope_type = models.CharField(max_length=40, help_text='e.g. "job", "user".')
    scope_id = models.CharField(max_length=64)
    key = models.CharField(max_length=100)
    value = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "AI memory"
        verbose_name_plural = "AI memories"
        ordering = ["scope_type", "scope_id", "key"]
        constraints = [
            # Two constraints because NULL user ids never collide in a plain unique index.
            models.UniqueConstraint(
                fields=["tenant_id", "user_id", "scope_type", "scope_id", "key"],
                condition=models.Q(user_id__isnull=False),
                name="aimemory_unique_user_key",
            ),
            models.UniqueConstraint(
                fields=["tenant_id", "scope_type", "scope_id", "key"],
                condition=models.Q(user_id__isnull=True),
                name="aimemory_unique_shared_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_type}:{self.scope_id} {self.key}"
