from decimal import Decimal

from django.db import migrations

DEFAULT_RULES = [
    ("Spend over $10 per hour", "spend_per_hour", Decimal("10")),
    ("Budget at 80%", "budget_percent", Decimal("80")),
    ("Budget at 100%", "budget_percent", Decimal("100")),
    ("Error rate over 5% per hour", "error_rate", Decimal("5")),
]


def add_default_rules(apps, schema_editor):
    AlertRule = apps.get_model("analytics", "AlertRule")
    for name, kind, threshold in DEFAULT_RULES:
        AlertRule.objects.get_or_create(kind=kind, threshold=threshold, tenant_id=None, defaults={"name": name})


def remove_default_rules(apps, schema_editor):
    AlertRule = apps.get_model("analytics", "AlertRule")
    for _name, kind, threshold in DEFAULT_RULES:
        AlertRule.objects.filter(kind=kind, threshold=threshold, tenant_id=None).delete()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [migrations.RunPython(add_default_rules, remove_default_rules)]
