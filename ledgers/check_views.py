"""The departmental cross-checks' pages (数据核对, issue 18): a member unit's liaison checks the accepted
figures of the indicators assigned to it; the districts explain the discrepancies of their towns and the
office closes them; the office assigns the indicators to the member units."""

import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coordination.models import MemberUnit, Town
from coordination.permissions import districts_for_user, works_for_office
from tianjin_towns.lib import dates, downloads
from tianjin_towns.lib.pages import error_text, page_of, step_view
from tianjin_towns.lib.uploads import XLSX
from tianjin_towns.lib.xlsx import ImportRejected

from . import check_sheets, selectors, services
from .models import FigureCheck, Indicator, IndicatorSource  # noqa: F401
from .permissions import (
    CLOSE,
    EXPLAIN,
    can_on_check,
    check_manage_sources,
    checking_member_unit,
    get_checking_member_unit,
    get_figure_check_for_user,
)
from .selectors.checks import OPEN_STATUSES

PER_PAGE = 30
MARKS = {"agree": True, "differ": False}


def _chosen(request, sources: list[IndicatorSource], periods: list):
    """The month and indicator the sheet is for: the request's, else the latest month and the first indicator."""
    try:
        period = dates.parse_period(request.GET.get("period") or request.POST.get("period") or "")
    except ValueError:
        period = periods[0]
    code = request.GET.get("indicator") or request.POST.get("indicator")
    source = next((s for s in sources if s.indicator.code == code), sources[0] if sources else None)
    return period, source


def _counted(counts: dict) -> dict:
    """What a saved sheet came to, for its message: 一致 n 个，有差异 n 个."""
    text = _("一致 %(agreed)s 个，有差异 %(opened)s 个") % {
        "agreed": counts.get(FigureCheck.Status.AGREED, 0),
        "opened": counts.get(FigureCheck.Status.OPEN, 0),
    }
    return {"counts": text}


def _sheet_of(request):
    """The door of the check sheet's pages, then what the sheet is for: the liaison's member unit (404 for
    anyone who records no check), the indicators it checks, the months, and the month and indicator asked."""
    member_unit = get_checking_member_unit(request.user)
    sources, periods = selectors.check_sources(member_unit), selectors.check_periods()
    period, source = _chosen(request, sources, periods)
    if source is None:
        raise Http404
    return member_unit, sources, periods, period, source


@login_required
def figure_checks(request):
    """数据核对: the liaison's sheet of one indicator and month, every town's accepted figure beside its own."""
    member_unit, sources, periods, period, source = _sheet_of(request)
    if request.method == "POST":
        entries = {
            int(name.removeprefix("value-")): services.CheckEntry(
                request.POST.get(name, "").strip() or None,
                MARKS.get(request.POST.get(f"mark-{name.removeprefix('value-')}", "")),
            )
            for name in request.POST
            if name.startswith("value-") and name.removeprefix("value-").isdigit()
        }
        try:
            counts = services.figure_checks_record(
                actor=request.user, member_unit=member_unit, indicator=source.indicator, period=period, entries=entries
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("已保存核对结果：%(counts)s。有差异的已转各区说明。") % _counted(counts))
            return redirect(f"{reverse('figure-checks')}?period={period:%Y-%m}&indicator={source.indicator.code}")
    rows = selectors.check_sheet(member_unit, source.indicator, period)
    return render(
        request,
        "ledgers/checks/figure_checks.html",
        {
            "member_unit": member_unit,
            "sources": sources,
            "source": source,
            "periods": periods,
            "period": period,
            "rows": rows,
            "posted": request.POST if request.method == "POST" else {},
            "counts": {
                "accepted": sum(1 for row in rows if row.accepted is not None),
                "checked": sum(1 for row in rows if row.check is not None),
            },
        },
    )


@login_required
def figure_check_template(request):
    """The check sheet of one indicator and month as a workbook to fill in (本单位的数, 核对意见)."""
    member_unit, _sources, _periods, period, source = _sheet_of(request)
    output = io.BytesIO()
    rows = selectors.check_sheet(member_unit, source.indicator, period)
    check_sheets.write_check_template(output, member_unit=member_unit, source=source, period=period, rows=rows)
    filename = _("%(unit)s数据核对表-%(indicator)s-%(month)s.xlsx") % {
        "unit": member_unit.name,
        "indicator": source.indicator.name,
        "month": f"{period:%Y-%m}",
    }
    target = f"数据核对表 {member_unit.name} {source.indicator.name} {period:%Y-%m}"
    return downloads.attachment(output.getvalue(), content_type=XLSX, filename=filename, target=target)


