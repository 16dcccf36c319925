"""The initial validation rules of R-3.5 (administrators tune them in the admin afterwards)."""

from decimal import Decimal

from django.db import migrations

# code, name, check type, severity, indicator code, threshold, description
RULES = [
    ("non_negative", "数值不能为负数", "non_negative", "hard", None, None, "所有统计数字都不能为负数。"),
    (
        "part_of_whole",
        "其中项不能大于总数",
        "part_of_whole",
        "hard",
        None,
        None,
        "例如“其中:特色产业投资”不能大于“固定资产投资”。",
    ),
    (
        "investment_equals_projects",
        "固定资产投资与项目本月完成投资合计一致",
        "sum_of_projects",
        "hard",
        "fixed_asset_investment",
        Decimal("5"),
        "填报了项目进展时，小镇固定资产投资应等于各项目本月完成投资之和，允许误差为阈值（%）。草稿可以先保存，报送时必须一致。",
    ),
    (
        "cumulative_never_shrinks",
        "累计数不能减少",
        "cumulative",
        "hard",
        None,
        None,
        "累计类存量指标本月数不能小于上月数，也不能大于下月已报的数。",
    ),
    (
        "outside_own_history",
        "偏离本镇近12个月正常范围",
        "history_outlier",
        "soft",
        None,
        Decimal("5"),
        "数值超出本镇近12个月已验收数据的中位数 ± k×MAD（k为阈值）时提示审核人，填报人须说明原因或上传原始记录。",
    ),
    (
        "tax_year_on_year",
        "税收收入同比变化过大",
        "year_on_year",
        "soft",
        "tax_revenue",
        Decimal("100"),
        "与去年同月已验收数相比增长超过阈值（%），或降到去年的 1/(1+阈值%) 以下时提示。",
    ),
    (
        "revenue_year_on_year",
        "主营业务收入同比变化过大",
        "year_on_year",
        "soft",
        "main_business_revenue",
        Decimal("100"),
        "与去年同月已验收数相比增长超过阈值（%），或降到去年的 1/(1+阈值%) 以下时提示。",
    ),
]


def load(apps, schema_editor):
    Indicator = apps.get_model("ledgers", "Indicator")
    ValidationRule = apps.get_model("ledgers", "ValidationRule")
    indicators = {i.code: i for i in Indicator.objects.all()}
    for order, (code, name, check_type, severity, indicator, threshold, description) in enumerate(RULES, start=1):
        ValidationRule.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "check_type": check_type,
                "severity": severity,
                "indicator": indicators.get(indicator) if indicator else None,
                "threshold": threshold,
                "description": description,
                "order": order * 10,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("ledgers", "ValidationRule").objects.filter(code__in=[row[0] for row in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0003_data_quality_audit")]
    operations = [migrations.RunPython(load, unload)]
