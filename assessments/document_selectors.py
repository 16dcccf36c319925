"""The figures of the office's documents about a run (R-5.3, R-5.4): the semi-annual briefing (简报) and the annual
results circular (年度考核结果通报), read from the run's results (selectors.run_results); their builders are
exports.write_briefing and results_circular.write_results_circular."""

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from . import scoring
from .models import Grade, Run, Sanction
from .selectors import ResultRow, run_period_ended, run_results


@dataclass
class DistrictPosition:
    district_name: str
    towns: int
    average: Decimal
    praise: int
    warning: int
    best: str
    best_rank: int


def briefing(run: Run, *, today: datetime.date | None = None) -> dict:
    """The figures of the semi-annual briefing (简报): summary, praise list, warning list, each district's position.

    A draft's briefing is a preview for review, its figures provisional (预估); while its half-year runs it
    names no town for praise or warning (`bands_pending`): they are told once the half-year has ended.
    """
    rows = run_results(run, today=today)
    praise = [r for r in rows if r.band == "praise"]
    warning = [r for r in rows if r.band == "warning"]
    districts: dict[str, list[ResultRow]] = {}
    for row in rows:
        districts.setdefault(row.district_name, []).append(row)
    positions = [
        DistrictPosition(
            district_name=name,
            towns=len(members),
            average=scoring.q2(sum((m.score for m in members), Decimal(0)) / len(members)),
            praise=sum(1 for m in members if m.band == "praise"),
            warning=sum(1 for m in members if m.band == "warning"),
            best=min(members, key=lambda m: m.rank).town_name,
            best_rank=min(m.rank for m in members),
        )
        for name, members in districts.items()
    ]
    positions.sort(key=lambda p: -p.average)
    return {
        "rows": rows,
        "provisional": not run.is_published,
        "bands_pending": not run.is_published and not run_period_ended(run, today),
        "praise": praise,
        "warning": warning,
        "unbanded": [r for r in rows if r.plan_met is None],  # towns without any target this year
        "positions": positions,
        **_score_summary(rows),
    }


def _score_summary(rows: list[ResultRow]) -> dict:
    scores = [r.score for r in rows]
    return {
        "count": len(rows),
        "average": scoring.q2(sum(scores, Decimal(0)) / len(scores)) if scores else None,
        "highest": max(scores) if scores else None,
        "lowest": min(scores) if scores else None,
    }


def results_circular(run: Run, *, today: datetime.date | None = None) -> dict:
    """The figures of the annual results circular (年度考核结果通报): every town's score, rank and grade, the count
    per grade, the rewarded towns (奖优) and, by kind (警告, 降级, 退出), the towns the office sanctioned (`decided`)
    and those whose proposal awaits its decision (`proposed`); a decision not to sanction (不予处理) is in neither.

    A draft's circular is a preview for review (`provisional`): scores and grades are provisional (预估) and there are
    no rewards or proposals before publication. `undecided`: published, but a proposal still awaits a decision."""
    rows = run_results(run, today=today)
    grades = Counter(row.grade for row in rows)
    sanctions = [
        {
            "kind": kind,
            "label": str(kind.label),
            "decided": [r for r in rows if r.sanction_decided == kind],
            "proposed": [r for r in rows if r.awaiting_decision and r.sanction_proposed == kind],
        }
        for kind in (Sanction.WARNING, Sanction.DOWNGRADE, Sanction.EXIT)
    ]
    return {
        "rows": rows,
        "provisional": not run.is_published,
        "undecided": run.is_published and any(r.awaiting_decision for r in rows),
        "grades": [{"grade": g, "label": str(g.label), "count": grades.get(g, 0)} for g in Grade],
        "rewarded": [r for r in rows if r.reward],
        "sanctions": [group for group in sanctions if group["decided"] or group["proposed"]],
        **_score_summary(rows),
    }
