"""Pages of the monthly reports and ledgers: each view checks access through a permission door, then
calls one selector or service and renders."""

import io
from collections import OrderedDict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coordination import services as org_services
from coordination.permissions import get_town_for_user, reading_districts_for_user, towns_for_user
from tianjin_towns.celery import enqueue_from_request
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates, downloads
from tianjin_towns.lib.pages import (
    chosen_pk,
    form_errors,
    list_filters,
    list_page,
    reason_step,
    run_step,
    step_view,
)
from tianjin_towns.lib.pages import error_text as _error_text
from tianjin_towns.lib.uploads import XLSX

from . import exports, rules, selectors, services, tasks
from . import permissions as report_perms
from .evidence import ACCEPT as ACCEPT_EVIDENCE
from .forms import AcceptForm, LedgerFilterForm, ReportEntryForm, ReportFilterForm, ReturnForm
from .models import (
    CheckState,
    Indicator,
    IndicatorSource,
    MonthlyReport,
    ProjectProgress,
    ReopenRequest,
    ReportEvent,
    ReportStatus,
    Timeliness,
)
from .permissions import (
    ACCEPT,
    APPROVE,
    EDIT,
    RETURN,
    VIEW,
    districts_for_user,
    get_monthly_report_for_user,
    quality_actions_for_user,
    report_actions_for_user,
)
from .selectors.context import figure_context

REPORTS_PER_PAGE = 20


# --- Report list -------------------------------------------------------------------------------------


@login_required
def report_list(request):
    """月报管理: the reports the user sees, newest month first; with a month chosen, a line for every town that
    owes that month's report, those not filed yet (未填报) with their deadlines and the 填报 button."""
    form = ReportFilterForm(
        request.GET or None, districts=districts_for_user(request.user), towns=towns_for_user(request.user)
    )
    filters = list_filters(form)
    period = filters.get("month")
    narrowing = {
        "district_id": chosen_pk(filters, "district"),
        "town_id": chosen_pk(filters, "town"),
        "status": filters.get("status") or None,
        "q": filters.get("q") or None,
    }
    if period:
        rows = selectors.month_report_rows(request.user, period=period, **narrowing)
        context = list_page(request, form, rows, REPORTS_PER_PAGE)
        context["unfiled_count"] = sum(1 for row in rows if row.report is None)
    else:
        context = list_page(request, form, _reports_without_month(request.user, narrowing), REPORTS_PER_PAGE)
        page = context["page"]
        page.object_list = [selectors.ReportRow.of(report) for report in page.object_list]
    latest = dates.last_ended_period()
    latest_query = request.GET.copy()  # the filters chosen, for the last ended month
    latest_query.pop("page", None)
    latest_query["month"] = dates.format_period(latest)
    return render(
        request,
        "ledgers/report_list.html",
        {
            **context,
            "period": period,
            "latest_period": latest,
            "latest_query": latest_query.urlencode(),
            "needs_month": not period and narrowing["status"] == selectors.UNFILED,
            "editable_town_ids": set(towns_for_user(request.user, EDIT).values_list("pk", flat=True)),
        },
    )


def _reports_without_month(user, narrowing: dict):
    """The list without a month: the user's reports (none when asked for the towns not filed, which only a
    month says)."""
    if narrowing["status"] == selectors.UNFILED:
        return MonthlyReport.objects.none()
    return selectors.monthly_report_list(user, **narrowing)


@login_required
@require_POST
def report_fill(request):
    """The inbox's 填报 button: open the month's report if it does not exist yet, then go to its entry form."""
    try:
        town_id = int(request.POST.get("town", ""))
        period = dates.parse_period(request.POST.get("period", ""))
    except ValueError:
        messages.error(request, _("请求参数有误。"))
        return redirect("home")
    town = get_town_for_user(request.user, town_id, EDIT)
    report = MonthlyReport.objects.filter(town=town, period=period).first()
    if report is None:
        try:
            report = services.monthly_report_create(actor=request.user, town=town, period=period)
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect("home")
        except ConflictError as error:
            # Opened meanwhile by a colleague (then edit it), or the month is locked (say why).
            report = MonthlyReport.objects.filter(town=town, period=period).first()
            if report is None:
                messages.error(request, error.message)
                return redirect("home")
    return redirect("report-edit", pk=report.pk)


# --- Entry form --------------------------------------------------------------------------------------


