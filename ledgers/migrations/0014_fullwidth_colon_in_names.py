"""「其中:」 → 「其中：」 in the catalogue's indicator names and the rules' descriptions (issue 19): Chinese text takes
the full-width colon. Names an office changed itself are left as they are; only the ASCII colon after 其中 is
replaced, so the catalogue's other text is untouched."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Replace

ASCII, FULL_WIDTH = "其中:", "其中："


def _replace(apps, old: str, new: str) -> None:
    Indicator = apps.get_model("ledgers", "Indicator")
    ValidationRule = apps.get_model("ledgers", "ValidationRule")
    Indicator.objects.filter(name__contains=old).update(name=Replace("name", Value(old), Value(new)))
    ValidationRule.objects.filter(description__contains=old).update(
        description=Replace("description", Value(old), Value(new))
    )


def forwards(apps, schema_editor):
    _replace(apps, ASCII, FULL_WIDTH)


def backwards(apps, schema_editor):
    _replace(apps, FULL_WIDTH, ASCII)


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0013_figures_changed_at")]

    operations = [migrations.RunPython(forwards, backwards)]
