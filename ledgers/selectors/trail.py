"""A report's trail (修改记录, R-3.5): its workflow events and every change the database triggers recorded,
those made around the services (admin, bulk updates, SQL) grouped per operation."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from ..models import (
    Indicator,
    MonthlyReport,
    MonthlyReportAudit,
    Project,
    ProjectProgressAudit,
    ReportEvent,
    ReportValueAudit,
)
from .reports import ReportParts, report_events_with_actors


@dataclass
class TrailEntry:
    """One line of a report's trail, in the shape of the history API (at, user, action, changes…)."""

    at: datetime.datetime
    actor: object  # a user or None
    action: str
    label: str
    from_status: str = ""
    to_status: str = ""
    reason: str = ""
    changes: dict = field(default_factory=dict)
    direct: bool = False  # made around the services (admin, bulk update, SQL)


DIRECT_CHANGE = "direct_change"
PROGRESS_FIELDS = ("investment_month", "investment_year", "investment_total", "physical_progress", "problems")


def _text_of(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _direct_source(metadata: dict | None) -> str:
    url = (metadata or {}).get("url") or ""
    if url.startswith("/admin/"):
        return _("在管理后台修改（%(url)s）") % {"url": url}
    if url:
        return _("在页面请求中绕过业务流程修改（%(url)s）") % {"url": url}
    return _("绕过业务流程直接修改数据库（批量更新、脚本或 SQL）")


def _walk(events, fields: tuple[str, ...]):
    """(event, {field: [old, new]}) for each audit event, diffed against the object's previous event."""
    previous: dict = {}
    for event in events:
        before = previous.get(event.pgh_obj_id)
        if event.pgh_label == "delete":
            diff = {name: [_text_of(getattr(event, name)), None] for name in fields}
            previous.pop(event.pgh_obj_id, None)
        else:
            diff = {
                name: [_text_of(getattr(before, name)) if before else None, _text_of(getattr(event, name))]
                for name in fields
            }
            previous[event.pgh_obj_id] = event
        yield event, {name: pair for name, pair in diff.items() if pair[0] != pair[1]}


def _direct_entries(report: MonthlyReport, progress_trail: bool = True) -> list[TrailEntry]:
    """Changes of the report's figures, project rows and status that no service made, grouped per operation.
    `progress_trail` False: the caller knows that no project row of the report was ever recorded."""
    grouped: dict = {}

    def add(event, section: str, key, diff) -> None:
        metadata = event.pgh_context.metadata if event.pgh_context_id else None
        if not diff or (metadata and metadata.get("service")):
            return
        group_key = event.pgh_context_id or event.pgh_created_at
        entry = grouped.get(group_key)
        if entry is None:
            entry = grouped[group_key] = TrailEntry(
                at=event.pgh_created_at,
                actor=(metadata or {}).get("user"),
                action=DIRECT_CHANGE,
                label=_("绕过业务流程的修改"),
                reason=(metadata or {}).get("reason") or _direct_source(metadata),
                direct=True,
            )
        if section == "report":
            entry.changes.setdefault("report", {}).update(diff)
            if "status" in diff:
                entry.from_status, entry.to_status = diff["status"][0] or "", diff["status"][1] or ""
        elif section == "values":
            entry.changes.setdefault("values", {})[key] = diff["value"]
        else:
            entry.changes.setdefault("projects", {}).setdefault(key, {}).update(diff)

    values = ReportValueAudit.objects.filter(report_id=report.pk).select_related("pgh_context").order_by("pgh_id")
    for event, diff in _walk(values, ("value",)):
        add(event, "values", event.indicator_id, diff)  # named by code below
    progress = (
        list(ProjectProgressAudit.objects.filter(report_id=report.pk).select_related("pgh_context").order_by("pgh_id"))
        if progress_trail
        else []
    )
    project_codes = dict(Project.objects.filter(pk__in={e.project_id for e in progress}).values_list("pk", "code"))
    for event, diff in _walk(progress, PROGRESS_FIELDS):
        add(event, "projects", project_codes.get(event.project_id, str(event.project_id)), diff)
    statuses = MonthlyReportAudit.objects.filter(pgh_obj_id=report.pk).select_related("pgh_context").order_by("pgh_id")
    for event, diff in _walk(statuses, ("status", "timeliness")):
        if event.pgh_label != "insert":
            add(event, "report", None, diff)
    entries = list(grouped.values())
    with_values = [entry for entry in entries if "values" in entry.changes]
    if with_values:  # the indicators' codes, read only when a figure was changed around the services
        codes = dict(Indicator.objects.values_list("pk", "code"))
        for entry in with_values:
            entry.changes["values"] = {codes.get(pk, str(pk)): pair for pk, pair in entry.changes["values"].items()}
    users = _users({entry.actor for entry in entries if entry.actor})
    for entry in entries:
        entry.actor = users.get(entry.actor)
    return entries


def _users(ids) -> dict:
    ids = {int(pk) for pk in ids if str(pk).isdigit()}
    if not ids:
        return {}
    return {user.pk: user for user in get_user_model().objects.filter(pk__in=ids).select_related("profile")}


def report_trail(
    report: MonthlyReport, events: list[ReportEvent] | None = None, parts: ReportParts | None = None
) -> list[TrailEntry]:
    """The report's whole trail, oldest first: workflow events, then changes made around the services. `events`:
    report_events_with_actors(report) when the caller has read them already; `parts`: report_parts(report), the
    same."""
    entries = [
        TrailEntry(
            at=event.at,
            actor=event.actor,
            action=event.action,
            label=event.get_action_display(),
            from_status=event.from_status,
            to_status=event.to_status,
            reason=event.reason,
            changes=event.changes,
        )
        for event in (report_events_with_actors(report) if events is None else events)
    ]
    if parts is None or parts.changed_around_services:
        entries += _direct_entries(report, progress_trail=parts is None or parts.progress_trail)
    return sorted(entries, key=lambda entry: entry.at)
