"""The data-sharing settings (系统管理 → 数据共享, issue 18): the office decides, per member unit, which kinds
of accepted record and which indicators its liaisons read. Everything accepted is shared by default."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from coordination.models import MemberUnit, MemberUnitEvent, Role, SharedKind
from coordination.permissions import check_manage_sharing, get_member_unit_to_share
from tianjin_towns.lib.pages import form_page

from . import services
from .forms import SharingForm
from .models import Indicator


@login_required
def sharing_list(request):
    check_manage_sharing(request.user)
    indicator_count = Indicator.objects.filter(active=True).count()
    active_liaisons = Q(liaisons__role=Role.LIAISON, liaisons__user__is_active=True)
    units = (
        MemberUnit.objects.annotate(liaison_count=Count("liaisons", filter=active_liaisons))
        .prefetch_related(Prefetch("withheld_indicators", queryset=Indicator.objects.filter(active=True)))
        .order_by("-active", "order")
    )
    rows = [
        {
            "unit": unit,
            "kinds": [kind for kind in SharedKind if kind not in (unit.withheld_kinds or [])],
            "indicators": indicator_count - len(unit.withheld_indicators.all()),
        }
        for unit in units
    ]
    return render(
        request,
        "ledgers/sharing/sharing_list.html",
        {"rows": rows, "kind_count": len(SharedKind), "indicator_count": indicator_count},
    )


@login_required
def sharing_edit(request, pk: int):
    member_unit = get_member_unit_to_share(request.user, pk)
    form = SharingForm(request.POST or None, member_unit=member_unit)
    history = MemberUnitEvent.objects.filter(member_unit=member_unit, action=MemberUnitEvent.Action.SHARING)
    return form_page(
        request,
        form,
        "ledgers/sharing/sharing_form.html",
        lambda: {
            "member_unit": member_unit,
            "history": _described(history.select_related("actor__profile").order_by("-at", "-pk")[:20]),
        },
        services.member_unit_sharing_set,
        lambda form: {
            "member_unit": member_unit,
            "shared_kinds": form.cleaned_data["shared_kinds"],
            "shared_indicators": list(form.cleaned_data["shared_indicators"]),
            "note": form.cleaned_data["note"],
        },
        success=gettext_lazy("数据共享范围已保存。"),
        then="sharing",
    )


def _described(events) -> list:
    """Each sharing event with what it withheld afterwards, in words: kinds by label, indicators by name."""
    events = list(events)
    names = dict(Indicator.objects.values_list("code", "name"))
    labels = dict(SharedKind.choices)
    for event in events:
        kinds = event.changes.get("withheld_kinds")
        codes = event.changes.get("withheld_indicators")
        event.withheld_kinds = [labels.get(kind, kind) for kind in kinds[1]] if kinds else None
        event.withheld_indicators = [names.get(code, code) for code in codes[1]] if codes else None
    return events
