"""Data of the project ledger (issue 15, R-3.3) and the 新开工/竣工 rule.

- Each project's one annual plan becomes a plan per year: the same figure for every year in which the
  project has a progress row, and for the year it was registered in (that is what the ledger showed).
- Progress rows of accepted months keep the plan they were accepted with (today's values: the best
  record there is), so a later change of the project no longer rewrites them.
- Two soft rules compare 新开工项目/竣工项目 with the projects' actual start and completion dates.
"""

from django.db import migrations

RULES = [
    (
        "projects_started_match_ledger",
        "新开工项目数与项目台账一致",
        "projects_started",
        "填报的新开工项目数应等于项目台账中实际开工日期在本月的项目数；不一致时提示审核人，填报人须说明原因。本小镇未登记项目时不检查。",
        80,
    ),
    (
        "projects_completed_match_ledger",
        "竣工项目数与项目台账一致",
        "projects_completed",
        "填报的竣工项目数应等于项目台账中实际竣工日期在本月的项目数；不一致时提示审核人，填报人须说明原因。本小镇未登记项目时不检查。",
        90,
    ),
]


def forwards(apps, schema_editor):
    Project = apps.get_model("ledgers", "Project")
    ProjectYearPlan = apps.get_model("ledgers", "ProjectYearPlan")
    ProjectProgress = apps.get_model("ledgers", "ProjectProgress")
    Indicator = apps.get_model("ledgers", "Indicator")
    ValidationRule = apps.get_model("ledgers", "ValidationRule")

    years: dict[int, set[int]] = {}
    for project_id, year in ProjectProgress.objects.values_list("project_id", "report__period__year"):
        years.setdefault(project_id, set()).add(year)
    plans = []
    for project in Project.objects.all().only("pk", "annual_investment", "created_at"):
        for year in years.get(project.pk, set()) | {project.created_at.year}:
            plans.append(ProjectYearPlan(project_id=project.pk, year=year, amount=project.annual_investment))
    ProjectYearPlan.objects.bulk_create(plans, ignore_conflicts=True)

    accepted = ProjectProgress.objects.filter(report__status="accepted").select_related("project")
    rows = list(accepted)
    for row in rows:
        row.total_investment_at = row.project.total_investment
        row.annual_plan_at = row.project.annual_investment
    ProjectProgress.objects.bulk_update(rows, ["total_investment_at", "annual_plan_at"], batch_size=2000)

    indicators = {i.code: i for i in Indicator.objects.filter(code__in=[r[2] for r in RULES])}
    for code, name, indicator, description, order in RULES:
        if indicator not in indicators:
            continue
        ValidationRule.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "check_type": "project_dates",
                "severity": "soft",
                "indicator": indicators[indicator],
                "description": description,
                "order": order,
            },
        )


def backwards(apps, schema_editor):
    Project = apps.get_model("ledgers", "Project")
    ProjectYearPlan = apps.get_model("ledgers", "ProjectYearPlan")
    for project in Project.objects.all():
        plan = ProjectYearPlan.objects.filter(project=project).order_by("-year").first()
        project.annual_investment = plan.amount if plan else 0
        project.save(update_fields=["annual_investment"])
    apps.get_model("ledgers", "ValidationRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0007_project_ledger_and_catalogue_months")]
    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RemoveConstraint(model_name="project", name="project_annual_non_negative"),
        migrations.RemoveField(model_name="project", name="annual_investment"),
        migrations.RemoveField(model_name="projectaudit", name="annual_investment"),
    ]
