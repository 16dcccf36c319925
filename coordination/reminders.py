"""Reminders (R-6.1): the part every app's periodic reminders share.

A reminder is a periodic query of what is due on `today` (ledgers.reminders for monthly reports,
this module for meetings and action items, inspections for problems). Its recipients are found
from the org-unit grants, the items are gathered into one notification per recipient, and each
notification names its occasion (what, which period or object, which stage): the unique
(recipient, occasion) of Notification makes a second run, or a second beat, send nothing.
Reminders go out on working days only, by the calendar of tianjin_towns.lib.dates.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.models import UserObjectPermission

from tianjin_towns.lib import dates

from . import cadence
from .models import ActionItem, MeetingKind, Notification, OrgUnit, Role
from .models.meetings import OPEN_STATUSES
from .notifications import notify
from .permissions import APPROVE_MINUTES, MANAGE_INSPECTIONS, MANAGE_MEETINGS, MANAGE_ORGANISATION
from .selectors import cadence_matrix, users_with_unit_perm
from .services.action_items import action_item_handlers, action_item_verifiers

WEEKDAYS = (
    gettext_lazy("星期一"),
    gettext_lazy("星期二"),
    gettext_lazy("星期三"),
    gettext_lazy("星期四"),
    gettext_lazy("星期五"),
    gettext_lazy("星期六"),
    gettext_lazy("星期日"),
)


def day_label(day: datetime.date, *, with_year: bool = False) -> str:
    """'10月10日（星期六，调休上班）': a deadline as people read it, make-up working days called out."""
    text = _("%(year)s年%(month)s月%(day)s日") if with_year else _("%(month)s月%(day)s日")
    text = text % {"year": day.year, "month": day.month, "day": day.day}
    weekday = str(WEEKDAYS[day.weekday()])
    if dates.is_make_up_working_day(day):
        return _("%(date)s（%(weekday)s，调休上班）") % {"date": text, "weekday": weekday}
    return _("%(date)s（%(weekday)s）") % {"date": text, "weekday": weekday}


def period_label(period: datetime.date) -> str:
    return _("%(year)s年%(month)s月") % {"year": period.year, "month": period.month}


def unit_perm_holders(unit_ids: Iterable[int], perm: str) -> dict[int, list[AbstractBaseUser]]:
    """For each org unit, the active users holding `perm` on it or on a unit above it, in three queries
    whatever the number of units (a district's grant covers its towns, the city's covers all)."""
    units = list(OrgUnit.objects.filter(pk__in=list(unit_ids)).values_list("pk", "parent_id", "parent__parent_id"))
    grants = UserObjectPermission.objects.filter(
        permission__codename=perm,
        content_type=ContentType.objects.get_for_model(OrgUnit),
        user__is_active=True,
    ).values_list("object_pk", "user_id")
    holders_of: dict[int, set[int]] = defaultdict(set)
    for object_pk, user_id in grants:
        holders_of[int(object_pk)].add(user_id)
    users = (
        get_user_model()
        .objects.select_related("profile")
        .in_bulk({user_id for ids in holders_of.values() for user_id in ids})
    )
    result = {}
    for pk, parent_id, grandparent_id in units:
        ids = holders_of[pk] | holders_of.get(parent_id, set()) | holders_of.get(grandparent_id, set())
        result[pk] = [users[user_id] for user_id in sorted(ids) if user_id in users]
    return result


def is_officer(user: AbstractBaseUser) -> bool:
    """Officers are sent to their inbox (待我处理), where the fill-in buttons are; others to lists."""
    return getattr(getattr(user, "profile", None), "role", None) == Role.OFFICER


def administrators() -> QuerySet:
    """Superusers and the holders of MANAGE_ORGANISATION (系统管理员), who maintain the reference data."""
    holders = UserObjectPermission.objects.filter(
        permission__codename=MANAGE_ORGANISATION, content_type=ContentType.objects.get_for_model(OrgUnit)
    ).values("user_id")
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(pk__in=holders), is_active=True)
        .distinct()
        .order_by("pk")
    )


def items_by_recipient(
    items: Iterable, recipients_of: Callable[[object], Iterable[AbstractBaseUser]]
) -> dict[AbstractBaseUser, list]:
    """Group due items per recipient, keeping the items' order: {user: [item, …]}."""
    grouped: dict[int, tuple[AbstractBaseUser, list]] = {}
    for item in items:
        for user in {user.pk: user for user in recipients_of(item)}.values():  # once, whatever their grants
            grouped.setdefault(user.pk, (user, []))[1].append(item)
    return {user: user_items for user, user_items in grouped.values()}


