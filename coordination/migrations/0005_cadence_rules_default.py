"""The notice's cadence (R-2.4) as the initial rules; administrators edit them in the admin afterwards."""

from django.db import migrations

RULES = [
    # kind, level, period, min, max, note
    ("joint_conference", "municipal", "quarter", 1, 2, "联席会议原则上每季度召开1-2次"),
    ("district_regular", "district", "month", 1, None, "各区每月至少召开1次例会"),
    ("district_onsite", "district", "month", 1, None, "各区每月至少召开1次现场推动会"),
    ("onsite_supervision", "district", "quarter", 1, 2, "市特镇办每季度到各区开展1-2次现场督办服务"),
    ("study_tour", "municipal", "year", 1, 2, "市特镇办每年组织1-2次外出考察学习"),
]


def create_rules(apps, schema_editor):
    CadenceRule = apps.get_model("coordination", "CadenceRule")
    if CadenceRule.objects.exists():
        return
    CadenceRule.objects.bulk_create(
        CadenceRule(kind=kind, level=level, period=period, required_min=low, required_max=high, note=note, order=i)
        for i, (kind, level, period, low, high, note) in enumerate(RULES, start=1)
    )


def remove_rules(apps, schema_editor):
    CadenceRule = apps.get_model("coordination", "CadenceRule")
    CadenceRule.objects.filter(kind__in=[rule[0] for rule in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("coordination", "0004_calendar")]

    operations = [migrations.RunPython(create_rules, remove_rules)]
