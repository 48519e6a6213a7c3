"""Pre-aggregated spend: what the dashboard, the analyses and the alerts read instead of AiRun.

Each rollup row is one bucket of time (hour or day) x some of tenant, user, feature, model,
provider, status and error code. Several grains exist because the user dimension alone multiplies
the row count by the number of active users: an unfiltered 30-day view reads the global grain (a
few hundred rows a day), not the finest one. Rows are only ever rebuilt whole from AiRun
(analytics.services.rollups), so a bucket is always exact. Missing tenants and users are stored as
0, which keeps the unique constraints meaningful on every database (NULLs never collide).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

NO_ID = 0


class SpendMetrics(models.Model):
    """The additive measures of a set of finished runs (sums and counts only, so rows can be summed)."""

    DIMENSIONS: ClassVar[tuple[str, ...]] = ()

    calls = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0, help_text="Failed or lost runs.")
    cache_hits = models.PositiveIntegerField(default=0)
    fallback_calls = models.PositiveIntegerField(default=0)
    streaming_calls = models.PositiveIntegerField(default=0)
    estimated_usage_calls = models.PositiveIntegerField(default=0)
    input_tokens = models.BigIntegerField(default=0)
    cached_input_tokens = models.BigIntegerField(default=0, help_text="Part of input tokens.")
    output_tokens = models.BigIntegerField(default=0)
    reasoning_tokens = models.BigIntegerField(default=0, help_text="Part of output tokens.")
    compression_saved_tokens = models.BigIntegerField(default=0)
    cost = models.DecimalField(max_digits=18, decimal_places=8, default=0)
    cost_saved = models.DecimalField(max_digits=18, decimal_places=8, default=0)
    latency_count = models.PositiveIntegerField(default=0)
    latency_sum_ms = models.BigIntegerField(default=0)
    ttft_count = models.PositiveIntegerField(default=0)
    ttft_sum_ms = models.BigIntegerField(default=0)
    queue_count = models.PositiveIntegerField(default=0)
    queue_sum_ms = models.BigIntegerField(default=0)
    # Streaming runs with both timings: the part after the first token is streaming time.
    stream_timed_count = models.PositiveIntegerField(default=0)
    stream_latency_sum_ms = models.BigIntegerField(default=0)
    stream_ttft_sum_ms = models.BigIntegerField(default=0)
    # Fixed-bucket histograms (analytics.histograms.BOUNDS_MS) so that percentiles add up.
    latency_b00 = models.PositiveIntegerField(default=0)
    latency_b01 = models.PositiveIntegerField(default=0)
    latency_b02 = models.PositiveIntegerField(default=0)
    latency_b03 = models.PositiveIntegerField(default=0)
    latency_b04 = models.PositiveIntegerField(default=0)
    latency_b05 = models.PositiveIntegerField(default=0)
    latency_b06 = models.PositiveIntegerField(default=0)
    latency_b07 = models.PositiveIntegerField(default=0)
    latency_b08 = models.PositiveIntegerField(default=0)
    latency_b09 = models.PositiveIntegerField(default=0)
    latency_b10 = models.PositiveIntegerField(default=0)
    latency_b11 = models.PositiveIntegerField(default=0)
    latency_b12 = models.PositiveIntegerField(default=0)
    latency_b13 = models.PositiveIntegerField(default=0)
    latency_b14 = models.PositiveIntegerField(default=0)
    latency_b15 = models.PositiveIntegerField(default=0)
    latency_b16 = models.PositiveIntegerField(default=0)
    ttft_b00 = models.PositiveIntegerField(default=0)
    ttft_b01 = models.PositiveIntegerField(default=0)
    ttft_b02 = models.PositiveIntegerField(default=0)
    ttft_b03 = models.PositiveIntegerField(default=0)
    ttft_b04 = models.PositiveIntegerField(default=0)
    ttft_b05 = models.PositiveIntegerField(default=0)
    ttft_b06 = models.PositiveIntegerField(default=0)
    ttft_b07 = models.PositiveIntegerField(default=0)
    ttft_b08 = models.PositiveIntegerField(default=0)
    ttft_b09 = models.PositiveIntegerField(default=0)
    ttft_b10 = models.PositiveIntegerField(default=0)
    ttft_b11 = models.PositiveIntegerField(default=0)
    ttft_b12 = models.PositiveIntegerField(default=0)
    ttft_b13 = models.PositiveIntegerField(default=0)
    ttft_b14 = models.PositiveIntegerField(default=0)
    ttft_b15 = models.PositiveIntegerField(default=0)
    ttft_b16 = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


# Dimensions of the rollup grains. Missing tenants and users are stored as NO_ID.
ALL_DIMENSIONS = ("tenant_id", "user_id", "feature", "model", "provider", "status", "error_code")
RUN_DIMENSIONS = ("feature", "model", "provider", "status", "error_code")


def _tenant() -> models.BigIntegerField:
    return models.BigIntegerField(default=NO_ID)


def _user() -> models.BigIntegerField:
    return models.BigIntegerField(default=NO_ID)


class RunDimensions(models.Model):
    feature = models.CharField(max_length=80, blank=True)
    model = models.CharField(max_length=100, blank=True)
    provider = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=20)
    error_code = models.CharField(max_length=50, blank=True)

    class Meta:
        abstract = True


class HourlySpend(RunDimensions, SpendMetrics):
    """Runs by the UTC hour they were created in, per tenant: the hourly alerts' input."""

    DIMENSIONS = ("tenant_id", *RUN_DIMENSIONS)
    hour = models.DateTimeField()
    tenant_id = _tenant()

    class Meta:
        verbose_name = "hourly spend"
        verbose_name_plural = "hourly spend"
        constraints = [
            models.UniqueConstraint(fields=["hour", "tenant_id", *RUN_DIMENSIONS], name="hourlyspend_unique")
        ]
        indexes = [models.Index(fields=["tenant_id", "hour"], name="hourlyspend_tenant_hour")]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}h {self.feature} {self.model} {self.status}: ${self.cost}"


