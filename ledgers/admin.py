from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    DataFlag,
    EntryException,
    Evidence,
    Indicator,
    MonthlyReport,
    Project,
    ReopenRequest,
    ReportEvent,
    ValidationRule,
    WorkInfo,
    WorkInfoEvent,
)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "kind", "keeps_cumulative", "part_of", "decimal_places", "order", "active")
    list_editable = ("order", "active")
    search_fields = ("code", "name")


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "action", "from_status", "to_status", "reason", "changes")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    """Read-only here: figures and status change only through the workflow services, which write the audit trail."""

    list_display = ("town", "period", "status", "timeliness", "submitted_at", "accepted_at")
    list_filter = ("status", "timeliness", "period", "town__district")
    search_fields = ("town__unit__name",)
    list_select_related = ("town__unit",)
    inlines = [ReportEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "town", "category", "status", "total_investment", "annual_investment")
    list_filter = ("category", "status", "town__district")
    search_fields = ("code", "name", "town__unit__name")
    list_select_related = ("town__unit",)


# --- Data quality (issue 3) ------------------------------------------------------------------------------


@admin.action(description=_("重新计算所选项目各月的本年累计、开工累计投资"))
def recompute_cumulatives(modeladmin, request, queryset):
    changed = services.project_cumulatives_recompute(actor=request.user, projects=queryset)
    modeladmin.message_user(request, _("已重新计算，%(n)s 条月度进展的累计数有变化。") % {"n": changed})


ProjectAdmin.actions = [recompute_cumulatives]


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    """Rules as data (R-3.5): administrators tune thresholds, switch rules and their level; every edit is audited."""

    list_display = ("name", "check_type", "severity", "indicator", "threshold", "window_months", "active", "order")
    list_editable = ("threshold", "active", "order")
    list_filter = ("check_type", "severity", "active")
    search_fields = ("code", "name")
    fields = (
        "code",
        "name",
        "check_type",
        "severity",
        "indicator",
        "threshold",
        "window_months",
        "min_points",
        "description",
        "active",
        "order",
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written only by the services (which keep the audit trail); readable here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataFlag)
class DataFlagAdmin(ReadOnlyAdmin):
    list_display = ("report", "indicator", "value", "status", "created_at")
    list_filter = ("status", "indicator")
    list_select_related = ("report__town__unit", "indicator")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("name", "report", "indicator", "size", "uploaded_by", "uploaded_at")
    list_select_related = ("report__town__unit", "indicator", "uploaded_by")


@admin.register(ReopenRequest)
class ReopenRequestAdmin(ReadOnlyAdmin):
    list_display = ("report", "status", "requested_by", "requested_at", "decided_by", "decided_at")
    list_filter = ("status",)
    list_select_related = ("report__town__unit", "requested_by", "decided_by")


@admin.register(EntryException)
class EntryExceptionAdmin(ReadOnlyAdmin):
    list_display = ("town", "period", "expires_on", "granted_by", "granted_at", "revoked_at")
    list_select_related = ("town__unit", "granted_by")


class WorkInfoEventInline(admin.TabularInline):
    model = WorkInfoEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "action", "from_status", "to_status", "reason")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkInfo)
class WorkInfoAdmin(ReadOnlyAdmin):
    """Read-only here: work information changes only through its workflow (信息报送 pages)."""

    list_display = ("title", "org_unit", "category", "happened_on", "status", "accepted_at")
    list_filter = ("status", "category", "org_unit__parent")
    search_fields = ("title", "body", "org_unit__name")
    date_hierarchy = "happened_on"
    inlines = [WorkInfoEventInline]
