"""Pages for data quality (issue 3): corrections of accepted reports, flags and evidence, the gaps
(查漏补缺), the Excel import, the office's audit search and the exceptions to the entry lock.

Each view checks access through a permission door, then calls one selector or service and renders.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.permissions import get_org_unit_for_user, get_town_for_user, towns_for_user
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates, downloads
from tianjin_towns.lib.pages import (
    chosen_pk,
    list_filters,
    list_page,
    page_of,
    reason_step,
    run_step,
)

from . import imports, selectors, services
from .forms import AuditFilterForm, EntryExceptionForm, FlagResolveForm, GapsFilterForm, ImportForm, ReasonForm
from .permissions import (
    ACCEPT,
    EDIT,
    REVIEW,
    check_audit_access,
    check_grant_entry_exceptions,
    check_import_reports,
    districts_for_user,
    entry_exception_towns_for_user,
    get_entry_exception_for_user,
    get_monthly_report_for_user,
    get_report_evidence_for_user,
    get_report_flag_for_user,
)

AUDIT_PER_PAGE = 50


# --- Corrections of accepted reports (reopen) --------------------------------------------------------


@login_required
def report_reopen(request, pk: int):
    """GET: the request form (also the no-JavaScript path of the modal); POST: ask for the correction."""
    report = get_monthly_report_for_user(request.user, pk, EDIT)
    success = _("更正申请已提交，市特镇办批准后月报将退回您更正。")
    return _reopen_page(request, report, services.monthly_report_reopen_request, success, mode="request")


@login_required
@require_POST
def report_reopen_approve(request, pk: int):
    report = get_monthly_report_for_user(request.user, pk, ACCEPT)
    success = _("已批准更正，月报已退回填报人；原验收版本已保存，可在本页对比。")
    run_step(request, services.monthly_report_reopen_approve, success, report=report)
    return redirect("report-detail", pk=report.pk)


@login_required
def report_reopen_reject(request, pk: int):
    report = get_monthly_report_for_user(request.user, pk, ACCEPT)
    success = _("已驳回更正申请，月报保持已验收。")
    return _reopen_page(request, report, services.monthly_report_reopen_reject, success, mode="reject")


def _reopen_page(request, report, service, success: str, *, mode: str):
    """The reason page of a correction: asking for it (`mode` "request") or refusing it ("reject")."""
    form = ReasonForm(request.POST or None)
    done = reverse("report-detail", args=[report.pk])
    return reason_step(request, form, service, success, done, report=report) or render(
        request, "ledgers/report_reopen.html", {"report": report, "form": form, "mode": mode}
    )


# --- Flags and evidence ------------------------------------------------------------------------------


@login_required
@require_POST
def flag_resolve(request, pk: int, flag_id: int):
    flag = get_report_flag_for_user(request.user, pk, flag_id, REVIEW)
    form = FlagResolveForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    success = _("已核实「%(field)s」。") % {"field": flag.indicator.name}
    run_step(request, services.data_flag_resolve, success, flag=flag, note=note)
    return redirect("report-detail", pk=flag.report_id)


@login_required
def evidence_download(request, pk: int, evidence_id: int):
    evidence = get_report_evidence_for_user(request.user, pk, evidence_id)
    target = f"原始记录 {evidence.name}（月报 {evidence.report}）"
    return downloads.file_download(
        evidence.file, filename=evidence.name, content_type=evidence.content_type, target=target
    )


@login_required
@require_POST
def evidence_delete(request, pk: int, evidence_id: int):
    evidence = get_report_evidence_for_user(request.user, pk, evidence_id, EDIT)
    try:
        services.report_evidence_delete(actor=request.user, evidence=evidence)
    except ConflictError as error:
        messages.error(request, error.message)
        return redirect("report-detail", pk=pk)
    messages.success(request, _("已删除原始记录「%(name)s」。") % {"name": evidence.name})
    return redirect("report-edit", pk=pk)


# --- Gaps (查漏补缺) ------------------------------------------------------------------------------------


@login_required
def gaps(request):
    this_year = dates.last_ended_period().year
    data = {"year": request.GET.get("year") or this_year, "district": request.GET.get("district") or ""}
    form = GapsFilterForm(
        data, districts=districts_for_user(request.user), years=list(range(this_year, this_year - 6, -1))
    )
    context = {"form": form}
    if form.is_valid():
        district = form.cleaned_data["district"]
        context["table"] = selectors.gaps_for_year(
            request.user, year=form.cleaned_data["year"], district_id=district.pk if district else None
        )
    return render(request, "ledgers/gaps.html", context)


# --- Excel import -------------------------------------------------------------------------------------


@login_required
def ledger_import(request):
    """Upload the export template with a month's figures for a district; every row is saved, or none."""
    if request.method == "POST":
        check_import_reports(request.user)
    districts = districts_for_user(request.user, EDIT)
    form = ImportForm(request.POST or None, request.FILES or None, districts=districts)
    problems, summary = [], None
    if request.method == "POST" and form.is_valid():
        district = get_org_unit_for_user(request.user, form.cleaned_data["district"].pk, EDIT)
        upload = form.cleaned_data["file"]
        try:
            imports.check_size(upload.size)
            summary = services.monthly_reports_import(
                actor=request.user,
                district=district,
                period=form.cleaned_data["month"],
                data=upload.read(),
                filename=upload.name,
            )
        except imports.ImportRejected as rejected:
            problems = rejected.problems
        else:
            messages.success(
                request,
                _("导入成功：%(reports)s 份月报、%(figures)s 个数字已保存为草稿，请逐份核对后报送。")
                % {"reports": len(summary.reports), "figures": summary.figures},
            )
    return render(
        request,
        "ledgers/ledger_import.html",
        {"form": form, "problems": problems, "summary": summary, "can_import": districts.exists()},
    )


