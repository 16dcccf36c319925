from django.contrib import admin

from .models import Attachment, Escalation, InspectionEvent, Problem, Visit


class ReadOnlyAdmin(admin.ModelAdmin):
    """Visits and problems change only through the services, which write the audit trail and notify."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = InspectionEvent
    extra = 0
    fields = ("at", "actor", "action", "from_status", "to_status", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ("held_on", "kind", "district", "title", "created_by")
    list_filter = ("kind", "district", "held_on")
    search_fields = ("title", "summary")
    list_select_related = ("district", "created_by")
    date_hierarchy = "held_on"


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    list_display = ("pk", "visit", "town", "category", "responsible_name", "due_on", "status", "closed_on")
    list_filter = ("status", "category", "solved_on_site", "solved_same_day", "visit__district")
    search_fields = ("description",)
    list_select_related = ("visit", "town__unit", "responsible_unit", "responsible_member_unit")
    inlines = [EventInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "content_type", "size", "visit", "problem", "uploaded_by", "uploaded_at")
    list_filter = ("kind", "content_type")
    list_select_related = ("visit", "problem", "uploaded_by")


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ("problem", "level", "on", "days_overdue", "recipients", "at")
    list_filter = ("level", "on")
    list_select_related = ("problem",)
