"""What waits for a user across the apps (待我处理): the home page lists it (`home_inbox`), the navigation bar's
待我处理 badge counts it (`home_inbox_count`), both from the same parts, so that the two cannot disagree.

The badge used to count the monthly reports and the work information only, while the page also lists the
cross-checks, action items, minutes, plans, problems and self-evaluations (issue 19: 2 on the badge, 10 on the
page). It lives above the apps, as the home page does, because each app contributes a part and the apps may not
import the ones after them (coordination ← ledgers ← inspections ← assessments).
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from assessments import inbox_selectors as assessment_inbox
from coordination import selectors as coordination_selectors
from coordination.selectors import CoordinationInbox
from inspections import selectors as inspection_selectors
from inspections.selectors import ProblemInbox
from ledgers import selectors as ledger_selectors
from ledgers.selectors import CheckWork, Inbox
from tianjin_towns.lib import dates

WORK_INFO_LISTED = 20  # the home page lists the longest-waiting items; the count covers them all


@dataclass
class HomeInbox:
    """Every part of what waits for the user; `total` is the 待我处理 badge."""

    reports: Inbox  # months to fill, reports returned, to approve, to accept, correction requests
    work_info: list  # the first WORK_INFO_LISTED items returned, to review or to adopt
    work_info_count: int
    checks: CheckWork  # cross-checks to enter, discrepancies to explain or to close
    coordination: CoordinationInbox  # action items, minutes, plans, opinions asked of a member unit
    problems: ProblemInbox  # problems to rectify or to verify
    assessments: dict  # self-evaluations due, runs to publish

    @property
    def total(self) -> int:
        return (
            self.reports.total
            + self.work_info_count
            + self.checks.total
            + self.coordination.total
            + self.problems.total
            + self.assessments["total"]
        )


def home_inbox(user: AbstractBaseUser, today: datetime.date | None = None) -> HomeInbox:
    """What waits for `user` on `today`, listed for the home page."""
    today = today or dates.today()
    work_info = ledger_selectors.work_info_waiting(user)
    listed = list(work_info[:WORK_INFO_LISTED])
    return HomeInbox(
        reports=ledger_selectors.inbox_for_user(user, today),
        work_info=listed,
        work_info_count=len(listed) if len(listed) < WORK_INFO_LISTED else work_info.count(),
        checks=ledger_selectors.check_work(user, today),
        coordination=coordination_selectors.coordination_inbox(user, today),
        problems=inspection_selectors.problem_inbox(user, today=today),
        assessments=assessment_inbox.home_items(user, today),
    )


def home_inbox_count(
    user: AbstractBaseUser,
    today: datetime.date | None = None,
    *,
    work_info: int | None = None,
    problems: int | None = None,
) -> int:
    """`home_inbox(user, today).total` for the badge on every page, without building the lists: each app counts
    its part with the querysets it lists (one query a part, none for a part the user holds no grant on, and
    besides for a checking member unit's liaison what its unit owes). `work_info` and `problems` are those
    counts when the bar has them already for its other badges."""
    today = today or dates.today()
    if work_info is None:
        work_info = ledger_selectors.work_info_waiting(user).count()
    if problems is None:
        problems = inspection_selectors.problem_inbox_count(user)
    return (
        ledger_selectors.inbox_count(user, today)
        + work_info
        + ledger_selectors.check_work_count(user, today)
        + coordination_selectors.coordination_inbox_count(user)
        + problems
        + assessment_inbox.home_items_count(user, today)
    )


def navigation_counts(user: AbstractBaseUser, today: datetime.date | None = None) -> dict[str, int]:
    """The navigation bar's badges, which static/js/nav_counts.js asks for once a page is shown (no page waits
    for them): `waiting` (待我处理, the home page's total), `info_waiting` and `problems_waiting` (the work
    information and the problems waiting, the badges of their menus) and `unread` (the notifications)."""
    work_info = ledger_selectors.work_info_waiting(user).count()
    problems = inspection_selectors.problem_inbox_count(user)
    return {
        "waiting": home_inbox_count(user, today, work_info=work_info, problems=problems),
        "info_waiting": work_info,
        "problems_waiting": problems,
        "unread": coordination_selectors.unread_count(user),
    }
