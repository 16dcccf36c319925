"""Read-only admin of the inspections app: visits and problems change only through the services, which
write the audit trail and notify (tianjin_towns.admin_site.ServicePageAdmin)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tianjin_towns.admin_site import ReadOnlyInline, ServicePageAdmin, status_event_fields

from .models import Attachment, Escalation, InspectionEvent, Problem, Visit


class EventInline(ReadOnlyInline):
    model = InspectionEvent
    fields = status_event_fields("note")


@admin.register(Visit)
class VisitAdmin(ServicePageAdmin):
    service_page = "inspection-list"
    field_labels = {"created_by": _("登记人")}
    list_display = ("held_on", "kind", "district", "title", "created_by")
    list_filter = ("kind", "district", "held_on")
    search_fields = ("title", "summary")
    list_select_related = ("district", "created_by")
    date_hierarchy = "held_on"


@admin.register(Problem)
class ProblemAdmin(ServicePageAdmin):
    service_page = "problem-list"
    field_labels = {"pk": _("编号"), "responsible_name": _("责任单位"), "created_by": _("登记人")}
    list_display = ("pk", "visit", "town", "category", "responsible_name", "due_on", "status", "closed_on")
    list_filter = ("status", "category", "solved_on_site", "solved_same_day", "visit__district")
    search_fields = ("description",)
    list_select_related = ("visit", "town__unit", "responsible_unit", "responsible_member_unit")
    inlines = [EventInline]


@admin.register(Attachment)
class AttachmentAdmin(ServicePageAdmin):
    service_page = "inspection-list"
    field_labels = {
        "visit": _("督办检查"),
        "problem": _("督办问题"),
        "event": _("办理记录"),
        "token": _("下载令牌"),
        "extension": _("扩展名"),
        "uploaded_by": _("上传人"),
    }
    list_display = ("name", "kind", "content_type", "size", "visit", "problem", "uploaded_by", "uploaded_at")
    list_filter = ("kind", "content_type")
    list_select_related = ("visit", "problem", "uploaded_by")


@admin.register(Escalation)
class EscalationAdmin(ServicePageAdmin):
    service_page = "problem-list"
    field_labels = {"problem": _("督办问题")}
    list_display = ("problem", "level", "on", "days_overdue", "recipients", "at")
    list_filter = ("level", "on")
    list_select_related = ("problem",)
