"""Keyword search (关键词, issue 19) over the coordination app's records: what a keyword matches in meetings,
action items, plans and support policies. The lists' keyword filter (selectors.meeting_list, plan_list,
policy_list) and the search across the platform (tianjin_towns.search) narrow the querysets the permission
doors give with these same lookups, so a record is found alike on its list and in the search.

A keyword is split at spaces into at most KEYWORD_TERMS terms; a record matches when every term appears
(case-insensitive) in one of its texts or in the name of a unit it concerns (a town, a district, a member
unit). Texts of related rows (attending units, decisions, a plan's current version) are matched through
`pk__in` subqueries, so a matching record is never listed twice and counts stay plain counts.
"""

from collections.abc import Iterable

from django.db.models import F, Q, QuerySet

from .models import ActionItem, Decision, Meeting, Plan, PlanSubItem, PlanVersion, SupportPolicy

KEYWORD_MAX_LENGTH = 100  # as the policy list's box always took
KEYWORD_TERMS = 5  # further terms are ignored: each one adds a condition to every query


def normalized_keyword(raw: str | None) -> str:
    """The keyword as a page takes it from `?q=`: spaces collapsed, at most KEYWORD_MAX_LENGTH characters."""
    return " ".join((raw or "").split())[:KEYWORD_MAX_LENGTH].strip()


def keyword_terms(keyword: str | None) -> list[str]:
    """The terms a keyword is searched by (none for an empty one)."""
    return normalized_keyword(keyword).split()[:KEYWORD_TERMS]


def text_match(term: str, fields: Iterable[str]) -> Q:
    """Rows whose any of `fields` (lookups, e.g. "org_unit__name") contains `term`."""
    match = Q()
    for name in fields:
        match |= Q(**{f"{name}__icontains": term})
    return match


def matching(queryset: QuerySet, keyword: str | None, term_match) -> QuerySet:
    """`queryset` narrowed to the rows every term of `keyword` matches (`term_match(term)` gives its Q); all of
    them for an empty keyword."""
    for term in keyword_terms(keyword):
        queryset = queryset.filter(term_match(term))
    return queryset


# --- Meetings: title, place, convener, attendees, agenda, minutes, decisions, host and attending units ---------

MEETING_FIELDS = ("title", "place", "convener", "attendees", "agenda", "minutes", "org_unit__name")


def _meeting_term(term: str) -> Q:
    attending = Meeting.attendee_units.through.objects.filter(orgunit__name__icontains=term)
    decided = Decision.objects.filter(text__icontains=term)
    return (
        text_match(term, MEETING_FIELDS)
        | Q(pk__in=attending.values("meeting_id"))
        | Q(pk__in=decided.values("meeting_id"))
    )


def meetings_matching(meetings: QuerySet[Meeting], keyword: str | None) -> QuerySet[Meeting]:
    return matching(meetings, keyword, _meeting_term)


# --- Action items: title, owner, resolution, the responsible unit, the meeting it comes from ------------------

ACTION_ITEM_FIELDS = (
    "title",
    "owner",
    "resolution",
    "responsible_unit__name",
    "responsible_unit__parent__name",
    "responsible_member_unit__name",
    "responsible_member_unit__short_name",
    "meeting__title",
)


def action_items_matching(items: QuerySet[ActionItem], keyword: str | None) -> QuerySet[ActionItem]:
    return matching(items, keyword, lambda term: text_match(term, ACTION_ITEM_FIELDS))


# --- Plans: title, the unit (a town and its district, or a district), the current version's content -----------

PLAN_FIELDS = ("title", "org_unit__name", "org_unit__parent__name")
PLAN_VERSION_FIELDS = ("scope", "sites", "positioning", "layout", "path", "note")
PLAN_SUB_ITEM_FIELDS = ("name", "content", "responsible_unit")


def _plan_term(term: str) -> Q:
    current = PlanVersion.objects.filter(number=F("plan__current_version"))
    in_content = current.filter(text_match(term, PLAN_VERSION_FIELDS)).values("plan_id")
    sub_items = PlanSubItem.objects.filter(version__number=F("version__plan__current_version"))
    in_sub_items = sub_items.filter(text_match(term, PLAN_SUB_ITEM_FIELDS)).values("version__plan_id")
    return text_match(term, PLAN_FIELDS) | Q(pk__in=in_content) | Q(pk__in=in_sub_items)


def plans_matching(plans: QuerySet[Plan], keyword: str | None) -> QuerySet[Plan]:
    return matching(plans, keyword, _plan_term)


# --- Support policies: title, document number, summary, the member unit ---------------------------------------

POLICY_FIELDS = ("title", "document_number", "summary", "member_unit__name", "member_unit__short_name")


def policies_matching(policies: QuerySet[SupportPolicy], keyword: str | None) -> QuerySet[SupportPolicy]:
    return matching(policies, keyword, lambda term: text_match(term, POLICY_FIELDS))
