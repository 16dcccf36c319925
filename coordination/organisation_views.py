"""系统管理 pages for the organisation's master data (R-1.1, R-1.4, R-1.5, R-1.7): member units, org unit
names and the routing of work to the office's working groups. The holders of MANAGE_ORGANISATION (the
administrators; superusers) use them; everybody else reads the same data on the public 组织体系 page."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tianjin_towns.lib.pages import error_text, form_page, render_page_of

from . import organisation_selectors as selectors
from . import permissions as perms
from . import services
from .organisation_forms import MemberUnitForm, OrgUnitRenameForm, RoutingForm

PER_PAGE = 30
STATE_LABELS = {"active": gettext_lazy("在用"), "retired": gettext_lazy("已停用"), "all": gettext_lazy("全部")}


# --- Member units (R-1.4) ---------------------------------------------------------------------------


@login_required
def member_unit_list(request):
    perms.check_manage_organisation(request.user)
    state = request.GET.get("state") if request.GET.get("state") in selectors.MEMBER_UNIT_STATES else "active"
    query = (request.GET.get("q") or "").strip()[:50]
    units = selectors.member_units(state=state, query=query)
    template = "coordination/organisation/member_unit_list.html"
    return render_page_of(request, template, units, PER_PAGE, state=state, q=query, states=STATE_LABELS.items())


def _member_unit_page(request, form, context, service, success, fields=None):
    """The member unit form: posted and valid, saved through `service`, then back to the list."""
    template = "coordination/organisation/member_unit_form.html"
    return form_page(request, form, template, context, service, fields, success=success, then="member-unit-list")


@login_required
def member_unit_create(request):
    perms.check_manage_organisation(request.user)
    form = MemberUnitForm(request.POST or None, creating=True)
    success = partial(_named, _("已新增成员单位“%(name)s”。"))
    return _member_unit_page(request, form, {"unit": None}, services.member_unit_create, success)


@login_required
def member_unit_edit(request, pk: int):
    unit = perms.get_member_unit_for_user(request.user, pk, perms.MANAGE_ORGANISATION)
    form = MemberUnitForm(request.POST or None, instance=unit)
    context, fields = partial(_member_unit_context, unit), partial(_member_unit_fields, unit)
    return _member_unit_page(request, form, context, services.member_unit_update, _("成员单位信息已保存。"), fields)


def _member_unit_context(unit) -> dict:
    return {
        "unit": unit,
        "history": selectors.member_unit_history(unit),
        "liaisons": selectors.member_unit_liaisons(unit),
    }


def _member_unit_fields(unit, form) -> dict:
    """What member_unit_update takes from the form: an order left empty keeps the unit's place."""
    data = dict(form.cleaned_data)
    if data.get("order") is None:
        data["order"] = unit.order
    return {"member_unit": unit, **data}


def _named(message: str, unit) -> str:
    return message % {"name": unit.name}


def _set_active(request, pk: int, service, done: str):
    unit = perms.get_member_unit_for_user(request.user, pk, perms.MANAGE_ORGANISATION)
    try:
        service(actor=request.user, member_unit=unit, note=(request.POST.get("note") or "")[:200])
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _named(done, unit))
    return redirect("member-unit-list")


@login_required
@require_POST
def member_unit_retire(request, pk: int):
    return _set_active(
        request, pk, services.member_unit_retire, _("已停用成员单位“%(name)s”：新建会议、政策和联络员时不再列出。")
    )


@login_required
@require_POST
def member_unit_reactivate(request, pk: int):
    return _set_active(request, pk, services.member_unit_reactivate, _("已恢复成员单位“%(name)s”。"))


# --- Org units (R-1.1) --------------------------------------------------------------------------------


@login_required
def org_unit_list(request):
    perms.check_manage_organisation(request.user)
    top, districts = selectors.org_unit_tree()
    return render(request, "coordination/organisation/org_unit_list.html", {"top": top, "districts": districts})


@login_required
def org_unit_rename(request, pk: int):
    unit = perms.get_org_unit_to_rename(request.user, pk)
    form = OrgUnitRenameForm(request.POST or None, unit=unit)
    template, context = "coordination/organisation/org_unit_rename.html", partial(_rename_context, unit)
    success, then = partial(_renamed, unit.name, form), "org-unit-list"
    return form_page(
        request, form, template, context, services.org_unit_rename, {"unit": unit}, success=success, then=then
    )


def _rename_context(unit) -> dict:
    return {"unit": unit, "renames": selectors.org_unit_renames(unit)}


def _renamed(old_name: str, form, _unit) -> str:
    return _("“%(old)s”已更名为“%(new)s”。") % {"old": old_name, "new": form.cleaned_data["name"]}


# --- Routing of work to the working groups (R-1.5) -------------------------------------------------------


@login_required
def routing(request):
    """The administrators route each kind of work to a working group; the members' permissions follow."""
    perms.check_manage_organisation(request.user)
    routes = services.submission_routes()
    form = RoutingForm(request.POST or None, routes=routes)
    if request.method == "POST" and form.is_valid():
        moved = services.submission_routes_update(
            actor=request.user, working_groups=form.working_groups(), reason=form.cleaned_data["reason"]
        )
        if moved:
            messages.success(
                request,
                _("事项分工已调整：%(changes)s。相关工作组成员的权限已随之调整。")
                % {"changes": "；".join(f"{c.get_kind_display()} → {c.to_group.name}" for c in moved)},
            )
        else:
            messages.info(request, _("事项分工没有变化。"))
        return redirect("routing")
    return render(
        request,
        "coordination/organisation/routing.html",
        {
            "form": form,
            "rows": list(zip(selectors.routing_table(routes), form.kinds(), strict=True)),
            "history": selectors.routing_history(),
        },
    )