def send_digests(
    grouped: dict[AbstractBaseUser, list],
    *,
    kind: str,
    occasion: str,
    subject: Callable[[list], str],
    intro: str,
    line: Callable[[object], str],
    link: Callable[[AbstractBaseUser], str] | str = "",
) -> int:
    """One notification per recipient listing the items due for them; returns how many were created now."""
    told = set(
        Notification.objects.filter(occasion=occasion, recipient__in=[user.pk for user in grouped]).values_list(
            "recipient_id", flat=True
        )
    )
    created = 0
    for user, user_items in grouped.items():
        if user.pk in told:
            continue  # the usual case on the days after an occasion: skip the per-recipient work
        body = "\n".join([intro, *(f"· {line(item)}" for item in user_items)])
        created += len(
            notify(
                recipients=[user],
                kind=kind,
                subject=subject(user_items),
                body=body,
                link=link(user) if callable(link) else link,
                occasion=occasion,
            )
        )
    return created


# --- The holiday calendar -------------------------------------------------------------------------

# Due dates up to this many days ahead must be computable with the real holidays.
CALENDAR_LOOKAHEAD_DAYS = 60


@transaction.atomic
def calendar_warn_unknown_years(*, today: datetime.date) -> int:
    """Tell the administrators, once per year, that an upcoming year has no holiday calendar yet.

    Until someone enters it, that year's due dates count Monday to Friday as the working days.
    """
    years = sorted({today.year, (today + datetime.timedelta(days=CALENDAR_LOOKAHEAD_DAYS)).year})
    created = 0
    for year in years:
        if dates.calendar_source(year) != "weekends":
            continue
        created += len(
            notify(
                recipients=administrators(),
                kind="calendar_missing",
                subject=_("请录入%(year)s年节假日安排") % {"year": year},
                body=_(
                    "系统内置的国务院节假日安排尚不包含%(year)s年。在录入之前，%(year)s年的截止日期只顺延周末，"
                    "不考虑法定节假日和调休上班。请在“系统管理 › 节假日与调休”中逐日录入放假日期和调休上班日期。"
                )
                % {"year": year},
                link=reverse("admin:coordination_calendarday_changelist"),
                occasion=f"calendar-missing:{year}",
            )
        )
    return created


# --- Meetings and visits not yet held (R-2.1, R-2.3, R-2.4) ---------------------------------------


def _cadence_recipients(cells: list) -> Callable[[object], list[AbstractBaseUser]]:
    """Who hosts each activity: meeting kinds → the unit's meeting managers and its minute-approving leader;
    other kinds (on-site supervision) → the office members organising inspections. Grants on the city reach
    the office, so the office hears about every district in one digest."""
    unit_ids = {cell.org_unit.pk for cell in cells}
    holders = {
        perm: unit_perm_holders(unit_ids, perm) for perm in (MANAGE_MEETINGS, APPROVE_MINUTES, MANAGE_INSPECTIONS)
    }
    meeting_kinds = set(MeetingKind.values)

    def recipients(cell) -> list[AbstractBaseUser]:
        perms = (MANAGE_MEETINGS, APPROVE_MINUTES) if cell.rule.kind in meeting_kinds else (MANAGE_INSPECTIONS,)
        return [user for perm in perms for user in holders[perm].get(cell.org_unit.pk, [])]

    return recipients


def _cadence_line(cell) -> str:
    kind = cadence.activity_kind(cell.rule.kind)
    return _("%(unit)s：%(kind)s %(period)s 已开展%(held)s次，要求%(required)s") % {
        "unit": cell.org_unit.name,
        "kind": kind.label if kind else cell.rule.kind,
        "period": cell.period_label,
        "held": cell.held,
        "required": cell.rule.requirement_label,
    }