@login_required
def report_edit(request, pk: int):
    report = get_monthly_report_for_user(request.user, pk, EDIT)
    if not report.is_editable:
        messages.warning(request, _("月报当前状态为“%(status)s”，不能修改。") % {"status": report.get_status_display()})
        return redirect("report-detail", pk=report.pk)
    if services.entry_locked(report):
        messages.error(
            request, _("该月报在关闭日前未报送，计为漏报，填报已锁定；如需补报，请联系市特镇办开通补报例外。")
        )
        return redirect("report-detail", pk=report.pk)
    stored_flags = selectors.report_flags(report)
    stored = selectors.report_values(report)
    form = ReportEntryForm(
        request.POST or None,
        request.FILES or None,
        indicators=selectors.active_indicators(report.period),
        project_rows=selectors.report_project_rows(report),
        report=report,
        values=stored,
        flags=_flag_messages(stored_flags),
        notes={flag.indicator.code: flag.explanation for flag in stored_flags if flag.explanation},
    )
    checks = None
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            # Save and submit are one step: when the submission is refused (a figure missing or unexplained),
            # nothing is stored and the form comes back with the typed values and the errors.
            services.monthly_report_save(
                actor=request.user,
                report=report,
                values=form.values(),
                progress=form.progress(),
                explanations=form.explanations(),
                evidence=form.evidence_files(),
                submit=submit,
            )
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("report-detail", pk=report.pk)
        except ValidationError as error:
            # Nothing was stored: show what the rules say about the figures as typed (before add_error
            # takes the fields in error out of cleaned_data).
            checks = rules.preview(report, form.values())
            form.flags = checks.flag_messages()
            form.add_service_errors(error)
        else:
            if submit:
                messages.success(request, _("月报已提交，等待区级审核。"))
                return redirect("report-detail", pk=report.pk)
            messages.success(request, _("草稿已保存。"))
            return redirect("report-edit", pk=report.pk)
    if checks is None:  # the figures as stored: a GET, or a POST whose form was refused before the service ran
        checks = rules.evaluate_stored(report, values=stored)
    evidence = selectors.report_evidence(report)
    return render(
        request,
        "ledgers/report_edit.html",
        {
            "report": report,
            "form": form,
            "pending": [message for messages_ in checks.pending.values() for message in messages_],
            "evidence_by_code": _evidence_by_code(evidence),
            "evidence": evidence,
            "evidence_accept": ACCEPT_EVIDENCE,
        },
    )


def _flag_messages(flags) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for flag in flags:
        result.setdefault(flag.indicator.code, []).append(flag.message)
    return result


def _flag_rows(flags, unexplained_ids: set[int] = frozenset()) -> list[dict]:
    """The flags of a report, one row per figure (a figure may break several soft rules). `unexplained` lists
    the row's open flags that the district has not explained: accepting needs a waiver for each."""
    rows: dict[int, dict] = {}
    for flag in flags:
        row = rows.setdefault(
            flag.indicator_id,
            {
                "indicator": flag.indicator,
                "value": flag.value,
                "messages": [],
                "explanation": "",
                "open": None,
                "unexplained": [],
            },
        )
        row["messages"].append(flag.message)
        row["explanation"] = row["explanation"] or flag.explanation
        if flag.status == flag.Status.OPEN:
            row["open"] = row["open"] or flag
            if flag.pk in unexplained_ids:
                row["unexplained"].append(flag)
        else:
            row["resolved"] = flag
    return list(rows.values())


def _evidence_by_code(evidence) -> dict[str, list]:
    result: dict[str, list] = {}
    for item in evidence:
        result.setdefault(item.indicator.code if item.indicator_id else "", []).append(item)
    return result


# --- Detail and review -------------------------------------------------------------------------------


def _history_rows(events, indicators: list[Indicator]) -> list[dict]:
    """Each trail entry (selectors.TrailEntry) with its changes as labelled old → new pairs, figures in
    catalogue order: workflow events, and changes made around the workflow (admin, bulk, SQL)."""
    position = {i.code: index for index, i in enumerate(indicators)}
    names = {i.code: i.name for i in indicators}
    progress_labels = {f.name: f.verbose_name for f in ProjectProgress._meta.get_fields() if hasattr(f, "verbose_name")}
    report_labels = {"status": _("状态"), "timeliness": _("及时性")}
    rows = []
    for event in events:
        values = sorted(event.changes.get("values", {}).items(), key=lambda item: position.get(item[0], len(position)))
        changes = [{"label": names.get(code, code), "old": old, "new": new} for code, (old, new) in values]
        for project_code, fields in sorted(event.changes.get("projects", {}).items()):
            for name, (old, new) in fields.items():
                if old in (None, "") and new in (None, ""):
                    continue  # an empty text field saved for the first time
                changes.append({"label": f"{project_code} {progress_labels.get(name, name)}", "old": old, "new": new})
        for code, (old, new) in event.changes.get("notes", {}).items():
            changes.append(
                {"label": _("%(field)s 情况说明") % {"field": names.get(code, code)}, "old": old, "new": new}
            )
        for label, (old, new) in event.changes.get("evidence", {}).items():
            changes.append({"label": _("%(field)s 原始记录") % {"field": label}, "old": old, "new": new})
        for code, (old, new) in event.changes.get("flags", {}).items():
            changes.append(
                {"label": _("%(field)s 异常提示") % {"field": names.get(code, code)}, "old": old, "new": new}
            )
        for name, (old, new) in event.changes.get("report", {}).items():
            choices = dict(ReportStatus.choices if name == "status" else Timeliness.choices)
            old, new = choices.get(old, old), choices.get(new, new)
            changes.append({"label": report_labels.get(name, name), "old": old, "new": new})
        rows.append({"event": event, "changes": changes})
    return rows


