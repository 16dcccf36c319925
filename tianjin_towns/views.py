"""Project-level pages: the home page gathers what waits for the user (待我处理) from every app.

It lives here, above the apps, because each app contributes a section and apps may not import
the ones after them (coordination ← ledgers ← inspections ← assessments).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coordination import selectors as coordination_selectors
from inspections import selectors as inspection_selectors
from ledgers import deadlines as report_deadlines
from ledgers import selectors as ledger_selectors
from tianjin_towns.inbox import home_inbox, navigation_counts
from tianjin_towns.lib import dates


@login_required
def home(request):
    period = dates.last_ended_period()
    today = dates.today()
    waiting = home_inbox(request.user, today)  # what the 待我处理 badge counts
    inbox = waiting.reports
    to_fill = []
    for town, town_period, report in inbox.to_fill:
        due_on = report.deadline if report else report_deadlines.due_date(town_period)
        to_fill.append(
            {
                "town": town,
                "period": town_period,
                "report": report,
                "due_on": due_on,
                "overdue": today > due_on,
                "locked": town.pk in inbox.locked_town_ids,  # missing and locked (ledgers.deadlines)
            }
        )
    check_work = waiting.checks
    return render(
        request,
        "home.html",
        {
            "home_inbox": waiting,
            "inbox": inbox,
            "to_fill": to_fill,
            "period": period,
            "today": today,
            "overview": ledger_selectors.period_overview(request.user, period),
            "work_info_waiting": waiting.work_info,
            "work_info_count": waiting.work_info_count,
            "coordination_inbox": waiting.coordination,
            "problem_inbox": waiting.problems,
            "assessments": waiting.assessments,
            "member_unit": coordination_selectors.member_unit_work(request.user, today),
            "check_work": check_work,
            "check_lists": [
                (_("待说明的数据差异"), check_work.to_explain, _("说明")),
                (_("区已说明、待确认的数据差异"), check_work.to_close, _("确认")),
            ],
            "visits_joined": inspection_selectors.visits_joined(request.user, today),
        },
    )


@never_cache
@require_GET
def nav_counts(request):
    """The navigation bar's badges as JSON (tianjin_towns.inbox.navigation_counts), fetched by
    static/js/nav_counts.js after the page has loaded, so that counting what waits never delays a page. Without a
    session (one that ended while the page was open, a logout in another tab) there is nothing to count: 204, and
    the script leaves the badges as they are."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return JsonResponse(navigation_counts(request.user))


@never_cache
@login_required
def session_keepalive(request):
    """Pinged by static/js/keepalive.js while someone types into a form, so that a long entry is not lost
    to the idle timeout (SESSION_IDLE_TIMEOUT). The session middleware records the activity; this answers
    204, or redirects to the login page when the session has already ended (the script then warns)."""
    return HttpResponse(status=204)
