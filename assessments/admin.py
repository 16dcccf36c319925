"""Read-only admin of the assessments app: every change goes through the pages and their services,
which validate (weights total 100, frozen runs) and write the audit trail."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tianjin_towns.admin_site import ReadOnlyInline, ServicePageAdmin

from .models import AssessmentEvent, LagFlag, Run, RunResult, Scheme, SchemeItem, SelfEvaluation, Target


class SchemeItemInline(ReadOnlyInline):
    model = SchemeItem
    fields = ("order", "name", "kind", "weight", "indicator", "cap", "floor", "late_credit", "guidance")


@admin.register(Scheme)
class SchemeAdmin(ServicePageAdmin):
    service_page = "assessment-schemes"
    field_labels = {"updated_by": _("修改人")}
    list_display = ("year", "name", "excellent_min", "good_min", "pass_min", "lag_margin", "updated_at")
    inlines = [SchemeItemInline]


@admin.register(Target)
class TargetAdmin(ServicePageAdmin):
    service_page = "assessment-targets"
    field_labels = {"updated_by": _("修改人")}
    list_display = ("year", "town", "indicator", "value", "updated_at")
    list_filter = ("year", "indicator", "town__district")
    list_select_related = ("town__unit", "indicator")


@admin.register(Run)
class RunAdmin(ServicePageAdmin):
    service_page = "assessment-overview"
    field_labels = {"created_by": _("创建人"), "published_by": _("发布人")}
    list_display = ("title", "kind", "status", "created_at", "published_at")
    list_filter = ("kind", "status")


class RunFilter(admin.RelatedFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("考核")


@admin.register(RunResult)
class RunResultAdmin(ServicePageAdmin):
    service_page = "assessment-overview"
    field_labels = {"run": _("考核"), "decided_by": _("决定人")}
    list_display = ("run", "rank", "town_name", "score", "grade", "band", "sanction_proposed", "sanction_decided")
    list_filter = (("run", RunFilter),)
    list_select_related = ("run",)


@admin.register(LagFlag)
class LagFlagAdmin(ServicePageAdmin):
    service_page = "assessment-targets"
    list_display = ("period", "town", "indicator", "completion", "expected", "created_at")
    list_select_related = ("town__unit", "indicator")


@admin.register(SelfEvaluation)
class SelfEvaluationAdmin(ServicePageAdmin):
    service_page = "assessment-self-evaluations"
    field_labels = {"submitted_by": _("报送人")}
    list_display = ("org_unit", "kind", "period", "status", "self_score", "due_on", "submitted_at")
    list_filter = ("kind", "status")


@admin.register(AssessmentEvent)
class AssessmentEventAdmin(ServicePageAdmin):
    service_page = "assessment-overview"
    field_labels = {"actor": _("操作人"), "town": _("小镇")}
    list_display = ("at", "actor", "action", "object_type", "object_id", "town")
    list_filter = ("action", "object_type")
    list_select_related = ("actor", "town__unit")
