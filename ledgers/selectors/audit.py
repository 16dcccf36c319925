"""The office-wide audit search (R-3.5): every recorded change of statistics in a user's scope, newest first,
as readable rows (object, old → new per field, who, why, through which service or around them)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import CharField, QuerySet, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from coordination.models import Town
from coordination.permissions import towns_for_user
from tianjin_towns.lib.queries import narrowed

from ..models import (
    Indicator,
    MonthlyReport,
    MonthlyReportAudit,
    Project,
    ProjectAudit,
    ProjectProgress,
    ProjectProgressAudit,
    ReportStatus,
    ReportValueAudit,
    Timeliness,
)
from .trail import PROGRESS_FIELDS, _direct_source, _text_of, _users

AUDIT_MODELS = {
    "value": ReportValueAudit,
    "progress": ProjectProgressAudit,
    "report": MonthlyReportAudit,
    "project": ProjectAudit,
}
AUDIT_TOWN_FIELD = {"value": "report__town", "progress": "report__town", "report": "town", "project": "town"}
PROJECT_AUDIT_FIELDS = (
    "name",
    "category",
    "owner",
    "status",
    "total_investment",
    "planned_start",
    "planned_finish",
    "actual_start",
    "actual_finish",
    "land_mu",
    "content",
)


def audit_keys(
    user: AbstractBaseUser,
    *,
    user_id: int | None = None,
    town_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet:
    """(kind, pgh_id, at) of every recorded change of statistics in the caller's scope, newest first.

    A union over the audit tables, so a Paginator counts and slices it in the database.
    """
    visible = towns_for_user(user).values("pk")
    parts = []
    for kind, model in AUDIT_MODELS.items():
        town_field = AUDIT_TOWN_FIELD[kind]
        qs = model.objects.filter(**{f"{town_field}__in": visible})
        if town_id:
            qs = qs.filter(**{town_field: town_id})
        if user_id is not None:
            qs = qs.filter(pgh_context__metadata__user=user_id)
        qs = narrowed(qs, pgh_created_at__date__gte=date_from, pgh_created_at__date__lte=date_to)
        parts.append(
            qs.annotate(kind=Value(kind, output_field=CharField())).values_list("kind", "pgh_id", "pgh_created_at")
        )
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-pgh_created_at", "-pgh_id")


def audit_user_id(text: str | None) -> int | None:
    """The audit search's `user`: an id or a username; an unknown username matches nobody (0)."""
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    return get_user_model().objects.filter(username=text).values_list("pk", flat=True).first() or 0


@dataclass
class AuditRow:
    at: datetime.datetime
    user: object
    object: str
    action: str
    changes: list[dict]  # [{"field", "old", "new"}]
    reason: str
    source: str
    report_id: int | None
    town_id: int | None
    direct: bool = False  # made around the services


ACTION_LABELS = {"insert": _lazy("新增"), "update": _lazy("修改"), "delete": _lazy("删除")}


def audit_rows(keys: list[tuple[str, int, datetime.datetime]]) -> list[AuditRow]:
    """The page of `audit_keys` as readable rows: object, old → new per field, who, why. Fixed queries."""
    events, previous = _audit_events(keys)
    lookups = _audit_lookups(events)
    rows = []
    for kind, pgh_id, _at in keys:
        event = events.get((kind, pgh_id))
        if event is not None:
            rows.append(_audit_row(kind, event, previous.get((kind, pgh_id)), lookups))
    return rows


