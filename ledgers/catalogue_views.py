"""The indicator catalogue's pages (系统管理 → 统计指标, R-1.7) for its maintainers: MANAGE_CATALOGUE on
the municipality (the administrator role). Each indicator applies from `active_from` to `active_to`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tianjin_towns.lib import dates

from . import services
from .catalogue_forms import IndicatorForm
from .models import Indicator
from .permissions import check_catalogue_access, get_indicator_for_user


@login_required
def indicator_list(request):
    check_catalogue_access(request.user)
    indicators = list(Indicator.objects.select_related("part_of").order_by("order", "code"))
    this_month = dates.month_start(dates.today())
    for indicator in indicators:
        indicator.applies_in_this_month = indicator.applies_in(this_month)
    return render(
        request,
        "ledgers/indicators/indicator_list.html",
        {"indicators": indicators, "this_month": this_month},
    )


@login_required
def indicator_create(request):
    check_catalogue_access(request.user)
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("统计指标「%(name)s」已添加。") % {"name": indicator.name})
            return redirect("indicator-list")
    return render(request, "ledgers/indicators/indicator_form.html", {"form": form, "indicator": None})


@login_required
def indicator_edit(request, pk: int):
    indicator = get_indicator_for_user(request.user, pk)
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(actor=request.user, indicator=indicator, **form.service_fields())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("统计指标「%(name)s」已保存。") % {"name": form.cleaned_data["name"]})
            return redirect("indicator-list")
    return render(request, "ledgers/indicators/indicator_form.html", {"form": form, "indicator": indicator})