class DailySpend(RunDimensions, SpendMetrics):
    """The finest grain, per UTC day: read when a view filters by user, and by the CSV export."""

    DIMENSIONS = ALL_DIMENSIONS
    day = models.DateField()
    tenant_id = _tenant()
    user_id = _user()

    class Meta:
        verbose_name = "daily spend"
        verbose_name_plural = "daily spend"
        constraints = [models.UniqueConstraint(fields=["day", *ALL_DIMENSIONS], name="dailyspend_unique")]
        indexes = [
            models.Index(fields=["day"], name="dailyspend_day"),
            models.Index(fields=["user_id", "day"], name="dailyspend_user_day"),
            models.Index(fields=["tenant_id", "day"], name="dailyspend_tenant_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.feature} {self.model} {self.status}: ${self.cost}"


class DailyTenantSpend(RunDimensions, SpendMetrics):
    """DailySpend without the user: what a company-filtered view and "top companies" read."""

    DIMENSIONS = ("tenant_id", *RUN_DIMENSIONS)
    day = models.DateField()
    tenant_id = _tenant()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "tenant_id", *RUN_DIMENSIONS], name="dailytenantspend_unique")
        ]
        indexes = [models.Index(fields=["tenant_id", "day"], name="dailytenantspend_tenant_day")]

    def __str__(self) -> str:
        return f"{self.day} tenant {self.tenant_id} {self.feature} {self.status}: ${self.cost}"