# --- Audit search (office) ----------------------------------------------------------------------------


@login_required
def audit(request):
    check_audit_access(request.user)
    form = AuditFilterForm(request.GET or None, towns=towns_for_user(request.user))
    filters = list_filters(form)
    user_text = (filters.get("user") or "").strip()
    keys = selectors.audit_keys(
        request.user,
        user_id=selectors.audit_user_id(user_text),
        town_id=chosen_pk(filters, "town"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    context = list_page(request, form, keys, AUDIT_PER_PAGE)
    context["rows"] = selectors.audit_rows(list(context["page"].object_list))
    return render(request, "ledgers/audit.html", context)


# --- Exceptions to the entry lock (office) --------------------------------------------------------------


@login_required
def entry_exceptions(request):
    """The office grants a town an exception to enter a locked month (R-3.4); everyone in scope reads the list."""
    grantable = entry_exception_towns_for_user(request.user)
    can_grant = grantable.exists()
    form = EntryExceptionForm(request.POST or None, towns=grantable)
    if request.method == "POST":
        check_grant_entry_exceptions(request.user)
        if form.is_valid():
            town = get_town_for_user(request.user, form.cleaned_data["town"].pk, ACCEPT)
            try:
                services.entry_exception_grant(
                    actor=request.user,
                    town=town,
                    period=form.cleaned_data["month"],
                    reason=form.cleaned_data["reason"],
                    expires_on=form.cleaned_data["expires_on"],
                )
            except ConflictError as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error("month" if field == "period" else field if field in form.fields else None, errors)
            else:
                messages.success(request, _("已开通补报例外，已通知该小镇的信息员。"))
                return redirect("entry-exceptions")
    page = page_of(request, selectors.entry_exceptions_for_user(request.user), 30)
    return render(
        request,
        "ledgers/entry_exceptions.html",
        {"form": form, "page": page, "can_grant": can_grant, "today": dates.today()},
    )


@login_required
@require_POST
def entry_exception_revoke(request, pk: int):
    exception = get_entry_exception_for_user(request.user, pk, ACCEPT)
    run_step(request, services.entry_exception_revoke, _("已撤销补报例外。"), exception=exception)
    return redirect("entry-exceptions")
