"""Assessment reminders (R-6.1, R-5.1, R-5.3 – R-5.5): what is due on `today`, on working days, each once.

- The lag check "时间过半、任务过半" (services.targets_check_lag) is due each month two days after the
  configured report close day (REPORT_CLOSE_DAY, ledgers.deadlines), after the previous month's reports
  have closed, moved to the next working day when that is a weekend or a holiday; later days up to the
  month's end (a week at least) catch up after a worker was down.
- Self-evaluations due soon and overdue (services.self_evaluations_remind): the service's windows (a few
  days before the due date, any day after it) are tried on working days only, so a reminder whose day
  is a holiday goes out on the next working day.
- An assessment window opens when the half year (半年一小考) or the year (一年一大考) has ended: on the
  next working day the office's 创建考核组 is told to run the assessment, and the officers and leaders
  of the assessed towns what it is computed from and what to finish first. Once per window.

The schedules call these daily (tianjin_towns/celery.py); flags and notifications carry unique
occasions, so the days after the first, or a second run, send nothing.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from coordination import permissions as unit_perms
from coordination.models import OrgUnit, Town
from coordination.reminders import day_label, items_by_recipient, period_label, send_digests, unit_perm_holders
from coordination.selectors import users_with_unit_perm
from coordination.services import notify
from ledgers import deadlines as report_deadlines
from tianjin_towns.lib import dates

from . import scoring, selectors, services
from .models import Run, RunKind, Scheme


def _catch_up_until(first_day: datetime.date) -> datetime.date:
    """A notice due on `first_day` is tried until that month's end, a week at least (as ledgers.reminders)."""
    month_end = dates.add_months(dates.month_start(first_day), 1) - datetime.timedelta(days=1)
    return max(month_end, first_day + datetime.timedelta(days=7))


# --- The lag check (R-5.1) ----------------------------------------------------------------------------

LAG_CHECK_DAYS_AFTER_CLOSE = 2  # the lag check's day: two days after the report close day


def lag_check_nominal_day(month: datetime.date) -> datetime.date:
    """The lag check's day in `month` before the calendar moves it: LAG_CHECK_DAYS_AFTER_CLOSE after the
    configured close day of the month before's reports (ledgers.deadlines.close_day), at most the month's end."""
    month_end = dates.add_months(dates.month_start(month), 1) - datetime.timedelta(days=1)
    return month_end.replace(day=min(report_deadlines.close_day() + LAG_CHECK_DAYS_AFTER_CLOSE, month_end.day))


def lag_check_on(month: datetime.date) -> datetime.date:
    """The day in `month` on which the lag check over the month before is due: its nominal day moved to the
    next working day, and never before the first working day after that month's reports closed."""
    nominal = dates.next_working_day(lag_check_nominal_day(month))
    after_close = dates.next_working_day(report_deadlines.missing_from(dates.add_months(month, -1)))
    return max(nominal, after_close)


@transaction.atomic
def target_lag_check(*, today: datetime.date) -> int:
    """Run the lag check when it is due (working days only). Returns the towns' indicators flagged now."""
    if not dates.is_working_day(today):
        return 0
    flagged = 0
    this_month = dates.month_start(today)
    for month in (dates.add_months(this_month, -1), this_month):
        due = lag_check_on(month)
        if due <= today <= _catch_up_until(due):
            # As of the nominal day, so that a check moved into the next month still covers the right month.
            flagged += services.targets_check_lag(today=lag_check_nominal_day(month))
    return flagged


# --- Self-evaluations (R-5.5) -------------------------------------------------------------------------


@transaction.atomic
def self_evaluation_reminders_send(*, today: datetime.date) -> int:
    """Self-evaluations due soon or overdue, told to the units' officers on working days only."""
    if not dates.is_working_day(today):
        return 0
    return services.self_evaluations_remind(today=today)


# --- Assessment windows opening (R-5.3, R-5.4) --------------------------------------------------------


@dataclass(frozen=True)
class AssessmentWindow:
    """The semi-annual or annual assessment of one year, open from the first working day after its period."""

    year: int
    kind: str  # RunKind

    @property
    def period(self) -> scoring.Window:
        return scoring.Window(year=self.year, kind=self.kind, months=6 if self.kind == RunKind.SEMIANNUAL else 12)

    @property
    def opens_on(self) -> datetime.date:
        return dates.next_working_day(self.period.end + datetime.timedelta(days=1))

    @property
    def notice_until(self) -> datetime.date:
        return _catch_up_until(self.opens_on)

    @property
    def title(self) -> str:
        return services.default_run_title(self.year, self.kind)

    @property
    def occasion(self) -> str:
        return f"assessment-window-opened:{self.year}-{self.kind}"


def assessment_windows(today: datetime.date) -> list[AssessmentWindow]:
    """The windows that may open around `today`: last year's annual one and this year's semi-annual one."""
    return [AssessmentWindow(today.year - 1, RunKind.ANNUAL), AssessmentWindow(today.year, RunKind.SEMIANNUAL)]


def assessed_towns(window: AssessmentWindow) -> list[Town]:
    """The towns a run of `window` assesses (as selectors.run_towns): listed before its end, not exited before."""
    end = window.period.end
    return list(
        Town.objects.filter(reporting_from__lte=end)
        .filter(Q(exited_on__isnull=True) | Q(exited_on__gt=end))
        .select_related("unit", "district")
        .order_by("district__order", "unit__order", "unit__code")
    )


