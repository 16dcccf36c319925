from django.contrib import admin

from .models import Indicator, MonthlyReport, Project, ReportEvent


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
