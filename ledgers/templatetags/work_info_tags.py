"""Badges of work information (R-3.2)."""

from django import template

from ledgers.models import ReportStatus, WorkInfo
from tianjin_towns.lib.badges import STATE_COLOURS, choice_badge

register = template.Library()

# Work information's 区级审核通过 is a district's approval, in the colour of a monthly report's; its other
# states are the reports' too (STATE_COLOURS).
DISTRICT_APPROVAL = {WorkInfo.Status.APPROVED: STATE_COLOURS[ReportStatus.DISTRICT_APPROVED]}


@register.simple_tag
def work_info_badge(status: str | None):
    return choice_badge(status, WorkInfo.Status, DISTRICT_APPROVAL)
