"""Badges and the navigation count of work information (R-3.2)."""

from django import template
from django.utils.html import format_html

from ledgers import selectors
from ledgers.models import WorkInfo

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
    if not status:
        return ""
    return format_html(
        '<span class="badge status-badge {}">{}</span>',
        STATUS_COLOURS.get(status, "text-bg-light"),
        WorkInfo.Status(status).label,
    )


@register.simple_tag(takes_context=True)
def work_info_waiting_count(context) -> int:
    """Items waiting for the user (returned to write again, to review, to adopt); once per request."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    if not hasattr(request, "_work_info_waiting"):
        request._work_info_waiting = selectors.work_info_waiting(request.user).count()
    return request._work_info_waiting
