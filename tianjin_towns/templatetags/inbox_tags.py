"""The navigation bar's 待我处理 badge: everything that waits for the user (tianjin_towns.inbox), as the home
page lists it."""

from django import template

from inspections.templatetags.inspection_tags import inspections_waiting
from ledgers.templatetags.work_info_tags import work_info_waiting_count
from tianjin_towns import inbox
from tianjin_towns.lib.pages import once_per_request

register = template.Library()


@register.simple_tag(takes_context=True)
def home_inbox_total(context) -> int:
    """{% home_inbox_total as waiting %}: the home page's own total there, else counted once per request, with
    the work information and problems the bar counts for its other badges (counted once for both)."""
    shown = context.get("home_inbox")
    if shown is not None:
        return shown.total
    return once_per_request(
        context,
        "_home_inbox_total",
        lambda user: inbox.home_inbox_count(
            user, work_info=work_info_waiting_count(context), problems=inspections_waiting(context)
        ),
    )
