"""Search across the platform (全局搜索, issue 19): one keyword over monthly reports, meetings, action items,
problems found on inspections, plans and support policies, grouped by kind with their counts.

It lives here, above the apps, because it reads every one of them and apps may not import the ones after
them (coordination ← ledgers ← inspections ← assessments). Each kind is its list page's own selector given the
keyword (scope, keyword lookups and order as the list has them), so the search finds nothing the user could not
open, and the list its 查看全部 opens holds what the search counted. A kind shows at most SEARCH_LIMIT records,
with its total and a link to its list filtered by the keyword (`?q=`, the lists' keyword parameter). One query
per kind: the total rides on each row as a window count.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, QuerySet, Window
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coordination import action_item_selectors
from coordination import permissions as unit_perms
from coordination import search_selectors as found
from coordination import selectors as coordination_selectors
from inspections import selectors as problem_selectors
from ledgers import selectors as report_selectors

SEARCH_LIMIT = 5  # records shown per kind; the rest are on the kind's list, filtered by the keyword


@dataclass(frozen=True)
class Hit:
    """One record found: its title linking to its page, what it is about (units, kind), its date (`day_label` says
    which: 召开日期, 办结时限…) and its state."""

    title: str
    url: str
    facts: tuple[str, ...] = ()
    day: datetime.date | None = None
    day_label: str = ""
    state: str = ""


@dataclass(frozen=True)
class SearchKind:
    """A kind of record the search covers: `found(user, keyword)` the records the user sees that match, in the
    order of its list; `hit` what is shown of one; `offered(user)` whether the user has the kind at all."""

    key: str
    label: str
    icon: str
    list_url_name: str
    found: Callable[[AbstractBaseUser, str], QuerySet]
    hit: Callable[[object], Hit]
    offered: Callable[[AbstractBaseUser], bool] = lambda user: True


@dataclass
class SearchGroup:
    kind: SearchKind
    total: int
    hits: list[Hit]
    more_url: str  # the kind's list filtered by the keyword

    @property
    def has_more(self) -> bool:
        return self.total > len(self.hits)


def _url(name: str, *args) -> str:
    return reverse(name, args=args)


# --- Monthly reports: the report list itself, its keyword (ledgers.selectors.reports_matching) ---------------------


def _reports(user: AbstractBaseUser, keyword: str) -> QuerySet:
    return report_selectors.monthly_report_list(user, q=keyword)


def _report_hit(report) -> Hit:
    month = _("%(year)s年%(month)s月月报") % {"year": report.period.year, "month": report.period.month}
    return Hit(
        title=f"{report.town.unit.name} {month}",
        url=_url("report-detail", report.pk),
        facts=(report.town.district.name,),
        state=report.get_status_display(),
    )


# --- Meetings, action items, plans and policies: coordination's lookups --------------------------------------------


def _meetings(user: AbstractBaseUser, keyword: str) -> QuerySet:
    return coordination_selectors.meeting_list(user, keyword=keyword)


def _meeting_hit(meeting) -> Hit:
    return Hit(
        title=meeting.title,
        url=_url("meeting-detail", meeting.pk),
        facts=(meeting.get_kind_display(), meeting.org_unit.name),
        day=meeting.held_on,
        day_label=_("召开日期："),
        state=meeting.get_state_display(),
    )


def _action_items(user: AbstractBaseUser, keyword: str) -> QuerySet:
    return action_item_selectors.action_item_list(user, keyword=keyword)


def _action_item_hit(item) -> Hit:
    return Hit(
        title=item.title,
        url=_url("action-item-detail", item.pk),
        facts=(item.responsible_name, _("来源：%(meeting)s") % {"meeting": item.meeting.title}),
        day=item.due_on,
        day_label=_("办结时限："),
        state=item.get_status_display(),
    )


def _plans(user: AbstractBaseUser, keyword: str) -> QuerySet:
    return coordination_selectors.plan_list(user, keyword=keyword)


def _plan_hit(plan) -> Hit:
    return Hit(
        title=plan.title,
        url=_url("plan-detail", plan.pk),
        facts=(plan.get_kind_display(), plan.org_unit.name),
        state=plan.get_status_display(),
    )


def _policies(user: AbstractBaseUser, keyword: str) -> QuerySet:
    return coordination_selectors.policy_list(query=keyword)  # public documents: everybody signed in reads them


def _policy_hit(policy) -> Hit:
    # A policy has no page of its own: the list, narrowed to its title, shows it with its file.
    return Hit(
        title=policy.title,
        url=f"{_url('policy-list')}?{urlencode({'q': policy.title})}",
        facts=tuple(fact for fact in (policy.member_unit.name, policy.document_number) if fact),
        day=policy.issued_on,
        day_label=_("发布日期："),
    )


# --- Problems found on inspections: the problem list's keyword (inspections.selectors.problems_matching) ---------


def _problems(user: AbstractBaseUser, keyword: str) -> QuerySet:
    return problem_selectors.problem_list(user, keyword=keyword, urgent_first=True)  # the problem list's order


def _problem_hit(problem) -> Hit:
    where = problem.town.unit.name if problem.town_id else problem.visit.district.name
    return Hit(
        title=problem.description,
        url=_url("problem-detail", problem.pk),
        facts=(where, problem.get_category_display(), _("责任单位：%(unit)s") % {"unit": problem.responsible_name}),
        day=problem.found_on,
        day_label=_("发现日期："),
        state=problem.get_status_display(),
    )


KINDS = (
    SearchKind(
        "reports",
        _("月报"),
        "bi-journal-text",
        "report-list",
        _reports,
        _report_hit,
        offered=lambda user: unit_perms.VIEW in unit_perms.unit_perms_held(user),  # the report list's scope
    ),
    SearchKind("meetings", _("会议活动"), "bi-calendar2-event", "meeting-list", _meetings, _meeting_hit),
    SearchKind("action_items", _("督办事项"), "bi-flag", "action-item-list", _action_items, _action_item_hit),
    SearchKind("problems", _("督办问题"), "bi-geo-alt", "problem-list", _problems, _problem_hit),
    SearchKind("plans", _("规划报审"), "bi-map", "plan-list", _plans, _plan_hit),
    SearchKind("policies", _("支持政策"), "bi-journal-bookmark", "policy-list", _policies, _policy_hit),
)


def search(user: AbstractBaseUser, keyword: str, *, limit: int = SEARCH_LIMIT) -> list[SearchGroup]:
    """The records of each kind offered to the user that match `keyword`: at most `limit` each, with the total."""
    groups = []
    query = urlencode({"q": keyword})
    for kind in KINDS:
        if not kind.offered(user):
            continue
        rows = list(kind.found(user, keyword).annotate(search_total=Window(Count("pk")))[:limit])
        groups.append(
            SearchGroup(
                kind=kind,
                total=rows[0].search_total if rows else 0,
                hits=[kind.hit(row) for row in rows],
                more_url=f"{reverse(kind.list_url_name)}?{query}",
            )
        )
    return groups


@login_required
def search_page(request):
    keyword = found.normalized_keyword(request.GET.get("q"))
    groups = search(request.user, keyword) if keyword else []
    return render(
        request,
        "search.html",
        {"q": keyword, "groups": groups, "total": sum(group.total for group in groups), "limit": SEARCH_LIMIT},
    )
