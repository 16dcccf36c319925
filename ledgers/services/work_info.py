"""Work information (信息报送, R-3.2): a district or town writes an item, its leader approves it, the office
adopts it (采用) for the month's briefing, or either reviewer returns it with a reason.
"""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from coordination import permissions as unit_perms
from coordination import services as org
from coordination.models import DocumentKind, IssuedDocument, OrgUnit
from coordination.selectors import users_with_unit_perm
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from ..models import WorkInfo, WorkInfoEvent
from .common import _tell

WORK_INFO_FIELDS = ("category", "title", "body", "happened_on")


def _check_work_info(org_unit: OrgUnit, values: dict) -> None:
    errors = {}
    if org_unit.level == OrgUnit.Level.MUNICIPAL:
        errors["org_unit"] = [_("工作信息由区或小镇报送。")]
    if values.get("category") not in WorkInfo.Category.values:
        errors["category"] = [_("请选择信息类别。")]
    if not (values.get("title") or "").strip():
        errors["title"] = [_("请填写标题。")]
    elif len(values["title"].strip()) > 120:
        errors["title"] = [_("标题不能超过120个字。")]
    if len((values.get("body") or "").strip()) < 10:
        errors["body"] = [_("请填写正文（不少于10个字）。")]
    happened_on = values.get("happened_on")
    if happened_on is None:
        errors["happened_on"] = [_("请填写发生日期。")]
    elif happened_on > dates.today():
        errors["happened_on"] = [_("发生日期不能晚于今天。")]
    if errors:
        raise ValidationError(errors)


def _stripped(values: dict) -> dict:
    """The checked values as they are stored: text without surrounding white space."""
    return {name: value.strip() if isinstance(value, str) else value for name, value in values.items()}


def _work_info_event(info: WorkInfo, actor, action: str, from_status: str, reason: str = "") -> WorkInfoEvent:
    return WorkInfoEvent.objects.create(
        info=info, actor=actor, action=action, from_status=from_status, to_status=info.status, reason=reason
    )


def _work_info_locked(info_id: int) -> WorkInfo:
    return WorkInfo.objects.select_for_update().select_related("org_unit").get(pk=info_id)


def _work_info_transition(info: WorkInfo, allowed_from: set[str], verb: str) -> str:
    if info.status not in allowed_from:
        raise ConflictError(
            _("该信息当前状态为“%(status)s”，不能%(verb)s。")
            % {"status": WorkInfo.Status(info.status).label, "verb": verb}
        )
    return info.status


# The workflow, one step a line: the statuses it starts from, the verb a refusal names, the status it leads to,
# and who is told (the holders of that permission on the item's unit; None: its writers) with what subject.
_S, _A = WorkInfo.Status, WorkInfoEvent.Action
_EDITABLE = {_S.DRAFT, _S.RETURNED}
_STEPS = {
    _A.SUBMIT: (_EDITABLE, _lazy("报送"), _S.SUBMITTED, unit_perms.APPROVE, _lazy("工作信息待审核：%(title)s")),
    _A.APPROVE: ({_S.SUBMITTED}, _lazy("审核通过"), _S.APPROVED, unit_perms.ACCEPT, _lazy("工作信息待采用：%(title)s")),
    _A.ACCEPT: ({_S.APPROVED}, _lazy("采用"), _S.ACCEPTED, None, _lazy("工作信息已被采用：%(title)s")),
    _A.RETURN: ({_S.SUBMITTED, _S.APPROVED}, _lazy("退回"), _S.RETURNED, None, _lazy("工作信息被退回：%(title)s")),
}


def _work_info_step(info: WorkInfo, actor, action: str, reason: str = "", **fields) -> WorkInfo:
    """One step of the workflow (`_STEPS`): lock the item, check it may take the step, move it with `fields`,
    write the step to its trail and tell the next people (the notification kind is named after the status)."""
    allowed_from, verb, to_status, told, subject = _STEPS[action]
    info = _work_info_locked(info.pk)
    from_status = _work_info_transition(info, allowed_from, verb)
    info.status = to_status
    for name, value in fields.items():
        setattr(info, name, value)
    info.save()
    event = _work_info_event(info, actor, action, from_status, reason)
    recipients = users_with_unit_perm(info.org_unit, told) if told else [info.submitted_by, info.created_by]
    subject = subject % {"title": info.title}
    _tell(info, event, recipients, f"work_info_{to_status}", subject, reason, page="work-info-detail")
    return info


