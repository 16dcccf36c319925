"""Assessment schemes (考核方案): list, read, the editor with its weight total, copy to a new year."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from . import scoring, selectors, services
from .forms import SchemeForm, SchemeItemFormSet, item_initial, year_choices
from .models import Scheme
from .permissions import EDIT, VIEW, can_edit, check_access, get_scheme_for_user
from .view_helpers import error_text, int_param


@login_required
def scheme_list(request):
    check_access(request.user, VIEW, results=True)
    schemes = selectors.schemes_with_totals(request.user)
    taken = {s.year for s in schemes}
    return render(
        request,
        "assessments/scheme_list.html",
        {
            "schemes": schemes,
            "can_edit": can_edit(request.user),
            "free_years": [(y, label) for y, label in year_choices() if y not in taken],
        },
    )


@login_required
def scheme_detail(request, pk: int):
    scheme = get_scheme_for_user(request.user, pk, VIEW)
    items = selectors.scheme_items(scheme)
    rows = [{"item": item, "rule": scoring.RULE_TEXTS[item.kind](item)} for item in items]
    taken = selectors.scheme_years()
    return render(
        request,
        "assessments/scheme_detail.html",
        {
            "scheme": scheme,
            "rows": rows,
            "total": selectors.scheme_weight_total(items),
            "runs": list(selectors.run_list(request.user, year=scheme.year)),
            "can_edit": can_edit(request.user),
            "free_years": [(y, label) for y, label in year_choices() if y not in taken],
        },
    )


def _posted_total(formset) -> Decimal:
    total = Decimal(0)
    for form in formset.forms:
        data = getattr(form, "cleaned_data", {}) or {}
        if data.get("DELETE") or not data.get("kind") or data.get("weight") is None:
            continue
        total += data["weight"]
    return total


def _editor(request, scheme: Scheme | None, year: int):
    items = selectors.scheme_items(scheme) if scheme else []
    form = SchemeForm(
        request.POST or None,
        instance=scheme or Scheme(year=year, name=_("%(year)s年度特色小镇考核办法") % {"year": year}),
    )
    formset = SchemeItemFormSet(request.POST or None, initial=[item_initial(i) for i in items], prefix="items")
    service_errors: list[str] = []
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            try:
                saved = services.scheme_save(
                    actor=request.user, scheme=scheme, year=year, fields=form.cleaned_data, items=formset.items()
                )
            except ConflictError as error:
                service_errors.append(error.message)
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    if field in form.fields:
                        form.add_error(field, messages_)
                    else:
                        service_errors.extend(messages_)
            else:
                messages.success(request, _("考核方案已保存，各项权重合计 100 分。草稿考核将按新方案重新计算。"))
                return redirect("assessment-scheme", pk=saved.pk)
        total = _posted_total(formset)
    else:
        total = selectors.scheme_weight_total(items)
    return render(
        request,
        "assessments/scheme_edit.html",
        {
            "scheme": scheme,
            "year": year,
            "form": form,
            "formset": formset,
            "total": total,
            "service_errors": service_errors,
        },
    )


@login_required
def scheme_create(request):
    check_access(request.user, EDIT)
    year = int_param(request, "year") or dates.today().year
    if not 2000 <= year <= 2100:
        year = dates.today().year
    existing = selectors.scheme_of_year(year)
    if existing is not None:
        messages.info(request, _("%(year)s 年度的考核方案已存在。") % {"year": year})
        return redirect("assessment-scheme-edit", pk=existing.pk)
    return _editor(request, None, year)


@login_required
def scheme_edit(request, pk: int):
    scheme = get_scheme_for_user(request.user, pk, EDIT)
    return _editor(request, scheme, scheme.year)


@login_required
@require_POST
def scheme_copy(request, pk: int):
    scheme = get_scheme_for_user(request.user, pk, EDIT)
    try:
        year = int(request.POST.get("year", ""))
        copy = services.scheme_copy(actor=request.user, scheme=scheme, year=year)
    except ValueError:
        messages.error(request, _("请选择年度。"))
    except ConflictError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已复制为 %(year)s 年度考核方案，可继续调整。") % {"year": year})
        return redirect("assessment-scheme-edit", pk=copy.pk)
    return redirect("assessment-scheme", pk=scheme.pk)
