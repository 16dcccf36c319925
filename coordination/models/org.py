"""Organisation: org units (city, districts, towns), towns and their status history, people and roles."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tianjin_towns.lib.events import Event
from tianjin_towns.lib.models import acting_user, status_change


class UnitPerm(models.TextChoices):
    """Every permission a user can hold on an org unit: the one list from which OrgUnit's permissions,
    the grant tables of coordination.services and every check (pages, API, navigation bar) derive.

    A grant on a unit covers the units below it (coordination.permissions.org_units_for_user).
    """

    VIEW_UNIT_DATA = "view_unit_data", _("查看本单位及下级数据")
    # Data sharing (数据共享, issue 18): what the office has accepted, never a report still in its workflow.
    VIEW_SHARED_DATA = "view_shared_data", _("查看已验收的共享数据")
    FILL_REPORT = "fill_report", _("填报月报")
    APPROVE_REPORT = "approve_report", _("区级审核月报")
    ACCEPT_REPORT = "accept_report", _("验收月报")
    MANAGE_MEETINGS = "manage_meetings", _("登记会议活动")
    APPROVE_MINUTES = "approve_minutes", _("审定会议纪要")
    HANDLE_ACTION_ITEMS = "handle_action_items", _("办理督办事项")
    VERIFY_ACTION_ITEMS = "verify_action_items", _("核验督办事项")
    SUBMIT_PLANS = "submit_plans", _("报审规划方案")
    REVIEW_PLANS = "review_plans", _("审查规划方案")
    MANAGE_POLICIES = "manage_policies", _("管理支持政策")
    MANAGE_INSPECTIONS = "manage_inspections", _("组织现场督办和专项检查")
    MANAGE_ASSESSMENTS = "manage_assessments", _("组织创建考核")
    MANAGE_TOWNS = "manage_towns", _("创建特色小镇和记录生命周期决定")
    MANAGE_PROJECTS = "manage_projects", _("维护重点项目台账")
    MANAGE_USERS = "manage_users", _("管理用户与角色")
    MANAGE_ORGANISATION = "manage_organisation", _("维护组织机构、成员单位和事项分工")
    MANAGE_CATALOGUE = "manage_catalogue", _("维护指标目录")
    # 三员分立 (issue 22): the security administrator's and the audit administrator's work, nobody else's.
    MANAGE_SECURITY = "manage_security", _("授予角色、解锁账号（安全管理）")
    READ_SECURITY_AUDIT = "read_security_audit", _("查阅和导出安全审计记录")


class SharedKind(models.TextChoices):
    """The kinds of accepted records the office shares with the member units (数据共享, issue 18); each
    member unit is given all of them unless the office withholds some (MemberUnit.withheld_kinds)."""

    FIGURES = "figures", _("已验收的统计数据（台账、趋势和导出）")
    DASHBOARDS = "dashboards", _("领导驾驶舱")
    ASSESSMENTS = "assessments", _("已公布的考核结果")
    PLANS = "plans", _("审查通过的规划方案")
    PROJECTS = "projects", _("重点项目台账")


class OrgUnit(models.Model):
    """A node of the three-level hierarchy. Guardian grants on these rows scope every list."""

    class Level(models.TextChoices):
        MUNICIPAL = "municipal", _("市级")
        DISTRICT = "district", _("区级")
        TOWN = "town", _("特色小镇")

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    slug = models.SlugField(_("拼音简称"), max_length=40, blank=True)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("组织单位")
        ordering = ["level", "order", "code"]
        permissions = UnitPerm.choices

    def __str__(self) -> str:
        return self.name


class WorkingGroup(models.Model):
    """One of the four groups of the municipal office 市特镇办 (R-1.5)."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    duties = models.TextField(_("职责"), blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("工作组")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class MemberUnit(models.Model):
    """A member department of the joint conference (R-1.3, R-1.4)."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    responsible_leader = models.CharField(_("责任领导"), max_length=50, blank=True)
    counterpart_division = models.CharField(_("对口业务处室"), max_length=100, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    # Retired, never deleted: meetings, policies and action items keep pointing at it.
    active = models.BooleanField(_("在用"), default=True, db_index=True)
    # What the office does not share with the unit's liaisons (SharedKind values); empty: everything accepted.
    withheld_kinds = models.JSONField(_("不共享的数据类别"), default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("成员单位")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


def responsible_unit_keys(
    unit_label, member_unit_label, related_name: str
) -> tuple[models.ForeignKey, models.ForeignKey]:
    """`responsible_unit, responsible_member_unit = responsible_unit_keys(…)`: whom a task (an action item, a
    problem found on a visit) is given to, a district or town or a member unit of the joint conference.
    Exactly one of the two is set, which the model's check constraint keeps."""

    def key(unit: type[models.Model], label) -> models.ForeignKey:
        return models.ForeignKey(
            unit, verbose_name=label, null=True, blank=True, on_delete=models.PROTECT, related_name=related_name
        )

    return key(OrgUnit, unit_label), key(MemberUnit, member_unit_label)


class Role(models.TextChoices):
    """Roles of SPEC's role table; each is a Django group of the same code."""

    OFFICER = "officer", _("信息员")
    REVIEWER = "reviewer", _("主管领导")
    OFFICE = "office", _("工作组成员")
    LIAISON = "liaison", _("成员单位联络员")
    LEADER = "leader", _("领导")
    # 三员分立 (等保 2.0, issue 22): three administrators, none able to do another's work. The system administrator
    # keeps the users, units, catalogue and schedules; the security administrator gives the administrative roles
    # and unlocks accounts; the audit administrator reads and exports the security audit.
    ADMIN = "admin", _("系统管理员")
    SECURITY = "security", _("安全管理员")
    AUDITOR = "auditor", _("安全审计员")
    # Not a person: the service account of an API client of the data-sharing feed (issue 18), created
    # with the client on its page, read-only, scoped like its member unit's liaison.
    CLIENT = "client", _("接口客户端")


