"""Annual targets (年度计划): the table with progress and lag flags, per-town entry, Excel template and import."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ledgers import selectors as ledger_selectors

from . import exports, selectors, services
from .forms import TargetForm, TargetImportForm, YearDistrictForm
from .permissions import EDIT, VIEW, can_edit, check_access, get_target_town_for_user
from .view_helpers import error_text, file_response, year_param


def _filters(request) -> tuple[YearDistrictForm, int, int | None]:
    year = year_param(request)
    form = YearDistrictForm(
        {"year": year, "district": request.GET.get("district") or ""},
        districts=selectors.districts_for_user(request.user),
    )
    district = form.cleaned_data.get("district") if form.is_valid() else None
    return form, year, district.pk if district else None


@login_required
def target_list(request):
    check_access(request.user, VIEW)
    form, year, district_id = _filters(request)
    table = selectors.target_table(request.user, year, district_id=district_id)
    flags = selectors.lag_flags_for_user(request.user, year=year, district_id=district_id)
    return render(
        request,
        "assessments/target_list.html",
        {
            "form": form,
            "year": year,
            "district_id": district_id,
            "table": table,
            "flags": list(flags[:50]),
            "can_edit": can_edit(request.user),
            "margin": selectors.lag_margin(year),
        },
    )


@login_required
def target_edit(request, town_id: int, year: int):
    town = get_target_town_for_user(request.user, town_id, EDIT)
    indicators = ledger_selectors.active_indicators()
    values = {code: value for (_town, code), value in selectors.targets_for_year(year, town_ids=[town.pk]).items()}
    form = TargetForm(request.POST or None, indicators=indicators, values=values)
    back = f"{reverse('assessment-targets')}?year={year}&district={town.district_id}"
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.targets_save_for_town(actor=request.user, town=town, year=year, values=form.values())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if changes:
                messages.success(
                    request,
                    _("已保存 %(town)s %(year)s 年度计划（%(n)s 项变更）。")
                    % {"town": town.name, "year": year, "n": len(changes)},
                )
            else:
                messages.info(request, _("年度计划没有变化。"))
            return redirect(back)
    progress = {p.indicator: p for p in selectors.target_completion(year, town_ids=[town.pk])}
    return render(
        request,
        "assessments/target_edit.html",
        {"town": town, "year": year, "form": form, "back": back, "progress": progress},
    )


@login_required
def target_template(request):
    check_access(request.user, VIEW)
    _form, year, district_id = _filters(request)
    town_list = selectors.template_towns(request.user, district_id=district_id)
    output = io.BytesIO()
    exports.write_target_template(
        output,
        year=year,
        towns=town_list,
        indicators=ledger_selectors.active_indicators(),
        targets=selectors.targets_for_year(year, town_ids=[t.pk for t in town_list]),
    )
    filename, target = exports.target_template_filename(year), f"年度计划模板 {year}年"
    return file_response(output.getvalue(), content_type=exports.XLSX, filename=filename, target=target)


@login_required
def target_import(request):
    check_access(request.user, EDIT)
    form = TargetImportForm(request.POST or None, request.FILES or None, initial={"year": year_param(request)})
    errors = []
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        rows = exports.read_target_workbook(form.cleaned_data["file"], indicators=ledger_selectors.active_indicators())
        try:
            changed = services.targets_import(
                actor=request.user, year=year, rows=rows, towns=selectors.import_towns(request.user)
            )
        except services.ImportRejected as rejected:
            errors = rejected.errors
            messages.error(request, _("导入失败：共 %(n)s 处错误，文件中的数据均未导入。") % {"n": len(errors)})
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("导入成功：%(year)s 年度计划共 %(n)s 项变更。") % {"year": year, "n": changed})
            return redirect(f"{reverse('assessment-targets')}?year={year}")
    return render(request, "assessments/target_import.html", {"form": form, "errors": errors})