@login_required
def report_detail(request, pk: int):
    report = get_monthly_report_for_user(request.user, pk, VIEW, profiles=True)
    catalogue = selectors.active_indicators()
    indicators = [i for i in catalogue if i.applies_in(report.period)]  # what a report of its month carries
    values = selectors.report_values(report)
    events = selectors.report_events_with_actors(report)
    was_returned = any(e.action == ReportEvent.Action.RETURN for e in events)
    changed = selectors.changes_since_last_return(report) if was_returned else {}
    parts = selectors.report_parts(report)  # the page reads only the parts that exist
    flags = selectors.report_flags(report) if parts.flags else []
    actions = report_actions_for_user(request.user, report)
    unexplained = selectors.unexplained_flags(report) if "accept" in actions else []
    flag_rows = _flag_rows(flags, {flag.pk for flag in unexplained})
    flag_of = {row["indicator"].code: row for row in flag_rows}
    context_of = figure_context(report, indicators, values)  # accepted last month and last year (issue 19)
    figures = [
        {
            "indicator": i,
            "value": values.get(i.code),
            "change": changed.get(i.code),
            "flag": flag_of.get(i.code),
            "context": context_of[i.code],
        }
        for i in indicators
    ]
    reopens = selectors.reopen_requests(report) if parts.reopen_requests else []
    pending = next((r for r in reopens if r.status == ReopenRequest.Status.PENDING), None)
    evidence = selectors.report_evidence(report) if parts.evidence else []
    return render(
        request,
        "ledgers/report_detail.html",
        {
            "report": report,
            "figures": figures,
            "was_returned": was_returned,
            "changed_count": len(changed),
            "progress_rows": selectors.report_progress_rows(report) if parts.progress else [],
            "history": _history_rows(selectors.report_trail(report, events, parts), catalogue)[::-1],  # newest first
            "actions": actions,
            "quality_actions": quality_actions_for_user(request.user, report, pending_reopen=pending is not None),
            "return_form": ReturnForm(),
            "flags": flag_rows,
            "open_flag_rows": [row for row in flag_rows if row["open"]],
            "accept_form": AcceptForm(flags=unexplained) if "accept" in actions else None,
            "evidence": evidence,
            "evidence_by_code": _evidence_by_code(evidence),
            "pending_reopen": pending,
            "comparison": selectors.reopen_comparison(report, indicators, reopens),
            "locked_missing": services.entry_locked(report),
        },
    )


@login_required
@require_POST
def report_submit(request, pk: int):
    report = get_monthly_report_for_user(request.user, pk, EDIT)
    if not run_step(request, services.monthly_report_submit, _("月报已提交，等待区级审核。"), report=report):
        if report.is_editable:
            return redirect("report-edit", pk=report.pk)
    return redirect("report-detail", pk=report.pk)


APPROVED = gettext_lazy("已审核通过，月报已报送市特镇办验收。")
report_approve = step_view(
    get_monthly_report_for_user, APPROVE, services.monthly_report_approve, APPROVED, key="report", back="report-detail"
)


@login_required
@require_POST
def report_accept(request, pk: int):
    """Accept, with a waiver reason for each flag the district left unexplained (the accept dialog lists them)."""
    report = get_monthly_report_for_user(request.user, pk, ACCEPT)
    form = AcceptForm(request.POST, flags=selectors.unexplained_flags(report))
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("report-detail", pk=report.pk)
    success = _("已验收，月报数据已锁定并计入台账。")
    run_step(request, services.monthly_report_accept, success, report=report, waivers=form.waivers())
    return redirect("report-detail", pk=report.pk)


@login_required
def report_return(request, pk: int):
    """GET: the confirmation page with the reason (also the no-JavaScript path); POST: return the report."""
    report = get_monthly_report_for_user(request.user, pk, RETURN)
    form = ReturnForm(request.POST or None)
    success, done = _("月报已退回，填报人将看到退回原因。"), reverse("report-detail", args=[report.pk])
    return reason_step(request, form, services.monthly_report_return, success, done, report=report) or render(
        request, "ledgers/report_return.html", {"report": report, "form": form}
    )


# --- Ledger ------------------------------------------------------------------------------------------


