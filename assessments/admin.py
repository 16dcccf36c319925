"""Read-only admin of the assessments app: every change goes through the pages and their services,
which validate (weights total 100, frozen runs) and write the audit trail."""

from django.contrib import admin

from .models import AssessmentEvent, LagFlag, Run, RunResult, Scheme, SchemeItem, SelfEvaluation, Target


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SchemeItemInline(admin.TabularInline):
    model = SchemeItem
    extra = 0
    fields = ("order", "name", "kind", "weight", "indicator", "cap", "floor", "late_credit", "guidance")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    list_display = ("year", "name", "excellent_min", "good_min", "pass_min", "lag_margin", "updated_at")
    inlines = [SchemeItemInline]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ("year", "town", "indicator", "value", "updated_at")
    list_filter = ("year", "indicator", "town__district")
    list_select_related = ("town__unit", "indicator")


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "status", "created_at", "published_at")
    list_filter = ("kind", "status")


@admin.register(RunResult)
class RunResultAdmin(ReadOnlyAdmin):
    list_display = ("run", "rank", "town_name", "score", "grade", "band", "sanction_proposed", "sanction_decided")
    list_filter = ("run",)


@admin.register(LagFlag)
class LagFlagAdmin(ReadOnlyAdmin):
    list_display = ("period", "town", "indicator", "completion", "expected", "created_at")
    list_select_related = ("town__unit", "indicator")


@admin.register(SelfEvaluation)
class SelfEvaluationAdmin(ReadOnlyAdmin):
    list_display = ("org_unit", "kind", "period", "status", "self_score", "due_on", "submitted_at")
    list_filter = ("kind", "status")


@admin.register(AssessmentEvent)
class AssessmentEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "town")
    list_filter = ("action", "object_type")
