"""Pages of the towns and their lifecycle (R-1.1, R-1.2, R-1.7): the list, a town's page, its creation and
edits, a lifecycle step and the annual list decisions. Every signed-in user reads the towns they see; the
group that manages towns (MANAGE_TOWNS, routed by SubmissionKind.TOWNS) changes them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tianjin_towns.lib.pages import page_of

from . import permissions as perms
from . import services, town_selectors
from .forms import add_service_errors
from .models import Town, TownStatus
from .town_forms import TownFilterForm, TownForm, TownListDecisionForm, TownStatusForm

PER_PAGE = 20


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _level_chain() -> list[str]:
    """The levels from the highest down, as downgrades pass through them (services.LEVEL_AFTER_DOWNGRADE)."""
    level, chain = Town.Level.MUNICIPAL_STRONG, []
    while level:
        chain.append(str(Town.Level(level).label))
        level = services.LEVEL_AFTER_DOWNGRADE.get(level)
    return chain


@login_required
def town_list(request):
    districts = town_selectors.town_districts(request.user)
    filters = TownFilterForm(request.GET or None, districts=districts)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    district = wanted.get("district")
    scope = dict(
        district_id=district.pk if district else None,
        level=wanted.get("level") or "",
        batch=wanted.get("batch"),
        query=(wanted.get("q") or "").strip(),
    )
    counts = town_selectors.town_status_counts(town_selectors.town_list(request.user, **scope))
    towns = town_selectors.town_list(request.user, status=wanted.get("status") or "", **scope)
    page = page_of(request, towns, PER_PAGE)
    return render(
        request,
        "coordination/towns/town_list.html",
        {
            "page": page,
            "filters": filters,
            "query": _query_without(request, "page"),
            "status_query": _query_without(request, "page", "status"),
            "status_counts": [(s, label, counts.get(s, 0)) for s, label in TownStatus.choices],
            "status": wanted.get("status") or "",
            "total": sum(counts.values()),
            "can_manage": perms.can_manage_towns(request.user),
        },
    )


@login_required
def town_create(request):
    districts = perms.get_town_districts_for_user(request.user)
    form = TownForm(request.POST or None, districts=districts)
    if request.method == "POST" and form.is_valid():
        try:
            town = services.town_create(actor=request.user, **form.cleaned_data)  # the fields are its arguments
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("小镇“%(name)s”已创建。") % {"name": town.name})
            return redirect("town-detail", pk=town.pk)
    return render(request, "coordination/towns/town_form.html", {"form": form, "town": None})


@login_required
def town_detail(request, pk: int):
    town = perms.get_town_for_user(request.user, pk)
    can_manage = perms.user_has_unit_perm(request.user, town.pk, perms.MANAGE_TOWNS)
    return render(
        request,
        "coordination/towns/town_detail.html",
        {
            "town": town,
            "history": town_selectors.town_status_history(town),
            "renames": town_selectors.town_renames(town),
            "edits": town_selectors.town_edits(town),
            "can_manage": can_manage,
            "next_statuses": services.town_next_statuses(town) if can_manage else [],
        },
    )


@login_required
def town_edit(request, pk: int):
    town = perms.get_town_for_user(request.user, pk, perms.MANAGE_TOWNS)
    initial = {"name": town.name, **{name: getattr(town, name) for name in services.TOWN_FIELDS}}
    form = TownForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.town_update(actor=request.user, town=town, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("小镇信息已保存。"))
            return redirect("town-detail", pk=town.pk)
    return render(request, "coordination/towns/town_form.html", {"form": form, "town": town})


@login_required
def town_status(request, pk: int):
    town = perms.get_town_for_user(request.user, pk, perms.MANAGE_TOWNS)
    form = TownStatusForm(request.POST or None, town=town)
    if request.method == "POST" and form.is_valid():
        status = form.cleaned_data["status"]
        try:
            services.town_change_status(actor=request.user, town=town, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(town)s 已变更为“%(status)s”。") % {"town": town.name, "status": TownStatus(status).label}
            )
            return redirect("town-detail", pk=town.pk)
    return render(
        request,
        "coordination/towns/town_status.html",
        {
            "town": town,
            "form": form,
            "history": town_selectors.town_status_history(town),
            "downgrade_to": Town.Level(services.LEVEL_AFTER_DOWNGRADE[town.level]).label
            if town.level in services.LEVEL_AFTER_DOWNGRADE
            else "",
            "level_chain": _level_chain(),
        },
    )


@login_required
def town_list_decision_create(request):
    perms.check_manage_towns(request.user)
    form = TownListDecisionForm(request.POST or None, towns=town_selectors.towns_to_decide(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.town_list_decide(actor=request.user, **form.decision())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("名单决定“%(title)s”已记录，%(n)s 个小镇的状态已变更。")
                % {"title": decision.title, "n": len(form.entries())},
            )
            return redirect("town-list-decisions")
    return render(request, "coordination/towns/list_decision_form.html", {"form": form})


@login_required
def town_list_decisions(request):
    decisions = town_selectors.town_list_decisions(request.user)
    page = page_of(request, decisions, 10)
    return render(
        request,
        "coordination/towns/list_decisions.html",
        {"page": page, "query": "", "can_manage": perms.can_manage_towns(request.user)},
    )
