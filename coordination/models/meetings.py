"""Meetings and learning activities (R-2.1, R-4.1), their decisions and the action items (督办事项, R-2.2)
that follow them up."""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tianjin_towns.lib.choices import follow_up_statuses
from tianjin_towns.lib.events import Event, action_choice, changed_values, no_evidence_reason
from tianjin_towns.lib.models import acting_user, status_change, step_taken, timestamps

from .org import MemberUnit, OrgUnit, responsible_unit_keys

_MUNICIPAL = (OrgUnit.Level.MUNICIPAL,)
_DISTRICT = (OrgUnit.Level.DISTRICT,)
_ANY: tuple[str, ...] = ()


class MeetingKind(models.TextChoices):
    """The kinds of meetings and activities, each defined once, on one line: the value (the API's fixed
    vocabulary, API.md), the org-unit levels that may host it (empty: any), the colour of its tag
    (a `.kind-tag-<colour>` class of static/css/app.css) and the label.

    Everything else derives from this: the form and API choices, the host rule of the services and
    its message, the cadence matrix's kinds (coordination.cadence) and the tags of the meeting pages.
    """

    JOINT_CONFERENCE = "joint_conference", _MUNICIPAL, "purple", _("市联席会议")
    DISTRICT_REGULAR = "district_regular", _DISTRICT, "blue", _("区例会")
    DISTRICT_ONSITE = "district_onsite", _DISTRICT, "green", _("区现场推动会")
    TRAINING = "training", _ANY, "amber", _("专家培训（请进来）")
    STUDY_TOUR = "study_tour", _ANY, "amber", _("考察学习（走出去）")
    EXCHANGE = "exchange", _ANY, "amber", _("交流互动（串起来）")

    def __new__(cls, value: str, host_levels: tuple[str, ...], colour: str):
        # Django's Choices takes the label off the end; the stored value stays the plain string.
        member = str.__new__(cls, value)
        member._value_ = value
        member.host_levels = host_levels
        member.colour = colour
        return member

    def may_be_hosted_by(self, level: str) -> bool:
        return not self.host_levels or level in self.host_levels


# Kinds only a district hosts (the agenda suggestions are theirs).
DISTRICT_KINDS = tuple(kind for kind in MeetingKind if kind.host_levels == _DISTRICT)


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("计划召开")
    HELD = "held", _("已召开")
    MINUTES_APPROVED = "minutes_approved", _("纪要已审定")


class Meeting(models.Model):
    """A meeting or activity hosted by an org unit. `held_on` is the planned date until it is held."""

    kind = models.CharField(_("类别"), max_length=20, choices=MeetingKind.choices, db_index=True)
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("会议名称"), max_length=200)
    held_on = models.DateField(_("日期"), db_index=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    convener = models.CharField(_("召集人（主持人）"), max_length=100, blank=True)
    state = models.CharField(
        _("状态"), max_length=20, choices=MeetingState.choices, default=MeetingState.PLANNED, db_index=True
    )
    attendee_units = models.ManyToManyField(
        OrgUnit, verbose_name=_("参会区和小镇"), blank=True, related_name="attended_meetings"
    )
    attendee_member_units = models.ManyToManyField(
        MemberUnit, verbose_name=_("参会成员单位"), blank=True, related_name="attended_meetings"
    )
    attendees = models.TextField(_("参会人员"), blank=True, help_text=_("每行一人，例如：张三（市发展改革委副主任）"))
    agenda = models.TextField(_("会议议程"), blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True, help_text=_("学习交流活动在此填写活动报告"))
    created_by = acting_user(blank=True)
    created_at, updated_at = timestamps()
    minutes_approved_by, minutes_approved_at = step_taken(_("纪要审定时间"), user_first=True)

    class Meta:
        verbose_name = verbose_name_plural = _("会议活动")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["org_unit", "kind", "held_on"])]

    def __str__(self) -> str:
        return f"{self.title}（{self.held_on}）"

    @property
    def is_held(self) -> bool:
        return self.state != MeetingState.PLANNED

    @property
    def minutes_locked(self) -> bool:
        return self.state == MeetingState.MINUTES_APPROVED

    @property
    def attendee_lines(self) -> list[str]:
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]

    @property
    def minutes_paragraphs(self) -> list[str]:
        return [line.strip() for line in self.minutes.splitlines() if line.strip()]

    @property
    def agenda_lines(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]