# The roles a person is given (pages, API, import); 接口客户端 comes only with an API client.
PERSON_ROLES = tuple(role for role in Role if role != Role.CLIENT)
# The three administrative roles (三员): given and changed only by the security administrator (or a superuser).
ADMIN_ROLES = (Role.ADMIN, Role.SECURITY, Role.AUDITOR)


class UserProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="members")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    working_group = models.ForeignKey(
        WorkingGroup, verbose_name=_("工作组"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    member_unit = models.ForeignKey(
        MemberUnit, verbose_name=_("成员单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="liaisons"
    )
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    # Set with a one-time password (new account, reset); the pages send the user to change it first.
    must_change_password = models.BooleanField(_("须修改初始密码"), default=False)
    # When the password was last set (coordination.password_validation); PASSWORD_MAX_AGE_DAYS after it, the pages
    # send the user to change it.
    password_changed_at = models.DateTimeField(_("密码设置时间"), null=True, blank=True, default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("用户资料")

    def __str__(self) -> str:
        return f"{self.full_name or self.user.username} ({self.get_role_display()})"


class TownStatus(models.TextChoices):
    RESERVE = "reserve", _("储备")
    CULTIVATING = "cultivating", _("培育")
    CREATING = "creating", _("创建")
    NAMED = "named", _("命名")
    WARNED = "warned", _("警告")
    DOWNGRADED = "downgraded", _("降级")
    EXITED = "exited", _("退出")


class Town(models.Model):
    """A characteristic town (R-1.1). Its primary key is its org unit, so town ids are org-unit ids."""

    class Level(models.TextChoices):
        MUNICIPAL_STRONG = "municipal_strong", _("市级实力小镇")
        MUNICIPAL = "municipal", _("市级特色小镇")
        MUNICIPAL_CULTIVATED = "municipal_cultivated", _("市级培育特色小镇")
        DISTRICT = "district", _("区级特色小镇")

    unit = models.OneToOneField(
        OrgUnit, verbose_name=_("组织单位"), primary_key=True, on_delete=models.PROTECT, related_name="town"
    )
    district = models.ForeignKey(
        OrgUnit, verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="district_towns"
    )
    host_township = models.CharField(_("所在街镇"), max_length=50)
    lead_industry = models.CharField(_("主导产业"), max_length=100)
    planning_area_km2 = models.DecimalField(
        _("规划面积(平方公里)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    construction_land_mu = models.DecimalField(
        _("建设用地(亩)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    level = models.CharField(_("级别"), max_length=24, choices=Level.choices, default=Level.MUNICIPAL)
    national_list = models.BooleanField(_("列入国家级特色小镇名单"), default=False)
    batch = models.PositiveSmallIntegerField(_("批次"), default=1)
    named_on = models.DateField(_("命名日期"), null=True, blank=True)
    creation_subject = models.CharField(_("创建主体"), max_length=100, blank=True)
    chief_leader = models.CharField(_("主要领导(负总责)"), max_length=50, blank=True)
    leader_in_charge = models.CharField(_("分管领导(具体抓)"), max_length=50, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=TownStatus.choices, default=TownStatus.RESERVE)
    # Reporting duties follow the lifecycle: no report is expected before joining or after exit.
    reporting_from = models.DateField(_("起报月份"), help_text=_("该月第一天"))
    exited_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("特色小镇")
        ordering = ["district__order", "unit__order", "unit__code"]

    def __str__(self) -> str:
        return self.unit.name

    @property
    def id(self) -> int:
        return self.unit_id

    @property
    def name(self) -> str:
        return self.unit.name

    @property
    def code(self) -> str:
        return self.unit.code

    def expects_report(self, period) -> bool:
        """Whether a monthly report is due for `period` (first day of a month)."""
        if period < self.reporting_from:
            return False
        return self.exited_on is None or period < self.exited_on.replace(day=1)


class TownStatusChange(Event):
    """Dated history of a town's status with the decision behind it (R-1.2)."""

    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="status_changes")
    from_status, to_status = status_change(TownStatus.choices, max_length=16, always=True)
    decided_on = models.DateField(_("决定日期"))
    reason = models.TextField(_("依据"))
    document_no = models.CharField(_("文号"), max_length=100, blank=True)
    batch = models.PositiveSmallIntegerField(_("批次"), null=True, blank=True)
    # The annual list decision (创建/培育名单) this change was part of, when it was one of many.
    decision = models.ForeignKey(
        "coordination.TownListDecision",
        verbose_name=_("名单决定"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
    )
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)  # older than Event: its own label, no index

    class Meta(Event.Meta):
        verbose_name = verbose_name_plural = _("小镇状态变更")
        ordering = ["town", "decided_on", "at"]

    def __str__(self) -> str:
        return f"{self.town} {self.from_status or '-'} → {self.to_status} ({self.decided_on})"


class OrgUnitNameChange(models.Model):
    """Renames keep history (R-1.1)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="name_changes")
    old_name = models.CharField(_("原名称"), max_length=100)
    new_name = models.CharField(_("新名称"), max_length=100)
    changed_on = models.DateField(_("变更日期"))
    reason = models.TextField(_("原因"), blank=True)
    actor = acting_user()

    class Meta:
        verbose_name = verbose_name_plural = _("名称变更")
        ordering = ["unit", "changed_on"]

    def __str__(self) -> str:
        return f"{self.old_name} → {self.new_name} ({self.changed_on})"