@login_required
@require_POST
def figure_check_upload(request):
    """The filled-in sheet back: every row saved, or none with each problem named by row and column."""
    member_unit, _sources, _periods, period, source = _sheet_of(request)
    back = f"{reverse('figure-checks')}?period={period:%Y-%m}&indicator={source.indicator.code}"
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择填好的核对表（.xlsx）。"))
        return redirect(back)
    try:
        entries, problems = check_sheets.read_check_sheet(upload.read())
    except ImportRejected as rejected:
        messages.error(request, "；".join(problem.message for problem in rejected.problems[:5]))
        return redirect(back)
    towns = dict(Town.objects.filter(unit__code__in=list(entries)).values_list("unit__code", "pk"))
    problems += [_("小镇编码“%(code)s”不存在。") % {"code": code} for code in entries if code not in towns]
    if problems:
        shown = [p if isinstance(p, str) else _("第%(row)s行%(column)s列：%(message)s") % vars(p) for p in problems]
        messages.error(request, _("核对表未导入：") + "；".join(shown[:10]))
        return redirect(back)
    try:
        counts = services.figure_checks_record(
            actor=request.user,
            member_unit=member_unit,
            indicator=source.indicator,
            period=period,
            entries={towns[code]: entry for code, entry in entries.items()},
        )
    except ValidationError as error:
        messages.error(request, _("核对表未导入：") + error_text(error))
    else:
        messages.success(request, _("核对表已导入：%(counts)s。") % _counted(counts))
    return redirect(back)


@login_required
def discrepancy_list(request):
    """核对差异: the discrepancies the user sees (its towns', its unit's, or all of them for the office)."""
    status = request.GET.get("status") or ""
    district = request.GET.get("district") or ""
    checks = selectors.figure_check_list(
        request.user,
        status=status if status in FigureCheck.Status.values else None,
        open_only=status == "",
        district_id=int(district) if district.isdigit() else None,
    )
    return render(
        request,
        "ledgers/checks/discrepancy_list.html",
        {
            "page": page_of(request, checks, PER_PAGE),
            "statuses": [(value, label) for value, label in FigureCheck.Status.choices if value != "agreed"],
            "status": status,
            "districts": districts_for_user(request.user),
            "district": district,
            "query": request.GET.copy(),
            "can_check": checking_member_unit(request.user) is not None,
            "can_see_progress": works_for_office(request.user),
        },
    )


@login_required
def discrepancy_detail(request, pk: int):
    check = get_figure_check_for_user(request.user, pk)
    return render(
        request,
        "ledgers/checks/discrepancy_detail.html",
        {
            "check": check,
            "can_explain": check.status == FigureCheck.Status.OPEN and can_on_check(request.user, check, EXPLAIN),
            "can_close": check.status in OPEN_STATUSES and can_on_check(request.user, check, CLOSE),
        },
    )


discrepancy_explain = step_view(
    get_figure_check_for_user,
    EXPLAIN,
    services.figure_check_explain,
    gettext_lazy("说明已提交，等待市特镇办确认。"),
    key="check",
    back="discrepancy-detail",
    posted=("explanation",),
)
discrepancy_close = step_view(
    get_figure_check_for_user,
    CLOSE,
    services.figure_check_close,
    gettext_lazy("差异已关闭，台账中该数据标记为“已说明”。"),
    key="check",
    back="discrepancy-detail",
    posted=("note",),
)


@login_required
def check_progress(request):
    """数据核对进度: the office's matrix of each checking unit's indicator × the last twelve months."""
    check_manage_sources(request.user)
    periods = list(reversed(selectors.check_periods(count=12)))
    return render(
        request,
        "ledgers/checks/check_progress.html",
        {"periods": periods, "rows": selectors.check_progress(periods)},
    )


@login_required
def indicator_sources(request):
    """系统管理 → 数据核对分工: which member unit checks each indicator, and its tolerance."""
    check_manage_sources(request.user)
    indicators = list(Indicator.objects.filter(active=True).select_related("source").order_by("order", "code"))
    units = list(MemberUnit.objects.filter(active=True).order_by("order"))
    if request.method == "POST":
        by_pk = {unit.pk: unit for unit in MemberUnit.objects.all()}
        assignments, errors = {}, []
        for indicator in indicators:
            unit_id = request.POST.get(f"unit-{indicator.code}", "")
            tolerance = request.POST.get(f"tolerance-{indicator.code}", "").strip()
            try:
                value = Decimal(tolerance) if tolerance else None
            except ArithmeticError:
                errors.append(_("%(name)s：允许偏差必须是数字。") % {"name": indicator.name})
                continue
            assignments[indicator] = (by_pk.get(int(unit_id)) if unit_id.isdigit() else None, value)
        if not errors:
            try:
                changed = services.indicator_sources_set(actor=request.user, assignments=assignments)
            except ValidationError as error:
                errors.append(error_text(error))
            else:
                messages.success(request, _("数据核对分工已保存（%(n)s 项有变化）。") % {"n": changed})
                return redirect("indicator-sources")
        for error in errors:
            messages.error(request, error)
    return render(request, "ledgers/checks/indicator_sources.html", {"indicators": indicators, "units": units})