def assessment_group_members() -> QuerySet:
    """The holders of MANAGE_ASSESSMENTS on the municipality (the working group "创建考核" is routed to),
    who create runs and enter manual scores (permissions.can_edit)."""
    city = OrgUnit.objects.filter(level=OrgUnit.Level.MUNICIPAL).order_by("pk").first()
    if city is None:
        return get_user_model().objects.none()
    return users_with_unit_perm(city, unit_perms.MANAGE_ASSESSMENTS)


def _date(day: datetime.date) -> str:
    return _("%(year)s年%(month)s月%(day)s日") % {"year": day.year, "month": day.month, "day": day.day}


def _words(window: AssessmentWindow, towns: list[Town]) -> dict:
    last_month = window.period.last_month
    return {
        "title": window.title,
        "year": window.year,
        "start": _date(window.period.start),
        "end": _date(window.period.end),
        "count": len(towns),
        "month": period_label(last_month),
        "due": day_label(dates.report_due_date(last_month), with_year=True),
    }


def _tell_assessment_group(window: AssessmentWindow, towns: list[Town], runs: list[Run]) -> int:
    """One notice to each member of 创建考核组: what to prepare first, linked to where to do it."""
    words = _words(window, towns)
    scheme = Scheme.objects.filter(year=window.year).first()
    total = selectors.scheme_weight_total(selectors.scheme_items(scheme)) if scheme else None
    if scheme is None:
        step = _("%(year)s年考核方案尚未制定：请先制定考核方案（各考核项权重合计100分），再新建考核。") % words
        link = reverse("assessment-scheme-create")
    elif total != services.WEIGHT_TOTAL:
        step = _("%(year)s年考核方案各考核项权重合计%(total)s分，应为100分：请先调整方案，再新建考核。") % {
            **words,
            "total": scoring.plain(total),
        }
        link = reverse("assessment-scheme", args=[scheme.pk])
    elif runs:
        step = _("已新建考核“%(run)s”（草稿）：请录入考核组评分，核对后提请市特镇办发布。") % {"run": runs[0].title}
        link = reverse("assessment-run", args=[runs[0].pk])
    else:
        step = _("请新建“%(title)s”，录入考核组评分，核对后提请市特镇办发布。") % words
        link = f"{reverse('assessment-overview')}?year={window.year}"
    body = "\n".join(
        [
            _("考核期：%(start)s至%(end)s，参加考核的小镇%(count)s个。") % words,
            step,
            _("%(month)s月报截止日期为%(due)s；发布后结果即固定，请在月报审核通过后再发布。") % words,
        ]
    )
    return len(
        notify(
            recipients=assessment_group_members(),
            kind="assessment_window_opened",
            subject=_("%(title)s：考核期已结束，请开展考核") % words,
            body=body,
            link=link,
            occasion=window.occasion,
        )
    )


def _tell_towns(window: AssessmentWindow, towns: list[Town]) -> int:
    """One digest to each officer and leader of the assessed towns (or their district), listing their towns."""
    words = _words(window, towns)
    holders = [unit_perm_holders([town.pk for town in towns], perm) for perm in (unit_perms.FILL, unit_perms.APPROVE)]
    if window.kind == RunKind.SEMIANNUAL:
        what = _("%(title)s（半年一小考）的考核期已于%(end)s结束，考核结果排名通报，不与奖惩挂钩。") % words
    else:
        what = (
            _(
                "%(title)s（一年一大考）的考核期已于%(end)s结束，考核评定优秀、良好、合格、不合格等次，"
                "未完成年度计划的小镇将按规定给予警告、降级或退出处理。"
            )
            % words
        )
    intro = what + (
        _(
            "考核依据已审核通过的月报数据、月报报送及时率、工作机制落实和督办问题整改情况计分，"
            "请督促以下小镇在%(due)s前报送%(month)s月报、完成自查自评，并抓紧整改尚未销号的督办问题："
        )
        % words
    )
    return send_digests(
        items_by_recipient(towns, lambda town: [user for by_unit in holders for user in by_unit.get(town.pk, [])]),
        kind="assessment_window_opened",
        occasion=window.occasion,
        subject=lambda items: _("%(title)s：考核期已结束，%(count)s个小镇参加考核") % {**words, "count": len(items)},
        intro=intro,
        line=lambda town: f"{town.district.name} {town.name}",
        link=f"{reverse('assessment-overview')}?year={window.year}",
    )


@transaction.atomic
def assessment_window_reminders_send(*, today: datetime.date) -> int:
    """On the first working day after a half year or a year (later days catch up), tell 创建考核组 and the
    assessed towns' officers and leaders that the assessment is open; a window already published is skipped.
    Returns the notifications created now."""
    if not dates.is_working_day(today):
        return 0
    created = 0
    for window in assessment_windows(today):
        if not window.opens_on <= today <= window.notice_until:
            continue
        runs = list(Run.objects.filter(scheme__year=window.year, kind=window.kind).order_by("-created_at", "-pk"))
        towns = assessed_towns(window)
        if not towns or any(run.is_published for run in runs):
            continue
        created += _tell_assessment_group(window, towns, runs)
        created += _tell_towns(window, towns)
    return created
