"""The platform's Django admin: its name, the way back to the platform, and ServicePageAdmin, the one
base class of every model that changes only through a service.

What remains in the admin is what the product's pages do not do: the holiday calendar, cadence and
validation rules, the beat schedules (R-6.3), login lockouts. Everything whose change is a service
(roles and grants, a town's status, an org unit's name, reports, routing, projects…) is readable here
and changed only on the product's page, which calls the service and writes the audit trail. An admin
form would save the row and skip both.
"""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

SITE_NAME = _("天津市特色小镇规划建设协同平台 · 后台管理")

# The product's pages a read-only admin page points to: URL name → where the navigation bar has it.
# One place, so that a renamed menu entry is changed once.
PRODUCT_PAGES = {
    "user-list": _("系统管理 › 用户与角色"),
    "org-unit-list": _("系统管理 › 组织单位"),
    "member-unit-list": _("系统管理 › 成员单位"),
    "routing": _("系统管理 › 事项分工"),
    "indicator-list": _("系统管理 › 统计指标"),
    "town-list": _("系统管理 › 特色小镇"),
    "project-list": _("信息统计 › 项目台账"),
    "report-list": _("信息统计 › 月报管理"),
    "work-info-list": _("信息统计 › 信息报送"),
    "entry-exceptions": _("数据质量 › 补报例外"),
    "gaps": _("数据质量 › 查漏补缺"),
    "meeting-list": _("协调推动 › 会议活动"),
    "action-item-list": _("协调推动 › 督办事项"),
    "plan-list": _("协调推动 › 规划报审"),
    "policy-list": _("协调推动 › 支持政策"),
    "inspection-list": _("现场督办"),
    "problem-list": _("现场督办 › 督办问题"),
    "assessment-overview": _("督查考核 › 督查考核"),
    "assessment-targets": _("督查考核 › 年度计划"),
    "assessment-schemes": _("督查考核 › 考核方案"),
    "assessment-self-evaluations": _("督查考核 › 自查自评自纠"),
}


# The index lists the platform's apps in the order of the navigation bar, then the technical ones.
APP_ORDER = ["coordination", "ledgers", "inspections", "assessments", "django_celery_beat", "axes", "auth", "authtoken"]


class PlatformAdminSite(admin.AdminSite):
    """Django's admin site under the platform's name, with a visible link back to the platform."""

    site_header = SITE_NAME
    site_title = SITE_NAME
    index_title = _("后台管理首页")
    site_url = "/"  # templates/admin/base_site.html shows it as 「返回平台」

    def password_change(self, request, extra_context=None):
        """The platform's own page: a change there also ends a one-time password's obligation and
        revokes the API tokens (coordination's password service), which the admin's form would skip."""
        try:
            return redirect(reverse("password_change"))
        except NoReverseMatch:
            return super().password_change(request, extra_context)

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        rank = {label: i for i, label in enumerate(APP_ORDER)}
        return sorted(apps, key=lambda app: rank.get(app["app_label"], len(rank)))


def product_page(url_name: str) -> dict:
    """The label and, once the page exists, the address of a product page (the admin never breaks on
    a page that another part of the platform has not routed yet)."""
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        url = ""
    return {"label": PRODUCT_PAGES.get(url_name, ""), "url": url}


def column(name: str, label, ordering: str | None = None):
    """A column or read-only row showing the attribute `name` under a Chinese heading: for the fields
    whose model has no verbose_name yet (the admin would head the column "Created by")."""

    @admin.display(description=label, ordering=ordering)
    def show(obj):
        return getattr(obj, name)

    show.__name__ = f"{name}_column"
    return show


class NoChanges:
    """An admin (page or inline) through which nothing is added, changed or deleted."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServicePageAdmin(NoChanges, admin.ModelAdmin):
    """Read-only: no add, change or delete here. `service_page` names the product's page (a key of
    PRODUCT_PAGES) where the change is made through the service; the list and the detail page say so."""

    service_page = ""
    change_list_template = "admin/service_page_change_list.html"
    change_form_template = "admin/service_page_change_form.html"
    # Chinese labels of the fields whose model has no verbose_name yet ("created by"), for the list's
    # columns and the detail page's rows. An entry can go once the model names its field.
    field_labels: dict = {}

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        fields = {field.name for field in model._meta.get_fields()} | {"pk"}
        self.list_display = tuple(
            column(name, self.field_labels[name], name if name in fields else None)
            if isinstance(name, str) and name in self.field_labels
            else name
            for name in self.list_display
        )

    def get_form(self, request, obj=None, **kwargs):
        if self.field_labels:  # a read-only row takes its label from the form's Meta.labels
            kwargs.setdefault("labels", self.field_labels)
        return super().get_form(request, obj, **kwargs)

    def _service_context(self, extra_context):
        page = product_page(self.service_page) if self.service_page else None
        return {**(extra_context or {}), "service_page": page}

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, self._service_context(extra_context))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, self._service_context(extra_context))


class ReadOnlyInline(NoChanges, admin.TabularInline):
    """A history shown under its object (status changes, events): written only by the services."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        # Every field shown is read-only, which also lets `fields` name non-editable ones (`at`).
        return self.fields or [field.name for field in self.model._meta.fields]


def status_event_fields(*details) -> tuple:
    """The rows of a status history (an Event with a from → to status): when, who, what, from, to, then
    the event's own `details`."""
    return ("at", column("actor", _("操作人")), "action", "from_status", "to_status", *details)
