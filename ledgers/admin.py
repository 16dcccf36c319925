"""Admin of the ledgers app. Reports, their figures and events, projects, the indicator catalogue and
everything the workflows write are read-only here (tianjin_towns.admin_site.ServicePageAdmin); the
validation rules are tuned here (R-3.5)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tianjin_towns.admin_site import ReadOnlyInline, ServicePageAdmin, status_event_fields

from . import models, services


@admin.register(models.Indicator)
class IndicatorAdmin(ServicePageAdmin):
    """The catalogue is maintained on its page, with the months each indicator is required (active_from)."""

    service_page = "indicator-list"
    list_display = ("code", "name", "unit", "kind", "keeps_cumulative", "part_of", "decimal_places", "order", "active")
    search_fields = ("code", "name")


class ReportEventInline(ReadOnlyInline):
    model = models.ReportEvent
    fields = status_event_fields("reason", "changes")


@admin.register(models.MonthlyReport)
class MonthlyReportAdmin(ServicePageAdmin):
    """Figures and status change only through the workflow services, which write the audit trail."""

    service_page = "report-list"
    field_labels = {"submitted_by": _("报送人"), "approved_by": _("区级审核人"), "accepted_by": _("验收人")}
    list_display = ("town", "period", "status", "timeliness", "submitted_at", "accepted_at")
    list_filter = ("status", "timeliness", "period", "town__district")
    search_fields = ("town__unit__name",)
    list_select_related = ("town__unit",)
    inlines = [ReportEventInline]


class ProjectYearPlanInline(ReadOnlyInline):
    model = models.ProjectYearPlan
    fields = ("year", "amount")


@admin.register(models.Project)
class ProjectAdmin(ServicePageAdmin):
    """Projects are registered and edited by the districts on the ledger's pages (R-3.3): an edit
    never rewrites an accepted month, which an admin form could not guarantee."""

    service_page = "project-list"
    list_display = ("code", "name", "town", "category", "status", "total_investment", "actual_start", "actual_finish")
    list_filter = ("category", "status", "town__district")
    search_fields = ("code", "name", "town__unit__name")
    list_select_related = ("town__unit",)
    inlines = [ProjectYearPlanInline]


# --- Data quality (issue 3) ------------------------------------------------------------------------------


@admin.action(description=_("重新计算所选项目各月的本年累计、开工累计投资"))
def recompute_cumulatives(modeladmin, request, queryset):
    changed = services.project_cumulatives_recompute(actor=request.user, projects=queryset)
    modeladmin.message_user(request, _("已重新计算，%(n)s 条月度进展的累计数有变化。") % {"n": changed})


ProjectAdmin.actions = [recompute_cumulatives]


@admin.register(models.ValidationRule)
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


@admin.register(models.DataFlag)
class DataFlagAdmin(ServicePageAdmin):
    service_page = "gaps"
    field_labels = {"report": _("月报"), "rule": _("校验规则"), "resolved_by": _("处理人")}
    list_display = ("report", "indicator", "value", "status", "created_at")
    list_filter = ("status", "indicator")
    list_select_related = ("report__town__unit", "indicator")


@admin.register(models.Evidence)
class EvidenceAdmin(ServicePageAdmin):
    service_page = "report-list"
    field_labels = {"report": _("月报"), "uploaded_by": _("上传人")}
    list_display = ("name", "report", "indicator", "size", "uploaded_by", "uploaded_at")
    list_select_related = ("report__town__unit", "indicator", "uploaded_by")


@admin.register(models.ReopenRequest)
class ReopenRequestAdmin(ServicePageAdmin):
    service_page = "report-list"
    field_labels = {"report": _("月报"), "requested_by": _("申请人"), "decided_by": _("审批人")}
    list_display = ("report", "status", "requested_by", "requested_at", "decided_by", "decided_at")
    list_filter = ("status",)
    list_select_related = ("report__town__unit", "requested_by", "decided_by")


@admin.register(models.EntryException)
class EntryExceptionAdmin(ServicePageAdmin):
    service_page = "entry-exceptions"
    field_labels = {"granted_by": _("批准人"), "revoked_by": _("撤销人")}
    list_display = ("town", "period", "expires_on", "granted_by", "granted_at", "revoked_at")
    list_select_related = ("town__unit", "granted_by")


class WorkInfoEventInline(ReadOnlyInline):
    model = models.WorkInfoEvent
    fields = status_event_fields("reason")


@admin.register(models.WorkInfo)
class WorkInfoAdmin(ServicePageAdmin):
    """Work information changes only through its workflow (信息报送 pages)."""

    service_page = "work-info-list"
    field_labels = {"created_by": _("起草人"), "submitted_by": _("报送人")}
    list_display = ("title", "org_unit", "category", "happened_on", "status", "accepted_at")
    list_filter = ("status", "category", "org_unit__parent")
    search_fields = ("title", "body", "org_unit__name")
    date_hierarchy = "happened_on"
    inlines = [WorkInfoEventInline]
