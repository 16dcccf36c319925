"""The count-only twins of the home page's lists (待我处理): the navigation badge on every page counts each app's
part in the database, from the same querysets the home page lists (tianjin_towns.inbox), and each count is the
number of items listed, for every user of the demo (tests/test_navbar_queries.py: the office's run to publish).

The demo has something in every state the home page lists: months to fill and reports to review, action items to
report on and to verify, minutes to approve, plans to review and returned, opinions asked of member units, checks
owed, discrepancies to explain and to close, problems, self-evaluations due (no correction request)."""

import pytest
from django.contrib.auth import get_user_model

from assessments import inbox_selectors as assessment_inbox
from coordination import permissions as perms
from coordination import selectors as coordination_selectors
from inspections import selectors as inspection_selectors
from ledgers import selectors as ledger_selectors
from tianjin_towns.lib import dates


@pytest.fixture
def seeded(demo, db):
    return demo


def _listed(user, day) -> dict[str, list[int]]:
    """Per part of 待我处理: how many of each kind the home page lists."""
    reports = ledger_selectors.inbox_for_user(user, day)
    checks = ledger_selectors.check_work(user, day)
    coordination = coordination_selectors.coordination_inbox(user, day)
    problems = inspection_selectors.problem_inbox(user, today=day)
    assessments = assessment_inbox.home_items(user, day)
    return {
        "reports": [len(reports.to_fill), len(reports.returned), len(reports.to_approve), len(reports.to_accept)]
        + [len(reports.to_reopen)],
        "checks": [sum(n for _i, _p, n in checks.to_check), len(checks.to_explain), len(checks.to_close)],
        "coordination": [
            len(coordination.action_items),
            len(coordination.to_verify),
            len(coordination.minutes),
            len(coordination.plans_to_review),
            len(coordination.plans_returned),
            len(coordination.plan_opinions),
        ],
        "problems": [problems.to_rectify_count, problems.to_verify_count],
        "assessments": [len(assessments["self_evaluations"]), len(assessments["runs_to_publish"])],
    }


def _counted(user, day) -> dict[str, int]:
    """Per part of 待我处理: what the badge counts of it."""
    return {
        "reports": ledger_selectors.inbox_count(user, day),
        "checks": ledger_selectors.check_work_count(user, day),
        "coordination": coordination_selectors.coordination_inbox_count(user),
        "problems": inspection_selectors.problem_inbox_count(user),
        "assessments": assessment_inbox.home_items_count(user, day),
    }


def test_each_part_of_the_badge_counts_what_the_home_page_lists_for_every_demo_user(seeded):
    day = dates.today()
    waiting = {}  # part → how many of each kind, over every user: each kind is somewhere
    for user in get_user_model().objects.filter(is_active=True).order_by("username"):
        # As inside a request, where the grants are read once and a part without a grant costs nothing (outside
        # one, tests/test_seed_demo.py compares the whole badge with the home page).
        with perms.remembered_unit_grants():
            listed, counted = _listed(user, day), _counted(user, day)
        for part, kinds in listed.items():
            assert counted[part] == sum(kinds), (user.username, part, kinds)
            waiting[part] = [a + b for a, b in zip(waiting.get(part, [0] * len(kinds)), kinds, strict=True)]
    # Every kind but the correction requests, which the demo has none of (tests/test_navbar_queries.py's world has).
    assert all(waiting["reports"][:4]) and all(waiting["checks"]) and all(waiting["coordination"]), waiting
    assert all(waiting["problems"]) and waiting["assessments"][0], waiting
