"""The ledgers' agenda source for district meetings (R-2.1): the district's returned and late reports,
and the last ended month's reports not submitted by their due date. Registered in apps.py."""

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from coordination.models import OrgUnit, Town
from tianjin_towns.lib import dates

from .models import MonthlyReport, ReportStatus, Timeliness

RECENT_MONTHS = 3  # late reports of this many ended months are worth a word at the meeting


def _month(period: datetime.date) -> str:
    return _("%(year)s年%(month)s月") % {"year": period.year, "month": period.month}


def report_agenda_lines(district: OrgUnit, today: datetime.date) -> list[str]:
    last = dates.last_ended_period(today)
    since = dates.add_months(last, -(RECENT_MONTHS - 1))
    due = dates.report_due_date(last)
    reports = list(
        MonthlyReport.objects.filter(town__district=district)
        .filter(
            Q(status=ReportStatus.RETURNED)
            | Q(timeliness=Timeliness.LATE, period__gte=since)
            | Q(period=last, status=ReportStatus.DRAFT)
        )
        .select_related("town__unit")
        .order_by("period", "town__unit__order", "town__unit__code")
    )
    lines = []
    for report in reports:
        town, month = report.town.unit.name, _month(report.period)
        if report.status == ReportStatus.RETURNED:
            reason = report.return_reason.splitlines()[0] if report.return_reason else ""
            lines.append(
                _("月报退回待修改：%(town)s %(month)s（%(reason)s）") % {"town": town, "month": month, "reason": reason}
            )
        elif report.timeliness == Timeliness.LATE:
            lines.append(_("月报迟报：%(town)s %(month)s") % {"town": town, "month": month})
        elif today > due:
            lines.append(_("月报逾期未报送：%(town)s %(month)s") % {"town": town, "month": month})
    if today > due:
        opened = {r.town_id for r in reports if r.period == last} | set(
            MonthlyReport.objects.filter(town__district=district, period=last).values_list("town_id", flat=True)
        )
        for town in Town.objects.filter(district=district).select_related("unit").order_by("unit__order", "unit__code"):
            if town.pk not in opened and town.expects_report(last):
                lines.append(_("月报逾期未报送：%(town)s %(month)s") % {"town": town.unit.name, "month": _month(last)})
    return lines
