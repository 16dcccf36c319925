"""Pages of the towns and their lifecycle (R-1.1, R-1.2, R-1.7): the list, a town's page, its creation and
edits, a lifecycle step and the annual list decisions. Every signed-in user reads the towns they see; the
group that manages towns (MANAGE_TOWNS, routed by SubmissionKind.TOWNS) changes them."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from tianjin_towns.lib.pages import form_page, query_without_page, render_page_of

from . import permissions as perms
from . import services, town_selectors
from .models import Town, TownStatus
from .town_forms import TownFilterForm, TownForm, TownListDecisionForm, TownStatusForm

PER_PAGE = 20


def _town_url(town) -> str:
    return reverse("town-detail", args=[town.pk])


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
    return render_page_of(
        request,
        "coordination/towns/town_list.html",
        towns,
        PER_PAGE,
        filters=filters,
        query=query_without_page(request),
        status_query=query_without_page(request, "status"),
        status_counts=[(s, label, counts.get(s, 0)) for s, label in TownStatus.choices],
        status=wanted.get("status") or "",
        total=sum(counts.values()),
        can_manage=perms.can_manage_towns(request.user),
    )


def _town_page(request, form, town, service, success):
    """The town form (a new town when `town` is None): posted and valid, `service` takes the form's fields (they
    are its arguments) and the town edited, then the town's page."""
    template, known = "coordination/towns/town_form.html", ({} if town is None else {"town": town})
    return form_page(request, form, template, {"town": town}, service, known, success=success, then=_town_url)


@login_required
def town_create(request):
    districts = perms.get_town_districts_for_user(request.user)
    form = TownForm(request.POST or None, districts=districts)
    return _town_page(
        request, form, None, services.town_create, lambda town: _("小镇“%(name)s”已创建。") % {"name": town.name}
    )


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
    return _town_page(request, form, town, services.town_update, _("小镇信息已保存。"))


@login_required
def town_status(request, pk: int):
    town = perms.get_town_for_user(request.user, pk, perms.MANAGE_TOWNS)
    form = TownStatusForm(request.POST or None, town=town)
    template, context = "coordination/towns/town_status.html", partial(_status_context, town)
    success, then = partial(_status_changed, town, form), _town_url(town)
    return form_page(
        request, form, template, context, services.town_change_status, {"town": town}, success=success, then=then
    )


def _status_changed(town, form, _change) -> str:
    status = TownStatus(form.cleaned_data["status"])
    return _("%(town)s 已变更为“%(status)s”。") % {"town": town.name, "status": status.label}


def _status_context(town) -> dict:
    downgrade = services.LEVEL_AFTER_DOWNGRADE.get(town.level)
    return {
        "town": town,
        "history": town_selectors.town_status_history(town),
        "downgrade_to": Town.Level(downgrade).label if downgrade else "",
        "level_chain": _level_chain(),
    }


@login_required
def town_list_decision_create(request):
    perms.check_manage_towns(request.user)
    form = TownListDecisionForm(request.POST or None, towns=town_selectors.towns_to_decide(request.user))
    return form_page(
        request,
        form,
        "coordination/towns/list_decision_form.html",
        {},
        services.town_list_decide,
        TownListDecisionForm.decision,
        success=lambda decision: (
            _("名单决定“%(title)s”已记录，%(n)s 个小镇的状态已变更。")
            % {"title": decision.title, "n": len(form.entries())}
        ),
        then="town-list-decisions",
    )


@login_required
def town_list_decisions(request):
    decisions = town_selectors.town_list_decisions(request.user)
    can_manage = perms.can_manage_towns(request.user)
    template = "coordination/towns/list_decisions.html"
    return render_page_of(request, template, decisions, 10, query="", can_manage=can_manage)