class MeetingEvent(Event):
    """The meeting's history: who created, edited, recorded, approved it and when."""

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        UPDATE = "update", _("修改")
        HOLD = "hold", _("登记召开")
        APPROVE_MINUTES = "approve_minutes", _("审定纪要")
        DECISION = "decision", _("修改决定事项")
        ATTACH = "attach", _("上传附件")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    action = action_choice(Action.choices, max_length=20)
    note = models.TextField(_("说明"), blank=True)
    changes = changed_values()
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta(Event.Meta):
        verbose_name = verbose_name_plural = _("会议办理记录")


def meeting_upload_path(instance: "MeetingAttachment", filename: str) -> str:
    return f"meetings/{instance.meeting_id}/{filename}"


class MeetingAttachment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=meeting_upload_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = acting_user()
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("会议附件")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Decision(models.Model):
    """One decision recorded in the minutes (议定事项); each may become action items."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("决定事项"))

    class Meta:
        verbose_name = verbose_name_plural = _("决定事项")
        ordering = ["meeting", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:30]}"


# The API's fixed vocabulary: open → in_progress → done → verified (a rejected `done` goes back).
ActionItemStatus = follow_up_statuses(
    "ActionItemStatus", __name__, (_("未开始"), _("办理中"), _("已办结待核验"), _("已核验"))
)


OPEN_STATUSES = (ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS)


class ActionItem(models.Model):
    """An action item (督办事项) from a decision: a responsible unit, an owner, a due date (R-2.2).

    The responsible unit is a district or town (an org unit) or a member unit of the conference;
    exactly one of the two is set.
    """

    decision = models.ForeignKey(
        Decision, verbose_name=_("来源决定事项"), on_delete=models.PROTECT, related_name="action_items"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("来源会议"), on_delete=models.PROTECT, related_name="action_items"
    )
    title = models.CharField(_("督办事项"), max_length=300)
    responsible_unit, responsible_member_unit = responsible_unit_keys(
        _("责任单位（区/小镇）"), _("责任单位（成员单位）"), related_name="action_items"
    )
    owner = models.CharField(_("责任人"), max_length=100)
    due_on = models.DateField(_("办结时限"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ActionItemStatus.choices, default=ActionItemStatus.OPEN, db_index=True
    )
    resolution = models.TextField(_("办理结果"), blank=True)
    created_by = acting_user()
    created_at = models.DateTimeField(_("交办时间"), auto_now_add=True)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    verified_at, verified_by = step_taken(_("核验时间"))

    class Meta:
        verbose_name = verbose_name_plural = _("督办事项")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(responsible_unit__isnull=False) & models.Q(responsible_member_unit__isnull=True))
                | (models.Q(responsible_unit__isnull=True) & models.Q(responsible_member_unit__isnull=False)),
                name="action_item_one_responsible_unit",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def responsible_name(self) -> str:
        unit = self.responsible_unit or self.responsible_member_unit
        return unit.name if unit else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue_on(self, day: datetime.date) -> bool:
        """Not yet reported done and past its due date (reminders and the overdue flags use this)."""
        return self.is_open and self.due_on < day

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(timezone.localdate())


def action_item_upload_path(instance: "ActionItemEvent", filename: str) -> str:
    return f"action-items/{instance.item_id}/{filename}"


class ActionItemEvent(Event):
    """The item's history: assignment, progress reports with evidence, verification (with the office's waiver
    of the evidence, when there is none) or rejection."""

    class Action(models.TextChoices):
        CREATE = "create", _("交办")
        PROGRESS = "progress", _("报告进展")
        DONE = "done", _("报告办结")
        WAIVE_EVIDENCE = "waive_evidence", _("免交佐证材料")
        VERIFY = "verify", _("核验通过")
        REJECT = "reject", _("核验退回")

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="events")
    action = action_choice(Action.choices, max_length=20)
    from_status, to_status = status_change(ActionItemStatus.choices, max_length=20, always=True)
    note = models.TextField(_("说明"), blank=True)
    # The result a done report gave (the item keeps the latest as its `resolution`; a rejected one stays here).
    resolution = models.TextField(_("办理结果"), blank=True)
    no_evidence_reason = no_evidence_reason()
    evidence = models.FileField(_("佐证材料"), upload_to=action_item_upload_path, blank=True, max_length=300)
    evidence_name = models.CharField(_("佐证材料文件名"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta(Event.Meta):
        verbose_name = verbose_name_plural = _("督办事项办理记录")
