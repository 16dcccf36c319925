"""The lag check "时间过半、任务过半" (R-5.1): each month, the towns whose year-to-date share of a target
trails the elapsed share of the year are flagged and their district told (reminders.target_lag_check)."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from coordination.models import Town
from coordination.services import notify
from tianjin_towns.lib import dates

from .. import scoring, selectors
from ..models import LagFlag
from .common import _district_people


@transaction.atomic
def targets_check_lag(*, today: datetime.date | None = None) -> int:
    """Flag each town whose year-to-date share of a target trails the elapsed share of the year by more than
    the margin, once per town, indicator and month, and tell the district's officer and leader.

    Safe to run twice: a second run in the same month flags and tells nobody again. Returns new flags.
    """
    today = today or dates.today()
    month = dates.last_ended_period(today)
    lagging = [p for p in selectors.target_completion(month.year, month=month) if p.lagging]
    if not lagging:
        return 0
    already = set(
        LagFlag.objects.filter(period=month, town__in={p.town_id for p in lagging}).values_list(
            "town_id", "indicator__code"
        )
    )
    indicators = selectors.indicators_by_code()
    new = [p for p in lagging if (p.town_id, p.indicator) not in already]
    LagFlag.objects.bulk_create(
        [
            LagFlag(
                town_id=p.town_id,
                indicator=indicators[p.indicator],
                period=month,
                target=p.target,
                actual=p.actual,
                completion=p.completion,
                expected=p.expected,
            )
            for p in new
        ],
        ignore_conflicts=True,
    )
    by_town: dict[int, list[selectors.TargetProgress]] = {}
    for progress in lagging:
        by_town.setdefault(progress.town_id, []).append(progress)
    towns = {t.pk: t for t in Town.objects.filter(pk__in=by_town).select_related("unit", "district")}
    for town_id, rows in by_town.items():
        town = towns[town_id]
        lines = "\n".join(
            _("%(indicator)s：完成 %(completion)s%%，应达 %(expected)s%%（年度目标 %(target)s %(unit)s）")
            % {
                "indicator": r.indicator_name,
                "completion": r.completion,
                "expected": r.expected,
                "target": scoring.plain(r.target),
                "unit": r.unit,
            }
            for r in rows
        )
        notify(
            recipients=_district_people(town.unit),
            kind="target_lag",
            subject=_("进度预警：%(town)s 截至%(month)s有 %(n)s 项指标进度滞后")
            % {"town": town.name, "month": f"{month.year}年{month.month}月", "n": len(rows)},
            body=lines,
            link=f"{reverse('assessment-targets')}?year={month.year}&district={town.district_id}",
            about=town.unit,
            occasion=f"target-lag:{town.pk}:{dates.format_period(month)}",
        )
    return len(new)
