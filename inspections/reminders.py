"""Reminders of problems found on visits (R-6.1, R-2.3): due within three days, on working days, once each.

Overdue problems are escalated by services.problems_escalate_overdue (to the unit's leader, the office
and, after a month, the city's leaders); this module reminds the responsible unit before it comes to
that, in the style of the action item reminders (coordination.reminders).
"""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from coordination.reminders import day_label
from coordination.services import notify
from tianjin_towns.lib import dates

from . import services
from .models import Problem, ProblemStatus

PROBLEM_DUE_SOON_DAYS = 3
# A rectification reported done awaits the office's verification: the unit has nothing left to do.
AWAITING_RECTIFICATION = (ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS)


@transaction.atomic
def problem_reminders_send(*, today: datetime.date) -> int:
    """Problems due within three days remind the responsible unit's staff (or the member unit's liaisons).

    Working days only: a reminder whose first day is a weekend or a holiday goes out on the next working
    day that is still before the deadline. Once per problem and deadline (a new deadline is a new occasion).
    Returns the notifications created now.
    """
    if not dates.is_working_day(today):
        return 0
    problems = (
        Problem.objects.filter(
            status__in=AWAITING_RECTIFICATION,
            due_on__gte=today,
            due_on__lte=today + datetime.timedelta(days=PROBLEM_DUE_SOON_DAYS),
        )
        .select_related("visit__district", "town__unit", "responsible_unit", "responsible_member_unit")
        .order_by("due_on", "pk")
    )
    created = 0
    for problem in problems:
        words = {"label": services._label(problem), "due": day_label(problem.due_on), "unit": problem.responsible_name}
        created += len(
            notify(
                recipients=services.responsible_users(problem),
                kind="problem_due_soon",
                subject=_("督办问题将于%(due)s到期：%(label)s") % words,
                body=_("责任单位：%(unit)s。请在整改期限前完成整改，并在系统中报告整改情况、上传佐证材料。") % words,
                link=reverse("problem-detail", args=[problem.pk]),
                about=problem,
                occasion=f"problem-due-soon:{problem.pk}:{problem.due_on}",
            )
        )
    return created