@transaction.atomic
def meeting_reminders_send(*, today: datetime.date) -> int:
    """Monthly meetings not yet held by MEETING_REMINDER_DAY of the month, and quarterly ones (the joint
    conference, the office's on-site visits) not yet held when the quarter's last month has begun.
    Working days only; one digest per recipient and month or quarter."""
    if not dates.is_working_day(today):
        return 0
    pending = [
        cell
        for cell in cadence_matrix(today.year, today=today)
        if cell.state == "pending" and cell.period_start <= today < cell.period_end
    ]
    monthly = [c for c in pending if c.rule.period == "month" and today.day >= settings.MEETING_REMINDER_DAY]
    quarterly = [c for c in pending if c.rule.period == "quarter" and dates.add_months(c.period_end, -1) <= today]
    created = 0
    for cells, kind, occasion, subject, intro in (
        (
            monthly,
            "meeting_not_held",
            f"meeting-not-held:{today:%Y-%m}",
            _("本月尚有会议未召开（%(count)s项）"),
            _("截至%(today)s，以下本月应召开的会议尚未登记召开，请在月底前召开并及时登记："),
        ),
        (
            quarterly,
            "quarterly_activity_not_held",
            f"quarterly-activity-not-held:{today.year}-Q{(today.month - 1) // 3 + 1}",
            _("本季度尚有联席会议或现场督办未开展（%(count)s项）"),
            _("本季度已进入最后一个月，以下活动尚未达到要求次数，请抓紧安排："),
        ),
    ):
        if not cells:
            continue
        created += send_digests(
            items_by_recipient(cells, _cadence_recipients(cells)),
            kind=kind,
            occasion=occasion,
            subject=lambda items, subject=subject: subject % {"count": len(items)},
            intro=intro % {"today": day_label(today)},
            line=_cadence_line,
            link=reverse("cadence"),
        )
    return created


# --- Action items due soon and overdue (R-2.2) ----------------------------------------------------

ACTION_ITEM_DUE_SOON_DAYS = 3


@transaction.atomic
def action_item_reminders_send(*, today: datetime.date) -> int:
    """Open action items due within three days remind their handlers; overdue ones go also to the responsible
    unit's leaders and the office. Once per item and due date (a new due date is a new occasion)."""
    if not dates.is_working_day(today):
        return 0
    items = (
        ActionItem.objects.filter(
            status__in=OPEN_STATUSES, due_on__lte=today + datetime.timedelta(days=ACTION_ITEM_DUE_SOON_DAYS)
        )
        .select_related("meeting__org_unit", "responsible_unit", "responsible_member_unit")
        .order_by("due_on", "pk")
    )
    created = 0
    for item in items:
        link = reverse("action-item-detail", args=[item.pk])
        words = {"title": item.title, "due": day_label(item.due_on), "unit": item.responsible_name}
        if item.due_on >= today:
            recipients = action_item_handlers(item)
            kind, occasion = "action_item_due_soon", f"action-item-due-soon:{item.pk}:{item.due_on}"
            subject = _("督办事项将于%(due)s到期：%(title)s") % words
            body = _("责任单位：%(unit)s。请在办结时限前报告办理结果。") % words
        else:
            leaders = (
                list(users_with_unit_perm(item.responsible_unit, APPROVE_MINUTES)) if item.responsible_unit else []
            )
            recipients = [*action_item_handlers(item), *leaders, *action_item_verifiers(item)]
            kind, occasion = "action_item_overdue", f"action-item-overdue:{item.pk}:{item.due_on}"
            subject = _("督办事项已逾期（%(due)s到期）：%(title)s") % words
            body = _("责任单位：%(unit)s，逾期%(days)s天，请尽快办结并报告。") % {
                **words,
                "days": (today - item.due_on).days,
            }
        created += len(
            notify(
                recipients=recipients, kind=kind, subject=subject, body=body, link=link, about=item, occasion=occasion
            )
        )
    return created