def _audit_events(keys: list[tuple[str, int, datetime.datetime]]) -> tuple[dict, dict]:
    """(kind, pgh_id) → the audit event, and → the same object's event before it (None for its first)."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, pgh_id, _at in keys:
        by_kind[kind].append(pgh_id)
    events: dict[tuple[str, int], object] = {}
    previous: dict[tuple[str, int], object] = {}
    for kind, ids in by_kind.items():
        model = AUDIT_MODELS[kind]
        page = list(model.objects.filter(pgh_id__in=ids).select_related("pgh_context"))
        for event in page:
            events[(kind, event.pgh_id)] = event
        # Each object's earlier events, to find the value before each change (few per object).
        earlier = model.objects.filter(pgh_obj_id__in={e.pgh_obj_id for e in page}, pgh_id__lt=max(ids)).order_by(
            "pgh_id"
        )
        history: dict[int, list] = defaultdict(list)
        for event in earlier:
            history[event.pgh_obj_id].append(event)
        for event in page:
            before = [e for e in history.get(event.pgh_obj_id, []) if e.pgh_id < event.pgh_id]
            previous[(kind, event.pgh_id)] = before[-1] if before else None
    return events, previous


@dataclass
class _AuditLookups:
    """What the events of a page name, read once for the page: reports, towns, indicators, projects, users."""

    reports: dict
    towns: dict
    indicators: dict
    projects: dict
    users: dict
    labels: dict[str, str]  # field name → its label


def _audit_lookups(events: dict) -> _AuditLookups:
    report_ids = {e.report_id for (k, _id), e in events.items() if k in ("value", "progress")}
    report_ids |= {e.pgh_obj_id for (k, _id), e in events.items() if k == "report"}
    town_ids = {e.town_id for (k, _id), e in events.items() if k == "project"}
    project_ids = {e.project_id for (k, _id), e in events.items() if k == "progress"}
    labels = {f.name: str(f.verbose_name) for f in ProjectProgress._meta.fields + Project._meta.fields}
    labels.update(status=str(_lazy("状态")), timeliness=str(_lazy("及时性")))
    return _AuditLookups(
        reports={
            r.pk: r
            for r in MonthlyReport.objects.filter(pk__in=report_ids).select_related("town__unit", "town__district")
        },
        towns={t.pk: t for t in Town.objects.filter(pk__in=town_ids).select_related("unit")},
        indicators={i.pk: i for i in Indicator.objects.all()},
        projects={p.pk: p for p in Project.objects.filter(pk__in=project_ids)},
        users=_users({(e.pgh_context.metadata or {}).get("user") for e in events.values() if e.pgh_context_id}),
        labels=labels,
    )


def _audit_row(kind: str, event, before, lookups: _AuditLookups) -> AuditRow:
    metadata = event.pgh_context.metadata if event.pgh_context_id else {}
    report = lookups.reports.get(getattr(event, "report_id", None) or (event.pgh_obj_id if kind == "report" else None))
    obj, fields = _audit_object(kind, event, report, lookups)
    service = metadata.get("service") or ""
    return AuditRow(
        at=event.pgh_created_at,
        user=lookups.users.get(int(metadata["user"])) if str(metadata.get("user", "")).isdigit() else None,
        object=obj,
        action=str(ACTION_LABELS.get(event.pgh_label, event.pgh_label)),
        changes=_audit_changes(kind, event, before, fields),
        reason=metadata.get("reason") or "",
        source=_audit_source(service, metadata),
        report_id=report.pk if report else None,
        town_id=report.town_id if report else getattr(event, "town_id", None),
        direct=not service,
    )


def _audit_object(kind: str, event, report: MonthlyReport | None, lookups: _AuditLookups) -> tuple[str, dict]:
    """What the event changed, as the user reads it, and the fields to compare: name → label."""
    labels = lookups.labels
    where = f"{report.town.unit.name} {report.period:%Y-%m}" if report else ""
    if kind == "value":
        indicator = lookups.indicators.get(event.indicator_id)
        name = f"{indicator.name}（{indicator.unit}）" if indicator else str(event.indicator_id)
        return f"{where} · {name}", {"value": name}
    if kind == "progress":
        project = lookups.projects.get(event.project_id)
        obj = f"{where} · {_('项目')} {project.code if project else event.project_id}"
        return obj, {name: labels.get(name, name) for name in PROGRESS_FIELDS}
    if kind == "report":
        return f"{where} {_('月报')}", {"status": labels["status"], "timeliness": labels["timeliness"]}
    town = lookups.towns.get(event.town_id)
    obj = f"{town.unit.name if town else ''} · {_('项目')} {event.code} {event.name}"
    return obj, {name: labels.get(name, name) for name in PROJECT_AUDIT_FIELDS}


def _audit_changes(kind: str, event, before, fields: dict[str, str]) -> list[dict]:
    """[{"field", "old", "new"}] of the fields the event changed (a deletion: every old value, nothing new)."""
    changes = []
    for name, label in fields.items():
        new = _choice_label(kind, name, _text_of(getattr(event, name)))
        old = _choice_label(kind, name, _text_of(getattr(before, name))) if before is not None else None
        if event.pgh_label == "delete":
            old, new = new, None
        if old != new:
            changes.append({"field": label, "old": old, "new": new})
    return changes


CHOICE_LABELS = {
    ("report", "status"): dict(ReportStatus.choices),
    ("report", "timeliness"): dict(Timeliness.choices),
    ("project", "status"): dict(Project.Status.choices),
    ("project", "category"): dict(Project.Category.choices),
}


def _choice_label(kind: str, name: str, value: str | None) -> str | None:
    """A stored choice as the user reads it: accepted → 已验收."""
    labels = CHOICE_LABELS.get((kind, name))
    return str(labels.get(value, value)) if labels and value is not None else value


SERVICE_LABELS = {
    "monthly_report_create": _lazy("新建月报"),
    "monthly_report_save": _lazy("填报保存"),
    "monthly_report_submit": _lazy("报送"),
    "monthly_report_approve": _lazy("区级审核"),
    "monthly_report_accept": _lazy("验收"),
    "monthly_report_return": _lazy("退回"),
    "monthly_reports_import": _lazy("Excel导入"),
    "monthly_reports_mark_missing": _lazy("记为漏报"),
    "monthly_report_reopen_approve": _lazy("批准更正"),
    "project_create": _lazy("新建项目"),
    "project_update": _lazy("修改项目"),
    "project_attachment_add": _lazy("上传项目附件"),
    "indicator_create": _lazy("新增统计指标"),
    "indicator_update": _lazy("修改统计指标"),
    "project_cumulatives_recompute": _lazy("重算累计数"),
    "report_evidence_add": _lazy("上传原始记录"),
    "seed_demo": _lazy("演示数据"),
}


def _audit_source(service: str, metadata: dict) -> str:
    if service:
        return str(SERVICE_LABELS.get(service, service))
    return _direct_source(metadata)
