"""The timeliness tally per district and month (issue 21), kept by triggers (ledgers/tally.py)."""

import django.db.models.deletion
from django.db import migrations, models


def install(apps, schema_editor):
    from ledgers import tally

    tally.install()
    if apps.get_model("ledgers", "MonthlyReport").objects.exists():
        tally.rebuild()


def uninstall(apps, schema_editor):
    from ledgers import tally

    tally.uninstall()


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0019_issued_documents"),
        ("ledgers", "0015_month_figures"),
    ]

    operations = [
        migrations.CreateModel(
            name="TimelinessTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("period", models.DateField()),
                ("on_time", models.IntegerField(default=0)),
                ("late", models.IntegerField(default=0)),
                ("recorded_missing", models.IntegerField(default=0)),
                ("submitted", models.IntegerField(default=0)),
                (
                    "district",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="coordination.orgunit",
                    ),
                ),
            ],
            options={
                "verbose_name": "月报及时性汇总",
                "verbose_name_plural": "月报及时性汇总",
                "constraints": [
                    models.UniqueConstraint(fields=("district", "period"), name="timelinesstally_district_period")
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
