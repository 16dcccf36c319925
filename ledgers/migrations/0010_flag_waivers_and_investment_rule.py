"""Issue 16: flags can be waived at acceptance; a town's investment needs project progress behind it.

- DataFlag.status gains "waived" (验收豁免): the accepting office member closed an unexplained flag with a reason.
- A soft rule flags fixed-asset investment reported in a month without any project progress row, the case
  the sum-of-projects rule skips (nothing to compare with). Soft: the filer explains it (investment outside
  the project ledger) or enters the projects' progress.
"""

from django.db import migrations, models

RULE = {
    "code": "investment_without_projects",
    "name": "有固定资产投资须有项目进展",
    "check_type": "no_project_progress",
    "severity": "soft",
    "indicator": "fixed_asset_investment",
    "description": (
        "小镇填报了固定资产投资，但本月没有任何项目进展记录时提示审核人（此时“与项目本月完成投资合计一致”无从比较）；"
        "填报人须补录项目进展，或说明投资来源（如未纳入项目台账的投资）。"
    ),
    "order": 35,
}

CHECK_TYPES = [
    ("non_negative", "数值不能为负"),
    ("part_of_whole", "其中项不大于总数"),
    ("sum_of_projects", "与项目本月投资合计一致"),
    ("no_project_progress", "有投资须有项目进展"),
    ("project_dates", "与项目台账开工/竣工日期一致"),
    ("cumulative", "累计数不能减少"),
    ("history_outlier", "偏离本镇历史水平"),
    ("year_on_year", "与去年同月相比变化过大"),
]


def add_rule(apps, schema_editor):
    Indicator = apps.get_model("ledgers", "Indicator")
    ValidationRule = apps.get_model("ledgers", "ValidationRule")
    indicator = Indicator.objects.filter(code=RULE["indicator"]).first()
    if indicator is None:
        return
    ValidationRule.objects.update_or_create(
        code=RULE["code"],
        defaults={
            "name": RULE["name"],
            "check_type": RULE["check_type"],
            "severity": RULE["severity"],
            "indicator": indicator,
            "description": RULE["description"],
            "order": RULE["order"],
        },
    )


def remove_rule(apps, schema_editor):
    apps.get_model("ledgers", "ValidationRule").objects.filter(code=RULE["code"]).delete()
    apps.get_model("ledgers", "DataFlag").objects.filter(status="waived").update(status="resolved")


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0009_indicator_audit")]

    operations = [
        migrations.AlterField(
            model_name="dataflag",
            name="status",
            field=models.CharField(
                choices=[("open", "待核实"), ("resolved", "已核实"), ("waived", "验收豁免")],
                default="open",
                max_length=10,
                verbose_name="状态",
            ),
        ),
        migrations.AlterField(
            model_name="validationrule",
            name="check_type",
            field=models.CharField(choices=CHECK_TYPES, max_length=20, verbose_name="检查方式"),
        ),
        migrations.AlterField(
            model_name="validationruleaudit",
            name="check_type",
            field=models.CharField(choices=CHECK_TYPES, max_length=20, verbose_name="检查方式"),
        ),
        migrations.RunPython(add_rule, remove_rule),
    ]
