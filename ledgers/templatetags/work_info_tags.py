"""Badges and the navigation count of work information (R-3.2)."""

from django import template

from ledgers import selectors
from ledgers.models import WorkInfo
from tianjin_towns.lib.badges import choice_badge
from tianjin_towns.lib.pages import once_per_request

register = template.Library()

STATUS_COLOURS = {
    WorkInfo.Status.DRAFT: "text-bg-secondary",
    WorkInfo.Status.SUBMITTED: "text-bg-info",
    WorkInfo.Status.APPROVED: "text-bg-primary",
    WorkInfo.Status.ACCEPTED: "text-bg-success",
    WorkInfo.Status.RETURNED: "text-bg-danger",
}


@register.simple_tag
def work_info_badge(status: str | None):
    return choice_badge(status, WorkInfo.Status, STATUS_COLOURS)


@register.simple_tag(takes_context=True)
def work_info_waiting_count(context) -> int:
    """Items waiting for the user (returned to write again, to review, to adopt); once per request."""
    return once_per_request(context, "_work_info_waiting", lambda user: selectors.work_info_waiting(user).count())
