"""The daily summary of anomalies in the security audit (issue 22, 等保 2.0 安全审计): what the audit administrator
should look at first, found among a day's rows of SecurityEvent:

- many failed sign-ins or codes from one address (a guessing attempt, or a misconfigured script);
- data exported or files downloaded outside office hours (before 08:00, after 19:00, or on a day off);
- an account given a role or unit and acting within a minute of it (a permission granted for one use).

The task `coordination.tasks.summarise_security_anomalies` sends the summary of the day before to the audit
administrators every morning, once; the security audit's page lists a day's rows by its filters.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tianjin_towns.lib import dates

from .models import SecurityEvent, SecurityEventKind
from .notifications import notify
from .security_audit_permissions import security_auditors
from .security_audit_selectors import security_events

FAILURES = (SecurityEventKind.LOGIN_FAILED, SecurityEventKind.TWO_FACTOR_FAILED)
TAKEN = (SecurityEventKind.EXPORTED, SecurityEventKind.DOWNLOADED)
OFFICE_HOURS = (datetime.time(8, 0), datetime.time(19, 0))
GRANT_USED_WITHIN = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class Anomaly:
    text: str  # what happened, in a sentence
    link: str  # the security audit's page, filtered to it


def _audit_link(day: datetime.date, **filters) -> str:
    query = {"since": day.isoformat(), "until": day.isoformat(), **filters}
    return f"{reverse('security-audit')}?{urlencode(query)}"


def _failures_by_address(events, day: datetime.date) -> list[Anomaly]:
    rows = (
        events.filter(kind__in=FAILURES, ip__isnull=False)
        .values("ip")
        .annotate(n=Count("pk"))
        .filter(n__gte=settings.SECURITY_ANOMALY_FAILURES)
        .order_by("-n", "ip")
    )
    return [
        Anomaly(_("地址 %(ip)s 登录或动态验证码失败 %(n)s 次。") % row, _audit_link(day, ip=row["ip"])) for row in rows
    ]


def _taken_off_hours(events, day: datetime.date) -> list[Anomaly]:
    working = dates.is_working_day(day)
    found = []
    for event in events.filter(kind__in=TAKEN, result=SecurityEvent.Result.SUCCESS).order_by("at", "pk"):
        local = timezone.localtime(event.at).time()
        if working and OFFICE_HOURS[0] <= local < OFFICE_HOURS[1]:
            continue
        when = _("非工作日") if not working else local.strftime("%H:%M")
        text = _("%(who)s 于%(when)s%(what)s：%(target)s。") % {
            "who": event.username or _("系统"),
            "when": when,
            "what": event.get_kind_display(),
            "target": event.target,
        }
        found.append(Anomaly(text, _audit_link(day, user=event.username, kind=event.kind)))
    return found


def _granted_and_used(events, day: datetime.date) -> list[Anomaly]:
    """Each role change of the day followed within a minute by an event of the account it changed: two queries,
    the changes and what those accounts did from the first change to a minute after the last."""
    changes = list(events.filter(kind=SecurityEventKind.ROLE_CHANGED).order_by("at", "pk"))
    if not changes:
        return []
    accounts = {change.target.removeprefix("账号 ") for change in changes}
    acts = list(
        SecurityEvent.objects.filter(
            username__in=accounts, at__gte=changes[0].at, at__lte=changes[-1].at + GRANT_USED_WITHIN
        ).order_by("at", "pk")
    )
    found = []
    for change in changes:
        username = change.target.removeprefix("账号 ")
        used = next(
            (act for act in acts if act.username == username and act.pk != change.pk
             and change.at <= act.at <= change.at + GRANT_USED_WITHIN),
            None,
        )  # fmt: skip
        if used is not None:
            seconds = int((used.at - change.at).total_seconds())
            text = _("%(actor)s 调整 %(user)s 的角色或单位后，%(user)s 在 %(s)s 秒内即%(what)s。") % {
                "actor": change.username or _("系统"),
                "user": username,
                "s": seconds,
                "what": used.get_kind_display(),
            }
            found.append(Anomaly(text, _audit_link(day, user=username)))
    return found


def anomalies(day: datetime.date) -> list[Anomaly]:
    """The anomalies among the rows of `day` (Beijing time), in the order of the module's list."""
    events = security_events(since=day, until=day)  # the day in Beijing time, as the audit's page filters it
    return [*_failures_by_address(events, day), *_taken_off_hours(events, day), *_granted_and_used(events, day)]


def anomalies_summary_send(*, day: datetime.date) -> int:
    """Tell the audit administrators of `day`'s anomalies, once (none: nothing is sent); returns how many were told."""
    found = anomalies(day)
    if not found:
        return 0
    body = "\n".join(f"{number}. {anomaly.text}" for number, anomaly in enumerate(found, start=1))
    told = notify(
        recipients=security_auditors(),
        kind="security_anomalies",
        subject=_("安全审计异常提示：%(day)s，%(n)s 项") % {"day": dates.chinese_date(day), "n": len(found)},
        body=body,
        link=_audit_link(day),
        occasion=f"security-anomalies:{day.isoformat()}",
    )
    return len(told)
