"""The initial indicator catalogue of SPEC §7 (administrators edit it afterwards)."""

from django.db import migrations

# code, name, unit, kind, decimal places, part of
CATALOGUE = [
    ("fixed_asset_investment", "固定资产投资", "万元", "flow", 2, None),
    ("industry_investment", "其中:特色产业投资", "万元", "flow", 2, "fixed_asset_investment"),
    ("private_investment", "其中:民间投资", "万元", "flow", 2, "fixed_asset_investment"),
    ("tax_revenue", "税收收入", "万元", "flow", 2, None),
    ("main_business_revenue", "主营业务收入", "万元", "flow", 2, None),
    ("land_quota_granted", "新增建设用地指标", "亩", "flow", 2, None),
    ("land_supplied", "供地面积", "亩", "flow", 2, None),
    ("new_enterprises", "新入驻企业", "家", "flow", 0, None),
    ("employment", "就业人数", "人", "stock", 0, None),
    ("tourists", "接待游客", "万人次", "flow", 2, None),
    ("projects_started", "新开工项目", "个", "flow", 0, None),
    ("projects_completed", "竣工项目", "个", "flow", 0, None),
]


def load(apps, schema_editor):
    Indicator = apps.get_model("ledgers", "Indicator")
    created = {}
    for order, (code, name, unit, kind, places, part_of) in enumerate(CATALOGUE, start=1):
        created[code], _ = Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "kind": kind,
                "decimal_places": places,
                "keeps_cumulative": kind == "flow",
                "order": order * 10,
                "part_of": created.get(part_of),
            },
        )


def unload(apps, schema_editor):
    apps.get_model("ledgers", "Indicator").objects.filter(code__in=[row[0] for row in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
