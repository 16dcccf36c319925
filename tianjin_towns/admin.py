"""Admin of the platform-wide models: Django's users and groups, the API tokens, the login lockouts of
django-axes, the beat schedules of django-celery-beat; django-otp's devices are not in it.

Loaded by the admin's autodiscovery after django.contrib.auth (this app comes after it in
INSTALLED_APPS), so it replaces its registrations.
"""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from coordination.models import ApiToken
from coordination.services import tokens as token_services

from .admin_site import ServicePageAdmin

User = get_user_model()

admin.site.unregister(User)
admin.site.unregister(Group)
admin.site.unregister(AccessAttempt)
admin.site.unregister([PeriodicTask, ClockedSchedule, CrontabSchedule, IntervalSchedule, SolarSchedule])
# Two factors are enrolled by their owner and reset by the security administrator on the platform's pages
# (coordination.two_factor, audited); a device's secret is never shown or changed here.
admin.site.unregister([TOTPDevice, StaticDevice])


@admin.register(User)
class PlatformUserAdmin(ServicePageAdmin, UserAdmin):
    """Entirely read-only, not only the fields that grant rights (is_superuser, is_staff, groups,
    permissions): every other field has a service that does more than save it. A new user needs a
    role (user_assign_role); deactivation ends the sessions and API tokens at once; a password reset
    sets a one-time password and revokes the tokens; a change of name or e-mail is audited. All of
    it is on 系统管理 › 用户与角色. Superusers are made with `manage.py createsuperuser`."""

    service_page = "user-list"
    # Without the password row: its 「重置密码」 button leads to a form no one may use here.
    fieldsets = ((None, {"fields": ("username",)}), *UserAdmin.fieldsets[1:])


@admin.register(Group)
class PlatformGroupAdmin(ServicePageAdmin, GroupAdmin):
    """The groups are the roles (one per Role, kept by user_assign_role); a permission added to a group
    here would be a grant outside the grant tables."""

    service_page = "user-list"


@admin.register(ApiToken)
class PlatformApiTokenAdmin(ServicePageAdmin):
    """A token made here for another user would let the administrator act as that user in the API:
    tokens come only from the user's own sign-in (POST /api/v1/auth/token/). Revoking one stays possible
    (the action below, recorded in the account's history); its key was never stored, so none is shown."""

    service_page = "user-list"
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "expires_at", "revoked_at", "state_column")
    list_filter = ("created_at", "revoked_at")
    search_fields = ("user__username", "prefix", "name")
    list_select_related = ("user",)
    exclude = ("key_hash",)
    actions = ["revoke"]

    @admin.display(description=_("状态"))
    def state_column(self, token: ApiToken) -> str:
        return token.state

    @admin.action(description=_("撤销所选令牌"))
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token_services.api_token_revoke(actor=request.user, token=token)
            revoked += 1
        self.message_user(request, _("已撤销 %(count)s 个令牌。") % {"count": revoked})


@admin.register(AccessAttempt)
class PlatformAccessAttemptAdmin(AccessAttemptAdmin):
    """django-axes' own admin (deleting a row unlocks that user name at that address), with its status
    column named: a method's column is named after the method, which no catalogue translates."""

    @admin.display(description=_("锁定状态"))
    def status(self, obj: AccessAttempt) -> str:
        return super().status(obj)


# --- django-celery-beat: editable here, with Chinese names where the package's are plain strings,
# which no catalogue translates (PeriodicTask.task is verbose_name='Task Name'; method columns are named
# after the method). The rest of its strings come from its own catalogue and locale/zh_Hans.


class TaskNameFilter(admin.AllValuesFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("任务名称")


@admin.register(PeriodicTask)
class PlatformPeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    list_display = ("name", "enabled", "schedule", "start_time", "last_run_at", "one_off")
    list_filter = ["enabled", "one_off", ("task", TaskNameFilter), "start_time", "last_run_at"]
    list_select_related = ("interval", "crontab", "solar", "clocked")

    @admin.display(description=_("执行计划"))
    def schedule(self, task: PeriodicTask) -> str:
        return str(task.scheduler or "")

    @admin.display(description=_("执行时间说明"))
    def crontab_translation(self, obj: PeriodicTask) -> str:
        return super().crontab_translation(obj)


class PeriodicTaskInline(beat_admin.PeriodicTaskInline):
    fields = ("name", "task_name", "args", "kwargs")
    readonly_fields = fields

    @admin.display(description=_("任务名称"))
    def task_name(self, task: PeriodicTask) -> str:
        return task.task


# Every schedule's page lists the tasks that run on it, by their names (the crontab's has more below).
for schedule, package_admin in (
    (ClockedSchedule, beat_admin.ClockedScheduleAdmin),
    (IntervalSchedule, beat_admin.IntervalScheduleAdmin),
    (SolarSchedule, beat_admin.SolarScheduleAdmin),
):
    admin.site.register(schedule, package_admin, inlines=[PeriodicTaskInline])


@admin.register(CrontabSchedule)
class PlatformCrontabScheduleAdmin(beat_admin.CrontabScheduleAdmin):
    inlines = [PeriodicTaskInline]
    list_display = ("__str__", "description")
    fields = ("description", "minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone")
    readonly_fields = ("description",)

    @admin.display(description=_("执行时间说明"))
    def description(self, crontab: CrontabSchedule) -> str:
        return crontab.human_readable
