"""Pages of action items (督办事项, R-2.2): assigning a meeting's decision, the list with its summary per
unit, an item's page, its progress reported by the responsible unit, verified or sent back by the office.
Each view passes one door of coordination.permissions, then calls one selector or service."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tianjin_towns.lib import dates
from tianjin_towns.lib.pages import form_page, list_filters, posted_step, render_list_page, save_form

from . import action_item_selectors as items_read
from . import permissions as perms
from . import selectors, services
from .forms import ActionItemFilterForm, ActionItemForm, ItemVerifyForm, ProgressForm, ReasonForm
from .models import OrgUnit
from .pages import PER_PAGE, download
from .search_selectors import normalized_keyword


def responsible_choices(meeting, user):
    """Units `user` may assign the meeting's decisions to, as the service's rule has them: a district's or a
    town's own district and its towns; for the municipality every district and town, plus the member units."""
    units, member_units_allowed = services.action_item_assignable(meeting=meeting, actor=user)
    return selectors.org_units_as_tree(units), (list(selectors.member_units_offered()) if member_units_allowed else [])


@login_required
def action_item_create(request, pk: int, decision_pk: int):
    """GET: the form on its own page (also the no-JavaScript path); POST: assign the decision."""
    decision = perms.get_decision_for_user(request.user, decision_pk, perms.MANAGE_MEETINGS, meeting_pk=pk)
    meeting = decision.meeting
    units, member_units = responsible_choices(meeting, request.user)
    form = ActionItemForm(request.POST or None, units=units, member_units=member_units)
    back = reverse("meeting-detail", args=[meeting.pk])
    return form_page(
        request,
        form,
        "coordination/action_item_form.html",
        {"meeting": meeting, "decision": decision},
        services.action_item_create,
        lambda form: {"decision": decision, **form.service_fields()},
        success=lambda item: _("已交办督办事项，责任单位“%(unit)s”将收到通知。") % {"unit": item.responsible_name},
        then=f"{back}#decision-{decision.pk}",
        conflict=back,
        aliases={"responsible_unit": "responsible", "responsible_member_unit": "responsible"},
    )


@login_required
def action_item_list(request):
    units = selectors.org_units_as_tree(perms.districts_and_towns_for_user(request.user))
    form = ActionItemFilterForm(request.GET or None, units=units, member_units=selectors.member_units_in_order())
    filters = list_filters(form)
    today = dates.today()
    unit = filters.get("unit")
    unit_key = (f"u{unit.pk}" if isinstance(unit, OrgUnit) else f"m{unit.pk}") if unit is not None else None
    keyword = normalized_keyword(request.GET.get("q"))
    items = items_read.action_item_list(
        request.user,
        status=filters.get("status") or None,
        unit=unit_key,
        overdue=bool(filters.get("overdue")),
        keyword=keyword,
        today=today,
    )
    summary = items_read.action_item_summary_by_unit(request.user, today)
    return render_list_page(
        request,
        "coordination/action_item_list.html",
        form,
        items,
        PER_PAGE,
        summary=summary,
        overdue_total=sum(s.overdue for s in summary),
        open_total=sum(s.open for s in summary),
        done_total=sum(s.done for s in summary),
        unit_key=unit_key,
        today=today,
        q=keyword,
    )


def _evidence_needed(events) -> bool:
    """Whether the item's report of completion needs a file now: required, and none since it was last sent back."""
    return items_read.evidence_required() and not items_read.evidence_since_rejection(events)


def _item_page(request, item, *, can_handle: bool, can_verify: bool, progress_form=None):
    events = items_read.action_item_events(item)
    needed = _evidence_needed(events)
    return render(
        request,
        "coordination/action_item_detail.html",
        {
            "item": item,
            "events": events,
            "evidence_on_file": items_read.evidence_since_rejection(events),
            "evidence_waiver": items_read.evidence_waiver(events),
            "no_evidence_reason": items_read.no_evidence_reason(events),
            "evidence_needed": needed,
            "can_handle": can_handle,
            "can_verify": can_verify,
            "progress_form": progress_form if progress_form is not None else ProgressForm(evidence_needed=needed),
            "reason_form": ReasonForm(),
            "verify_form": ItemVerifyForm(),
            "today": dates.today(),
        },
    )


@login_required
def action_item_detail(request, pk: int):
    item = perms.get_action_item_for_user(request.user, pk)
    can_handle = perms.can_on_action_item(request.user, item, perms.HANDLE_ACTION_ITEMS)
    can_verify = perms.can_on_action_item(request.user, item, perms.VERIFY_ACTION_ITEMS)
    return _item_page(
        request, item, can_handle=can_handle and item.is_open, can_verify=can_verify and item.status == "done"
    )


@login_required
def action_item_progress(request, pk: int):
    item = perms.get_action_item_for_user(request.user, pk, perms.HANDLE_ACTION_ITEMS)
    needed = _evidence_needed(items_read.action_item_events(item))
    form = ProgressForm(request.POST or None, request.FILES or None, evidence_needed=needed)
    if request.method == "POST" and form.is_valid():
        fields = {
            "item": item,
            **{name: form.cleaned_data[name] for name in ("note", "done", "resolution", "evidence")},
            "no_evidence_reason": form.cleaned_data.get("no_evidence_reason", ""),  # offered while evidence is needed
        }
        back = reverse("action-item-detail", args=[item.pk])
        response = save_form(
            request,
            form,
            services.action_item_report_progress,
            fields,
            success=_("已报告办结，等待市特镇办核验。") if fields["done"] else _("进展已报告。"),
            then=back,
            conflict=back,
        )
        if response is not None:
            return response
    return _item_page(request, item, can_handle=item.is_open, can_verify=False, progress_form=form)


@login_required
@require_POST
def action_item_verify(request, pk: int):
    """Verify a done item; one without evidence (the unit's reason on its page) needs the waiver's reason (the
    service's refusal says so)."""
    item = perms.get_action_item_for_user(request.user, pk, perms.VERIFY_ACTION_ITEMS)
    posted_step(
        request, ItemVerifyForm(request.POST), services.action_item_verify, _("已核验，督办事项办结。"), item=item
    )
    return redirect("action-item-detail", pk=item.pk)


@login_required
@require_POST
def action_item_reject(request, pk: int):
    item = perms.get_action_item_for_user(request.user, pk, perms.VERIFY_ACTION_ITEMS)
    form, success = ReasonForm(request.POST), _("已退回，责任单位将继续办理。")
    posted_step(request, form, services.action_item_reject, success, invalid=_("请填写退回原因。"), item=item)
    return redirect("action-item-detail", pk=item.pk)


@login_required
def action_item_evidence(request, pk: int, event_pk: int):
    event = perms.get_action_item_evidence_for_user(request.user, pk, event_pk)
    return download(
        event.evidence, event.evidence_name, target=f"佐证材料 {event.evidence_name}（督办事项 {event.item.title}）"
    )
