from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from tianjin_towns.lib import dates

from . import cadence, services
from .models import (
    ActionItem,
    CadenceRule,
    CalendarDay,
    Decision,
    ExportJob,
    JointConference,
    Meeting,
    MemberUnit,
    Notification,
    OrgUnit,
    OrgUnitNameChange,
    Plan,
    SubmissionRoute,
    SupportPolicy,
    Town,
    TownStatusChange,
    UserProfile,
    WorkingGroup,
)
from .reminders import WEEKDAYS


@admin.register(OrgUnit)
class OrgUnitAdmin(GuardedModelAdmin):
    list_display = ("code", "name", "level", "parent", "order")
    list_filter = ("level",)
    search_fields = ("code", "name", "slug")
    list_select_related = ("parent",)


class TownStatusChangeInline(admin.TabularInline):
    model = TownStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "decided_on", "reason", "actor", "at")

    def has_add_permission(self, request, obj=None):
        # Status changes go through coordination.services.town_change_status, which keeps the history.
        return False


@admin.register(Town)
class TownAdmin(admin.ModelAdmin):
    list_display = ("unit", "district", "status", "level", "lead_industry", "batch", "reporting_from", "exited_on")
    list_filter = ("district", "status", "level", "national_list")
    search_fields = ("unit__name", "unit__code", "lead_industry", "host_township")
    list_select_related = ("unit", "district")
    readonly_fields = ("status", "exited_on")
    inlines = [TownStatusChangeInline]


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "full_name", "role", "org_unit", "working_group", "member_unit")
    list_filter = ("role", "working_group")
    search_fields = ("user__username", "full_name")
    list_select_related = ("user", "org_unit", "working_group", "member_unit")
    readonly_fields = ("role", "org_unit", "working_group")


admin.site.register(WorkingGroup)
admin.site.register(MemberUnit)
admin.site.register(OrgUnitNameChange)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays and make-up working days for years the built-in State Council calendar does not know (R-3.4)."""

    list_display = ("date", "weekday", "is_working_day", "note")
    list_filter = ("is_working_day", ("date", admin.DateFieldListFilter))
    date_hierarchy = "date"
    search_fields = ("note",)

    @admin.display(description=_("星期"))
    def weekday(self, day: CalendarDay) -> str:
        return str(WEEKDAYS[day.date.weekday()])

    # The calendar is read through a short per-process cache: forget it at once in this process.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        dates.clear_calendar_cache()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        dates.clear_calendar_cache()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        dates.clear_calendar_cache()


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "status", "rows_done", "rows_total", "created_at", "finished_at")
    list_filter = ("status", "kind")
    list_select_related = ("owner",)
    readonly_fields = [field.name for field in ExportJob._meta.fields]

    def has_add_permission(self, request):
        return False  # jobs are created by the export pages


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("subject", "recipient", "kind", "created_at", "read_at", "emailed_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter), ("emailed_at", admin.EmptyFieldListFilter))
    search_fields = ("subject", "occasion", "recipient__username")
    list_select_related = ("recipient",)
    readonly_fields = [field.name for field in Notification._meta.fields if field.name != "id"]

    def has_add_permission(self, request):
        return False  # notifications come from coordination.services.notify


# --- Issue 4: structure, routing, cadence rules, meetings, action items, plans -------------------


class CadenceRuleForm(forms.ModelForm):
    """The kind is one of the registered activity kinds (coordination/cadence.py)."""

    kind = forms.ChoiceField(label=_("活动类别"))

    class Meta:
        model = CadenceRule
        fields = ["kind", "level", "period", "required_min", "required_max", "active", "note", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = cadence.activity_choices()
        current = self.initial.get("kind")
        if current and current not in dict(choices):
            choices.append((current, _("%(kind)s（未登记）") % {"kind": current}))
        self.fields["kind"].choices = choices


@admin.register(CadenceRule)
class CadenceRuleAdmin(admin.ModelAdmin):
    form = CadenceRuleForm
    list_display = ("kind_label", "level", "period", "required_min", "required_max", "active", "order")
    list_editable = ("active", "order")
    list_filter = ("level", "period", "active")

    @admin.display(description=_("活动类别"))
    def kind_label(self, rule: CadenceRule) -> str:
        item = cadence.activity_kind(rule.kind)
        return str(item.label) if item else rule.kind


@admin.register(SubmissionRoute)
class SubmissionRouteAdmin(admin.ModelAdmin):
    """Routing changes move the office members' permissions with them (services.submission_route_set)."""

    list_display = ("kind", "working_group")

    def save_model(self, request, obj, form, change):
        route = services.submission_route_set(actor=request.user, kind=obj.kind, working_group=obj.working_group)
        obj.pk = route.pk

    def delete_model(self, request, obj):
        obj.delete()
        services.office_sync_grants()

    def delete_queryset(self, request, queryset):
        queryset.delete()
        services.office_sync_grants()


@admin.register(JointConference)
class JointConferenceAdmin(admin.ModelAdmin):
    list_display = ("name", "org_unit", "convener", "deputy_conveners")
    filter_horizontal = ("member_units",)
    list_select_related = ("org_unit",)


@admin.register(SupportPolicy)
class SupportPolicyAdmin(admin.ModelAdmin):
    list_display = ("title", "member_unit", "document_number", "issued_on")
    list_filter = ("member_unit",)
    search_fields = ("title", "document_number")
    list_select_related = ("member_unit",)


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    can_delete = False
    readonly_fields = ("order", "text")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """Read-only: meetings change through the pages and the API, which keep their history."""

    list_display = ("title", "kind", "org_unit", "held_on", "state")
    list_filter = ("kind", "state", "org_unit")
    search_fields = ("title",)
    date_hierarchy = "held_on"
    list_select_related = ("org_unit",)
    inlines = [DecisionInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ("title", "responsible_unit", "responsible_member_unit", "owner", "due_on", "status")
    list_filter = ("status", "responsible_unit", "responsible_member_unit")
    search_fields = ("title", "owner")
    list_select_related = ("responsible_unit", "responsible_member_unit")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("title", "org_unit", "kind", "status", "current_version", "updated_at")
    list_filter = ("kind", "status")
    search_fields = ("title",)
    list_select_related = ("org_unit",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
