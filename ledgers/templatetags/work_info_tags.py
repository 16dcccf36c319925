"""Badges and the navigation count of work information (R-3.2)."""

from django import template

from ledgers import selectors
from ledgers.models import ReportStatus, WorkInfo
from tianjin_towns.lib.badges import STATE_COLOURS, choice_badge
from tianjin_towns.lib.pages import once_per_request

register = template.Library()

# Work information's 区级审核通过 is a district's approval, in the colour of a monthly report's; its other
# states are the reports' too (STATE_COLOURS).
DISTRICT_APPROVAL = {WorkInfo.Status.APPROVED: STATE_COLOURS[ReportStatus.DISTRICT_APPROVED]}


@register.simple_tag
def work_info_badge(status: str | None):
    return choice_badge(status, WorkInfo.Status, DISTRICT_APPROVAL)


@register.simple_tag(takes_context=True)
def work_info_waiting_count(context) -> int:
    """Items waiting for the user (returned to write again, to review, to adopt); once per request."""
    return once_per_request(context, "_work_info_waiting", lambda user: selectors.work_info_waiting(user).count())
