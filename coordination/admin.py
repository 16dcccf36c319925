from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import MemberUnit, OrgUnit, OrgUnitNameChange, Town, TownStatusChange, UserProfile, WorkingGroup


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