class DailyGlobalSpend(RunDimensions, SpendMetrics):
    """DailySpend without tenant and user: what an unfiltered view reads (a few hundred rows a day)."""

    DIMENSIONS = RUN_DIMENSIONS
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", *RUN_DIMENSIONS], name="dailyglobalspend_unique")]
        indexes = [models.Index(fields=["day"], name="dailyglobalspend_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.feature} {self.model} {self.status}: ${self.cost}"


class DailyCompanySpend(SpendMetrics):
    """Per day x tenant, no other dimension: what "top companies" and the company menu read."""

    DIMENSIONS = ("tenant_id",)
    day = models.DateField()
    tenant_id = _tenant()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "tenant_id"], name="dailycompanyspend_unique")]
        indexes = [models.Index(fields=["day"], name="dailycompanyspend_day")]

    def __str__(self) -> str:
        return f"{self.day} tenant {self.tenant_id}: ${self.cost}"


class DailyUserSpend(SpendMetrics):
    """Per day x tenant x user, no other dimension: what "top users" reads."""

    DIMENSIONS = ("tenant_id", "user_id")
    day = models.DateField()
    tenant_id = _tenant()
    user_id = _user()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "tenant_id", "user_id"], name="dailyuserspend_unique")]
        indexes = [
            models.Index(fields=["day"], name="dailyuserspend_day"),
            models.Index(fields=["tenant_id", "day"], name="dailyuserspend_tenant_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} user {self.user_id}: ${self.cost}"


# Coarsest first: a read uses the first grain that has every dimension it filters or groups by.
# (Typed loosely: django-stubs cannot see `day` through the abstract base the grains share.)
DAILY_GRAINS: tuple[Any, ...] = (DailyGlobalSpend, DailyCompanySpend, DailyUserSpend, DailyTenantSpend, DailySpend)


class SubjectSpend(models.Model):
    """Lifetime spend per object a run was about (a job, a candidate, a CV)."""

    subject_type = models.CharField(max_length=80)
    subject_id = models.CharField(max_length=64)
    tenant_id = models.BigIntegerField(default=NO_ID)
    calls = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    input_tokens = models.BigIntegerField(default=0)
    output_tokens = models.BigIntegerField(default=0)
    cost = models.DecimalField(max_digits=18, decimal_places=8, default=0)
    first_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject_type", "subject_id", "tenant_id"], name="subjectspend_unique")
        ]
        indexes = [models.Index(fields=["subject_type", "cost"], name="subjectspend_type_cost")]

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_id}: ${self.cost}"


class RollupWatermark(models.Model):
    """How far the incremental refresh has read (one row); locked while a refresh runs."""

    name = models.CharField(max_length=40, unique=True)
    finished_through = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} through {self.finished_through}"


class AlertRule(models.Model):
    class Kind(models.TextChoices):
        SPEND_PER_HOUR = "spend_per_hour", "Spend per hour over threshold (USD)"
        BUDGET_PERCENT = "budget_percent", "Budget used at or over threshold (%)"
        ERROR_RATE = "error_rate", "Error rate per hour over threshold (%)"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    threshold = models.DecimalField(max_digits=14, decimal_places=4)
    tenant_id = models.BigIntegerField(null=True, blank=True, help_text="Blank: all tenants together.")
    min_calls = models.PositiveIntegerField(default=20, help_text="Error rate: ignore hours with fewer calls.")
    enabled = models.BooleanField(default=True)
    email = models.BooleanField(default=True, help_text="Also email settings.ADMINS_EMAILS.")

    class Meta:
        ordering = ["kind", "threshold"]

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    """One firing of a rule for one window; the unique key makes a second firing impossible."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    # What crossed the threshold: "" for a global rule, "tenant:3", "budget:12"…
    target = models.CharField(max_length=80, blank=True)
    window_start = models.DateTimeField()
    value = models.DecimalField(max_digits=18, decimal_places=8)
    message = models.CharField(max_length=500)
    fired_at = models.DateTimeField(auto_now_add=True)
    emailed = models.BooleanField(default=False)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-fired_at"]
        constraints = [models.UniqueConstraint(fields=["rule", "target", "window_start"], name="alert_once_per_window")]
        indexes = [models.Index(fields=["dismissed_at", "fired_at"], name="alert_open")]

    def __str__(self) -> str:
        return self.message
