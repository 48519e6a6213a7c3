"""Seed the gateway: the local and OpenAI providers, their models and prices, routing rules,
and the v1 prompts from llm/prompts/ (label production)."""

from datetime import UTC, datetime
from decimal import Decimal

from django.db import migrations

from llm.prompt_files import prompt_files

PRICES_FROM = datetime(2024, 1, 1, tzinfo=UTC)
# name, tier, context window, max output, supports JSON, embedding, (input, cached input, output) USD / M tokens
OPENAI_MODELS = [
    ("gpt-4o-mini", "cheap", 128_000, 16_384, True, False, ("0.15", "0.075", "0.60")),
    ("gpt-4o", "premium", 128_000, 16_384, True, False, ("2.50", "1.25", "10.00")),
    ("text-embedding-3-small", "cheap", 8_191, 0, False, True, ("0.02", "0.02", "0")),
]
CHEAP_FEATURES = ["parse_cv", "embed_cv", "extract_company_info"]
GENERATIVE_FEATURES = [
    "generate_job_metadata",
    "generate_department_profile",
    "match_candidate",
    "recruiter_lens",
    "generate_interview_feedback",
    "resume_chat",
    "playground",
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Provider = apps.get_model("llm", "Provider")
    LLMModel = apps.get_model("llm", "LLMModel")
    ModelPrice = apps.get_model("llm", "ModelPrice")
    RoutingRule = apps.get_model("llm", "RoutingRule")
    PromptTemplate = apps.get_model("llm", "PromptTemplate")

    local = Provider.objects.create(name="local", kind="local", max_retries=0, timeout=30)
    LLMModel.objects.create(
        provider=local, name="local", tier="cheap", context_window=1_000_000, max_output_tokens=100_000
    )
    openai = Provider.objects.create(name="openai", kind="openai_compatible", api_key_env="OPENAI_API_KEY")
    for name, tier, window, max_output, supports_json, embedding, prices in OPENAI_MODELS:
        model = LLMModel.objects.create(
            provider=openai,
            name=name,
            tier=tier,
            context_window=window,
            max_output_tokens=max_output,
            supports_json=supports_json,
            is_embedding=embedding,
        )
        ModelPrice.objects.create(
            model=model,
            effective_from=PRICES_FROM,
            input_per_million=Decimal(prices[0]),
            cached_input_per_million=Decimal(prices[1]),
            output_per_million=Decimal(prices[2]),
        )

    RoutingRule.objects.create(feature="*", plan="*", chain=["gpt-4o-mini", "local"], priority=0)
    RoutingRule.objects.create(feature="embed_cv", plan="*", chain=["text-embedding-3-small", "local"], priority=0)
    for plan in ("pro", "enterprise"):
        for feature in GENERATIVE_FEATURES:
            RoutingRule.objects.create(feature=feature, plan=plan, chain=["gpt-4o", "gpt-4o-mini", "local"])
        for feature in CHEAP_FEATURES:
            chain = ["text-embedding-3-small", "local"] if feature == "embed_cv" else ["gpt-4o-mini", "local"]
            RoutingRule.objects.create(feature=feature, plan=plan, chain=chain)

    for prompt in prompt_files():
        PromptTemplate.objects.create(
            slug=prompt.slug,
            version=prompt.version,
            label="production",
            description=prompt.description,
            system_template=prompt.system_template,
            user_template=prompt.user_template,
            output_schema=prompt.output_schema,
            model_hint=prompt.model_hint,
            parameters=prompt.parameters,
        )


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    for name in ("PromptTemplate", "RoutingRule", "Provider"):
        apps.get_model("llm", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("llm", "0002_catalog_runs_budgets")]
    operations = [migrations.RunPython(seed, unseed)]