@transaction.atomic
def work_info_create(
    *,
    actor: AbstractBaseUser,
    org_unit: OrgUnit,
    category: str,
    title: str,
    body: str,
    happened_on: datetime.date,
    submit: bool = False,
) -> WorkInfo:
    """Officer: a new draft for `org_unit`; with `submit` it is submitted as well ("保存并报送", one operation:
    nothing is saved when the submission is refused)."""
    values = {"category": category, "title": title, "body": body, "happened_on": happened_on}
    _check_work_info(org_unit, values)
    info = WorkInfo.objects.create(org_unit=org_unit, created_by=actor, **_stripped(values))
    _work_info_event(info, actor, WorkInfoEvent.Action.CREATE, "")
    if submit:
        info = work_info_submit(actor=actor, info=info)
    return info


@transaction.atomic
def work_info_update(*, actor: AbstractBaseUser, info: WorkInfo, submit: bool = False, **values) -> WorkInfo:
    """Officer: change a draft or a returned item (a returned one stays returned until submitted again);
    with `submit` it is submitted as well, in the same transaction (nothing is saved when that is refused)."""
    info = _work_info_locked(info.pk)
    _work_info_transition(info, _EDITABLE, _("修改"))
    merged = {name: values.get(name, getattr(info, name)) for name in WORK_INFO_FIELDS}
    _check_work_info(info.org_unit, merged)
    for name, value in _stripped(merged).items():
        setattr(info, name, value)
    info.save()
    _work_info_event(info, actor, WorkInfoEvent.Action.SAVE, info.status)
    if submit:
        info = work_info_submit(actor=actor, info=info)
    return info


@transaction.atomic
def work_info_submit(*, actor: AbstractBaseUser, info: WorkInfo) -> WorkInfo:
    """Officer: draft or returned → submitted; the unit's reviewing leader is told."""
    return _work_info_step(
        info, actor, WorkInfoEvent.Action.SUBMIT, submitted_at=timezone.now(), submitted_by=actor, return_reason=""
    )


@transaction.atomic
def work_info_approve(*, actor: AbstractBaseUser, info: WorkInfo) -> WorkInfo:
    """District leader: submitted → approved; the office group that adopts information is told."""
    return _work_info_step(info, actor, WorkInfoEvent.Action.APPROVE)


@transaction.atomic
def work_info_accept(*, actor: AbstractBaseUser, info: WorkInfo) -> WorkInfo:
    """Office: approved → accepted (采用); the item joins its month's briefing material."""
    return _work_info_step(info, actor, WorkInfoEvent.Action.ACCEPT, accepted_at=timezone.now())


@transaction.atomic
def work_info_return(*, actor: AbstractBaseUser, info: WorkInfo, reason: str) -> WorkInfo:
    """Either reviewer: submitted or approved → returned with a reason the writer reads."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("退回时必须填写退回原因。")]})
    return _work_info_step(info, actor, WorkInfoEvent.Action.RETURN, reason, return_reason=reason)


def work_briefing_source(period: datetime.date) -> str:
    return f"work_briefing:{dates.format_period(period)}"


def work_briefing_issue(
    *, actor: AbstractBaseUser, period: datetime.date, corrects: IssuedDocument | None = None, reason: str = ""
) -> IssuedDocument:
    """印发 a month's work briefing (工作简报) with the briefing's next issue number (2026年第N期): the items of the
    month the office has adopted, as `actor` reads them (the office reads them all)."""
    from ..briefing import briefing_filename, briefing_title, work_briefing_docx
    from ..selectors import work_info_briefing

    grouped = work_info_briefing(actor, period)
    if not grouped:
        raise ConflictError(
            _("%(period)s 没有已采用的工作信息，无法印发简报。") % {"period": dates.format_period(period)}
        )

    def build(number: str, issued_on: datetime.date) -> bytes:
        return work_briefing_docx(period, grouped, issued_on=issued_on, number=number)

    return org.document_issue(
        actor=actor,
        kind=DocumentKind.WORK_BRIEFING,
        source=work_briefing_source(period),
        title=briefing_title(period),
        build=build,
        filename=briefing_filename(period),
        source_url=f"{reverse('work-info-briefing-page')}?month={dates.format_period(period)}",
        corrects=corrects,
        reason=reason,
    )
