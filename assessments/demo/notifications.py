"""The demo's mail (issue 6): demo e-mail addresses, and the reminders of the last month's reporting window
as the scheduler would have sent them (the real services; each occasion once, so a rerun adds nothing)."""

from collections import Counter

from django.contrib.auth import get_user_model

from coordination.models import Notification
from coordination.reminders import calendar_warn_unknown_years
from ledgers import reminders
from tianjin_towns.lib import dates

from .world import DemoSpan


def seed_notifications(span: DemoSpan, created: Counter) -> None:
    """Not the close-day run: it would mark the month's open drafts missing, and the demo keeps them open."""
    for user in get_user_model().objects.filter(email=""):
        user.email = f"{user.username}@demo.tjtowns.gov.cn"
        user.save(update_fields=["email"])
        created["email_addresses"] += 1
    today = dates.today()
    window = reminders.ReportWindow.of(span.last)
    for day, send in (
        (window.opens_on, reminders.report_reminders_due),
        (window.due_soon_on, reminders.report_reminders_due),
        (dates.add_working_days(window.due_on, 1), reminders.report_reminders_late),
    ):
        if day <= today:
            created["notifications"] += send(today=day)
    created["notifications"] += calendar_warn_unknown_years(today=today)
    # The demo's history counts as e-mailed already: `make run` must not print hundreds of mails.
    Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=span.now)
