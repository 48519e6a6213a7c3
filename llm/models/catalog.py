"""What the gateway can call and how: providers, models, prices, prompts, routing and flags.

All of it is data, editable in admin; the code only reads it (llm.selectors).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

ANY = "*"


class Provider(models.Model):
    class Kind(models.TextChoices):
        OPENAI_COMPATIBLE = "openai_compatible", "OpenAI-compatible API"
        LOCAL = "local", "Built-in rule-based"

    name = models.SlugField(max_length=50, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    base_url = models.URLField(blank=True, help_text="Blank: settings.OPENAI_BASE_URL, else the OpenAI API.")
    api_key_env = models.CharField(
        max_length=100, blank=True, help_text="Name of the environment variable holding the key (never the key)."
    )
    enabled = models.BooleanField(default=True)
    timeout = models.FloatField(default=60.0, help_text="Seconds per attempt.")
    max_retries = models.PositiveSmallIntegerField(default=2)
    unhealthy_until = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LLMModel(models.Model):
    class Tier(models.TextChoices):
        CHEAP = "cheap", "Cheap"
        STANDARD = "standard", "Standard"
        PREMIUM = "premium", "Premium"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="models")
    name = models.CharField(max_length=100, help_text="The model id the provider expects.")
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.CHEAP)
    context_window = models.PositiveIntegerField(default=128_000)
    max_output_tokens = models.PositiveIntegerField(default=4_096)
    supports_json = models.BooleanField(default=True)
    is_embedding = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)

    class Meta:
        verbose_name = "LLM model"
        ordering = ["provider__name", "name"]
        constraints = [models.UniqueConstraint(fields=["provider", "name"], name="llmmodel_unique_name")]

    def __str__(self) -> str:
        return f"{self.provider.name}/{self.name}"


class ModelPrice(models.Model):
    """USD per million tokens, in force from `effective_from` until a newer row starts."""

    model = models.ForeignKey(LLMModel, on_delete=models.CASCADE, related_name="prices")
    effective_from = models.DateTimeField()
    input_per_million = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal(0))
    cached_input_per_million = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal(0))
    output_per_million = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal(0))

    class Meta:
        ordering = ["model", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["model", "effective_from"], name="modelprice_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.model} from {self.effective_from:%Y-%m-%d}"


class PromptTemplate(models.Model):
    class Label(models.TextChoices):
        PRODUCTION = "production", "Production"
        STAGING = "staging", "Staging"

    slug = models.SlugField(max_length=80, help_text="The feature this prompt serves.")
    version = models.PositiveIntegerField()
    label = models.CharField(max_length=20, choices=Label.choices, default=Label.STAGING)
    description = models.CharField(max_length=300, blank=True)
    system_template = models.TextField()
    user_template = models.TextField()
    output_schema = models.JSONField(null=True, blank=True, help_text="JSON Schema; blank for text output.")
    model_hint = models.CharField(max_length=100, blank=True, help_text="Preferred model name, if routable.")
    parameters = models.JSONField(default=dict, blank=True, help_text='e.g. {"temperature": 0.2, "max_tokens": 800}')
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [models.UniqueConstraint(fields=["slug", "version"], name="prompttemplate_unique_version")]

    def __str__(self) -> str:
        return f"{self.slug} v{self.version} ({self.label})"

    @property
    def json_output(self) -> bool:
        return bool(self.output_schema)


class RoutingRule(models.Model):
    """For (feature, plan), the models to try in order; the most specific, highest-priority rule wins."""

    feature = models.CharField(max_length=80, default=ANY, help_text='A feature slug or "*".')
    plan = models.CharField(max_length=20, default=ANY, help_text='A tenant plan or "*".')
    chain = models.JSONField(help_text='Ordered model names, e.g. ["gpt-4o", "gpt-4o-mini", "local"].')
    priority = models.IntegerField(default=0)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["-priority", "feature", "plan"]

    def __str__(self) -> str:
        return f"{self.feature} x {self.plan}: {' > '.join(self.chain or [])}"


class FeatureFlag(models.Model):
    """Feature "*" is the global kill switch; rollout is a stable hash of (feature, tenant, user)."""

    feature = models.CharField(max_length=80, unique=True)
    enabled = models.BooleanField(default=True)
    rollout_percent = models.PositiveSmallIntegerField(
        default=100, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["feature"]

    def __str__(self) -> str:
        state = f"{self.rollout_percent}%" if self.enabled else "off"
        return f"{self.feature}: {state}"
