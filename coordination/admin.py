"""Admin of the coordination app. What changes through a service (roles, towns and their status, org
unit names, member units, routing, meetings, action items, plans, policies) is read-only here
(tianjin_towns.admin_site.ServicePageAdmin); the calendar and the cadence rules are edited here."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tianjin_towns.admin_site import ReadOnlyInline, ServicePageAdmin, column
from tianjin_towns.lib import dates

from . import cadence
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
class OrgUnitAdmin(ServicePageAdmin):
    """Renames go through org_unit_rename, which keeps the name history (R-1.1). Not guardian's
    GuardedModelAdmin: its object-permission pages would grant rights outside user_assign_role."""

    service_page = "org-unit-list"
    list_display = ("code", "name", "level", "parent", "order")
    list_filter = ("level",)
    search_fields = ("code", "name", "slug")
    list_select_related = ("parent",)


class TownStatusChangeInline(ReadOnlyInline):
    model = TownStatusChange
    fields = (
        "decided_on",
        "from_status",
        "to_status",
        "document_no",
        "batch",
        "reason",
        column("actor", _("记录人")),
        "at",
    )


@admin.register(Town)
class TownAdmin(ServicePageAdmin):
    """Towns are created, edited and moved along their lifecycle through the services (R-1.1, R-1.2)."""

    service_page = "town-list"
    list_display = ("unit", "district", "status", "level", "lead_industry", "batch", "reporting_from", "exited_on")
    list_filter = ("district", "status", "level", "national_list")
    search_fields = ("unit__name", "unit__code", "lead_industry", "host_township")
    list_select_related = ("unit", "district")
    inlines = [TownStatusChangeInline]


@admin.register(UserProfile)
class UserProfileAdmin(ServicePageAdmin):
    """Roles and units are granted only by user_assign_role (the guardian grants follow the role)."""

    service_page = "user-list"
    field_labels = {"user": _("用户账号")}
    list_display = ("user", "full_name", "role", "org_unit", "working_group", "member_unit")
    list_filter = ("role", "working_group")
    search_fields = ("user__username", "full_name")
    list_select_related = ("user", "org_unit", "working_group", "member_unit")


@admin.register(MemberUnit)
class MemberUnitAdmin(ServicePageAdmin):
    """Added, renamed and retired through the member-unit services, which keep their history (R-1.4)."""

    service_page = "member-unit-list"
    list_display = ("name", "short_name", "code", "responsible_leader", "counterpart_division", "active", "order")
    list_filter = ("active",)
    search_fields = ("name", "short_name", "code")


@admin.register(OrgUnitNameChange)
class OrgUnitNameChangeAdmin(ServicePageAdmin):
    service_page = "org-unit-list"
    field_labels = {"unit": _("组织单位"), "actor": _("操作人")}
    list_display = ("unit", "old_name", "new_name", "changed_on", "actor")
    list_select_related = ("unit", "actor")


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    """The office's four groups (coordination/reference.py): their names and duties are edited here.
    The code is fixed: the default routes and the office members' grants are keyed on it."""

    list_display = ("name", "code", "order")
    readonly_fields = ("code",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
class ExportJobAdmin(ServicePageAdmin):
    """Created by the export pages, purged by coordination.services.export_jobs_purge."""

    list_display = ("title", "owner", "status", "rows_done", "rows_total", "created_at", "finished_at")
    list_filter = ("status", "kind")
    list_select_related = ("owner",)


@admin.register(Notification)
class NotificationAdmin(ServicePageAdmin):
    """Notifications come from coordination.services.notify."""

    field_labels = {"content_type": _("关联对象类型"), "object_id": _("关联对象编号")}
    list_display = ("subject", "recipient", "kind", "created_at", "read_at", "emailed_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter), ("emailed_at", admin.EmptyFieldListFilter))
    search_fields = ("subject", "occasion", "recipient__username")
    list_select_related = ("recipient",)


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
class SubmissionRouteAdmin(ServicePageAdmin):
    """Routing moves the office members' permissions with it: only through submission_route_set (R-1.5)."""

    service_page = "routing"
    list_display = ("kind", "working_group")
    list_select_related = ("working_group",)


@admin.register(JointConference)
class JointConferenceAdmin(admin.ModelAdmin):
    list_display = ("name", "org_unit", "convener", "deputy_conveners")
    filter_horizontal = ("member_units",)
    list_select_related = ("org_unit",)


@admin.register(SupportPolicy)
class SupportPolicyAdmin(ServicePageAdmin):
    service_page = "policy-list"
    field_labels = {"created_by": _("录入人")}
    list_display = ("title", "member_unit", "document_number", "issued_on")
    list_filter = ("member_unit",)
    search_fields = ("title", "document_number")
    list_select_related = ("member_unit",)


class DecisionInline(ReadOnlyInline):
    model = Decision
    fields = ("order", "text")


@admin.register(Meeting)
class MeetingAdmin(ServicePageAdmin):
    """Meetings change through the pages and the API, which keep their history."""

    service_page = "meeting-list"
    field_labels = {"created_by": _("登记人"), "minutes_approved_by": _("纪要审定人")}
    list_display = ("title", "kind", "org_unit", "held_on", "state")
    list_filter = ("kind", "state", "org_unit")
    search_fields = ("title",)
    date_hierarchy = "held_on"
    list_select_related = ("org_unit",)
    inlines = [DecisionInline]


@admin.register(ActionItem)
class ActionItemAdmin(ServicePageAdmin):
    service_page = "action-item-list"
    field_labels = {"created_by": _("交办人"), "verified_by": _("核验人")}
    list_display = ("title", "responsible_unit", "responsible_member_unit", "owner", "due_on", "status")
    list_filter = ("status", "responsible_unit", "responsible_member_unit")
    search_fields = ("title", "owner")
    list_select_related = ("responsible_unit", "responsible_member_unit")


@admin.register(Plan)
class PlanAdmin(ServicePageAdmin):
    service_page = "plan-list"
    field_labels = {"created_by": _("报审人")}
    list_display = ("title", "org_unit", "kind", "status", "current_version", "updated_at")
    list_filter = ("kind", "status")
    search_fields = ("title",)
    list_select_related = ("org_unit",)
