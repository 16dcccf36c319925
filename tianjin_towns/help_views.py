"""The help page (使用帮助, issue 19): what each role does each month, the deadlines, how to put right a
returned report and whom to ask, shown for the roles the user acts in.

A user sees the section of the role on its profile and of every role whose work its permissions allow
(a superuser sees them all): roles are read from the unit permissions, as the navigation bar reads them, so
an office member sees the parts of the office's work routed to its working group. Every date and day named
comes from the rules the platform applies (ledgers.deadlines, the working-day calendar, the settings, the
self-evaluations' due days, the cadence rules and the routing an administrator keeps), never from the text.
It lives above the apps because it reads several of them (as tianjin_towns.views.home does).
"""

import calendar
import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.shortcuts import render
from django.utils.translation import gettext as _

from assessments import selectors as assessment_selectors
from assessments.models import SelfEvaluationKind
from coordination import help_selectors
from coordination import permissions as perms
from coordination.models import Role
from ledgers import deadlines
from tianjin_towns.lib import dates


@dataclass(frozen=True)
class HelpSection:
    """A role's part of the help: shown to holders of the role, and to whoever `acts(user, held)` says does its
    work (`held`: the unit permissions the user holds somewhere)."""

    role: str
    template: str
    acts: Callable[[AbstractBaseUser, frozenset[str]], bool]

    @property
    def key(self) -> str:
        return str(self.role)

    @property
    def label(self) -> str:
        return Role(self.role).label


def _reads_only(user: AbstractBaseUser, held: frozenset[str]) -> bool:
    """A leader: sees data and acts on none of it."""
    return perms.VIEW in held and held <= {perms.VIEW, perms.VIEW_SHARED}


SECTIONS = (
    HelpSection(Role.OFFICER, "help/officer.html", lambda user, held: perms.FILL in held),
    HelpSection(Role.REVIEWER, "help/reviewer.html", lambda user, held: perms.APPROVE in held),
    HelpSection(Role.OFFICE, "help/office.html", lambda user, held: perms.works_for_office(user)),
    HelpSection(Role.LIAISON, "help/liaison.html", lambda user, held: perms.liaison_member_unit_id(user) is not None),
    HelpSection(Role.LEADER, "help/leader.html", _reads_only),
    HelpSection(
        Role.ADMIN,
        "help/admin.html",
        lambda user, held: bool(held & {perms.MANAGE_ORGANISATION, perms.MANAGE_CATALOGUE}),
    ),
)


def sections_for_user(user: AbstractBaseUser) -> list[HelpSection]:
    """The sections of the help the user sees, in the order of SECTIONS."""
    if user.is_superuser:
        return list(SECTIONS)
    held = perms.unit_perms_held(user)
    profile = getattr(user, "profile", None)
    own_role = profile.role if profile is not None else None
    return [section for section in SECTIONS if section.role == own_role or section.acts(user, held)]


@dataclass(frozen=True)
class Milestone:
    """A date of the month the help lists: what is due, when, and whether it has passed."""

    label: str
    day: datetime.date
    passed: bool


def _month_label(period: datetime.date) -> str:
    return _("%(year)s年%(month)s月") % {"year": period.year, "month": period.month}


def _quarter_label(start: datetime.date) -> str:
    return _("%(year)s年第%(quarter)s季度") % {"year": start.year, "quarter": (start.month - 1) // 3 + 1}


def month_milestones(today: datetime.date, monthly_meetings: list[str]) -> list[Milestone]:
    """The deadlines around `today`, in date order: last month's report (due, close day), the reminder of this
    month's `monthly_meetings` (the labels of the monthly cadence rules) not yet held, the self-evaluations of
    last month and last quarter, and this month's report."""
    last_month = dates.last_ended_period(today)
    this_month = dates.month_start(today)
    quarter = dates.add_months(this_month.replace(month=(this_month.month - 1) // 3 * 3 + 1), -3)
    reminder_day = min(settings.MEETING_REMINDER_DAY, calendar.monthrange(today.year, today.month)[1])
    due = assessment_selectors.self_evaluation_due
    rows = [
        (_("%(month)s月报报送截止") % {"month": _month_label(last_month)}, deadlines.due_date(last_month)),
        (
            _("%(month)s月报关闭日（次日起未报送的计为漏报，填报锁定）") % {"month": _month_label(last_month)},
            deadlines.close_date(last_month),
        ),
        (
            _("%(month)s月度自评截止") % {"month": _month_label(last_month)},
            due(SelfEvaluationKind.MONTHLY, last_month),
        ),
        (
            _("%(quarter)s自评截止") % {"quarter": _quarter_label(quarter)},
            due(SelfEvaluationKind.QUARTERLY, quarter),
        ),
        (_("%(month)s月报报送截止") % {"month": _month_label(this_month)}, deadlines.due_date(this_month)),
    ]
    if monthly_meetings:
        label = _("本月%(meetings)s尚未召开的，系统于当日起提醒") % {"meetings": "、".join(monthly_meetings)}
        rows.append((label, this_month.replace(day=reminder_day)))
    return [Milestone(label, day, day < today) for label, day in sorted(rows, key=lambda row: row[1])]


def _rules() -> dict:
    """The configured days and counts the help's text names (settings and the modules that own them)."""
    return {
        "due_day": settings.REPORT_DUE_DAY,
        "close_day": deadlines.close_day(),
        "due_soon_days": settings.REPORT_DUE_SOON_WORKING_DAYS,
        "meeting_reminder_day": settings.MEETING_REMINDER_DAY,
        "self_monthly_day": assessment_selectors.MONTHLY_DUE_DAY,
        "self_quarterly_day": assessment_selectors.QUARTERLY_DUE_DAY,
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
        "login_attempts": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }


def _office_work(held: frozenset[str]) -> dict[str, bool]:
    """Which of the office's kinds of work the user's working group is routed (the office section's parts)."""
    return {
        "accept": perms.ACCEPT in held,
        "plans": perms.REVIEW_PLANS in held,
        "meetings": perms.VERIFY_ACTION_ITEMS in held,
        "inspections": perms.MANAGE_INSPECTIONS in held,
        "assessments": perms.MANAGE_ASSESSMENTS in held,
        "policies": perms.MANAGE_POLICIES in held,
        "towns": perms.MANAGE_TOWNS in held,
    }


@login_required
def help_page(request):
    user = request.user
    today = dates.today()
    sections = sections_for_user(user)
    keys = {section.key for section in sections}
    last_month = dates.last_ended_period(today)
    cadence = help_selectors.cadence_requirements()
    return render(
        request,
        "help/index.html",
        {
            "sections": sections,
            "today": today,
            "last_month": last_month,
            "last_month_label": _month_label(last_month),
            "milestones": month_milestones(today, [str(rule.label) for rule in cadence if rule.monthly]),
            "rules": _rules(),
            "district_cadence": [rule.sentence for rule in cadence if rule.held_by_districts],
            "office_cadence": [rule.sentence for rule in cadence if not rule.held_by_districts],
            "contacts": help_selectors.contacts_by_kind(),
            "reviewers": help_selectors.reviewers_for_user(user) if Role.OFFICER in keys else [],
            "office_work": _office_work(perms.unit_perms_held(user)) if Role.OFFICE in keys else {},
        },
    )