def _ledger_form(request):
    this_year = dates.last_ended_period().year
    years = list(range(this_year, this_year - 6, -1))
    indicators = report_perms.ledger_indicators_for_user(request.user)
    data = {
        "year": request.GET.get("year") or this_year,
        "district": request.GET.get("district") or "",
        "indicator": request.GET.get("indicator") or (indicators.values_list("code", flat=True).first() or ""),
    }
    districts = reading_districts_for_user(request.user, report_perms.FIGURES)
    return LedgerFilterForm(data, districts=districts, indicators=indicators, years=years)


def _check_legend(ledger: selectors.Ledger) -> dict | None:
    """The ledger's check legend (数据核对): the unit that checks the indicator and the count of each state."""
    source = IndicatorSource.objects.filter(indicator=ledger.indicator).select_related("member_unit").first()
    if source is None:
        return None
    counts = selectors.check_state_counts([cell.check for row in ledger.rows for cell in row.cells if cell.check])
    return {"unit": source.member_unit.name, "counts": [(s, label, counts[s]) for s, label in CheckState.choices]}


def _district_blocks(ledger: selectors.Ledger) -> list[dict]:
    """Rows grouped by district, each group with its month subtotals and year subtotal."""
    blocks: OrderedDict[int, dict] = OrderedDict()
    for row in ledger.rows:
        block = blocks.setdefault(row.town.district_id, {"district": row.town.district, "rows": []})
        block["rows"].append(row)
    for block in blocks.values():
        block["month_totals"] = [
            selectors.sum_present(row.cells[index].value for row in block["rows"])
            for index in range(len(ledger.months))
        ]
        block["total"] = selectors.sum_present(row.total for row in block["rows"])
    return list(blocks.values())


@login_required
def ledger(request):
    form = _ledger_form(request)
    # The town table (ledger), or the districts' lines (summary); `shown` is whichever the page shows.
    context = {"form": form, "ledger": None, "summary": None, "shown": None}
    if form.is_valid():
        district = form.cleaned_data["district"]
        towns = selectors.towns_in_scope(
            request.user, district_id=district.pk if district else None, kind=report_perms.FIGURES
        )
        year, indicator = form.cleaned_data["year"], form.cleaned_data["indicator"]
        if district is None and towns.count() > settings.LEDGER_TOWN_ROWS:
            summary = selectors.ledger_by_district(towns, year=year, indicator=indicator)
            context.update(summary=summary, shown=summary, gaps=summary.gaps)
            return render(request, "ledgers/ledger.html", context)
        result = selectors.ledger_for_indicator(towns, year=year, indicator=indicator)
        gaps = [cell.gap for row in result.rows for cell in row.cells]
        context.update(
            ledger=result,
            shown=result,
            blocks=_district_blocks(result),
            gaps={"missing": gaps.count("missing"), "pending": gaps.count("pending")},
            checks=_check_legend(result),
        )
    return render(request, "ledgers/ledger.html", context)


@login_required
def ledger_export(request):
    form = _ledger_form(request)
    if not form.is_valid():
        messages.error(request, _("导出参数有误，请重新选择年度和区。"))
        return redirect("ledger")
    year, district = form.cleaned_data["year"], form.cleaned_data["district"]
    district_id = district.pk if district else None
    contents = selectors.ledger_contents(request.user, district_id=district_id)
    if district is None:
        districts = list(reading_districts_for_user(request.user, report_perms.FIGURES)[:2])
        district = districts[0] if len(districts) == 1 else None
    scope = district.name if district else _("全市")
    filename = exports.ledger_export_filename(year=year, scope=scope)
    if exports.ledger_row_count(contents["towns"], year) > settings.EXPORT_BACKGROUND_ROWS:
        job = _export_in_background(request, year=year, district_id=district_id, scope=scope, filename=filename)
        if job is not None:
            return redirect("export-job-detail", pk=job.pk)
    output = io.BytesIO()
    exports.write_ledger_workbook(output, year=year, **contents)
    target = exports.ledger_export_target(year=year, scope=scope)
    return downloads.attachment(output.getvalue(), content_type=XLSX, filename=filename, target=target)


def _export_in_background(request, *, year: int, district_id: int | None, scope: str, filename: str):
    """Queue a large export (R-3.7); None when the broker is down, and the caller exports directly instead."""
    job = org_services.export_job_create(
        actor=request.user,
        kind="ledger",
        title=_("%(year)s年统计台账（%(scope)s）") % {"year": year, "scope": scope},
        params={"year": year, "district": district_id, "filename": filename},
        back_link=f"{reverse('ledger')}?{request.GET.urlencode()}",
    )
    if not enqueue_from_request(tasks.export_ledger, job.pk):  # broker down: the export comes directly
        org_services.export_job_fail(job_id=job.pk, error=_("后台服务不可用，已改为直接导出。"), tell_owner=False)
        return None
    return job
