"""Pages of plans submitted for review (报审, R-1.6): the list, submitting one, its page with every version
and what changed since the one before, resubmitting a returned plan, the review and the attachments, and
the opinions of member units asked for and given on a version under review (会签, issue 18).
Each view passes one door of coordination.permissions, then calls one selector or service."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tianjin_towns.lib import dates
from tianjin_towns.lib.pages import filter_arguments, render_list_page, run_step, save_form

from . import permissions as perms
from . import selectors, services
from .forms import PlanContentForm, PlanFilterForm, PlanReviewForm, sub_item_formset
from .models import PlanKind, PlanStatus
from .pages import PER_PAGE, download
from .plan_forms import PlanApprovalForm, PlanOpinionForm, PlanOpinionRequestForm
from .search_selectors import normalized_keyword

PLAN_CONTENT_FIELDS = ("scope", "sites", "positioning", "layout", "path")
OPINION_DAYS = 7  # the due date the request form proposes: a week from today


def _plan_url(plan) -> str:
    return reverse("plan-detail", args=[plan.pk])


@login_required
def plan_list(request):
    form = PlanFilterForm(request.GET or None, units=perms.districts_for_user(request.user))
    keyword = normalized_keyword(request.GET.get("q"))
    plans = selectors.plan_list(request.user, keyword=keyword, **filter_arguments(form))
    can_submit = perms.can_submit_plans(request.user)
    template = "coordination/plan_list.html"
    return render_list_page(request, template, form, plans, PER_PAGE, can_submit=can_submit, q=keyword)


def _sub_items(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data]


def _sub_item_errors(formset, error: ValidationError) -> None:
    if hasattr(error, "error_dict") and "sub_items" in error.message_dict:
        formset.sub_item_errors = error.message_dict["sub_items"]


@login_required
def plan_create(request):
    perms.check_submit_plans(request.user)
    form = PlanContentForm(
        request.POST or None,
        request.FILES or None,
        units=perms.districts_and_towns_for_user(request.user, perms.SUBMIT_PLANS),
        initial={"kind": request.GET.get("kind") or PlanKind.DEVELOPMENT},
    )
    formset = sub_item_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        fields = {
            **{name: form.cleaned_data[name] for name in ("org_unit", "kind", "title", "attachments")},
            "content": form.content(),
            "sub_items": _sub_items(formset),
        }
        response = save_form(
            request,
            form,
            services.plan_submit,
            fields,
            success=_("方案已报审，等待规划编制组审查。"),
            then=_plan_url,
            invalid=lambda error: _sub_item_errors(formset, error),
        )
        if response is not None:
            return response
    return render(request, "coordination/plan_form.html", {"form": form, "formset": formset, "plan": None})


@login_required
def plan_detail(request, pk: int):
    return _plan_page(request, perms.get_plan_for_user(request.user, pk))


def _plan_page(request, plan, *, request_form=None, opinion_form=None):
    """The plan's page: the version asked for (`?v=`, else the current one) with its opinions, and the forms
    of whoever acts on the plan (bound ones given when a POST to them came back with errors)."""
    versions = selectors.plan_versions(plan)
    try:
        shown_number = int(request.GET.get("v", plan.current_version))
    except ValueError:
        shown_number = plan.current_version
    shown = next((v for v in versions if v.number == shown_number), versions[0] if versions else None)
    previous = next((v for v in versions if shown and v.number == shown.number - 1), None)
    opinions = selectors.plan_opinions(plan)
    for version in versions:  # the history lists the opinions given on each version
        given = [o for o in opinions if o.version_id == version.pk and o.is_given]
        version.given_opinions = sorted(given, key=lambda o: o.given_at)
    under_review = plan.status == PlanStatus.SUBMITTED
    missing = [o for o in opinions if under_review and o.version.number == plan.current_version and not o.is_given]
    can_review = under_review and perms.can_on_plan(request.user, plan, perms.REVIEW_PLANS)
    if can_review and request_form is None:
        due_on = dates.today() + datetime.timedelta(days=OPINION_DAYS)
        request_form = PlanOpinionRequestForm(member_units=_units_to_ask(plan, opinions), initial={"due_on": due_on})
    own = next((o for o in missing if perms.can_give_plan_opinion(request.user, o)), None)
    return render(
        request,
        "coordination/plan_detail.html",
        {
            "plan": plan,
            "versions": versions,
            "shown": shown,
            "previous": previous,
            "changed": _changed_fields(previous, shown) if previous and shown else set(),
            "can_review": can_review,
            "can_resubmit": plan.status == PlanStatus.RETURNED
            and perms.can_on_plan(request.user, plan, perms.SUBMIT_PLANS),
            "review_form": PlanReviewForm(),
            "opinions": [o for o in opinions if shown and o.version_id == shown.pk],
            "missing_opinions": missing,
            "request_form": request_form if can_review else None,
            "own_opinion": own,
            "opinion_form": (opinion_form or PlanOpinionForm()) if own else None,
            "today": dates.today(),
        },
    )


def _units_to_ask(plan, opinions=None):
    """The member units the group may still ask about the current version: the active ones not asked yet."""
    opinions = selectors.plan_opinions(plan) if opinions is None else opinions
    asked = [o.member_unit_id for o in opinions if o.version.number == plan.current_version]
    return selectors.member_units_offered().exclude(pk__in=asked)


def _changed_fields(previous, current) -> set[str]:
    changed = {name for name in PLAN_CONTENT_FIELDS if getattr(previous, name) != getattr(current, name)}
    old = [(s.name, s.content, s.responsible_unit) for s in previous.sub_items.all()]
    new = [(s.name, s.content, s.responsible_unit) for s in current.sub_items.all()]
    if old != new:
        changed.add("sub_items")
    return changed


@login_required
def plan_resubmit(request, pk: int):
    plan = perms.get_plan_for_user(request.user, pk, perms.SUBMIT_PLANS)
    if plan.status != PlanStatus.RETURNED:
        messages.warning(request, _("只有退回修改的方案可以重新报审。"))
        return redirect("plan-detail", pk=plan.pk)
    current = selectors.plan_current_version(plan)
    initial = {name: getattr(current, name) for name in PLAN_CONTENT_FIELDS}
    form = PlanContentForm(request.POST or None, request.FILES or None, initial=initial, resubmitting=True)
    formset = sub_item_formset(
        request.POST or None,
        initial=[
            {"name": s.name, "content": s.content, "responsible_unit": s.responsible_unit}
            for s in current.sub_items.all()
        ],
        spare=1,
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        fields = {
            "plan": plan,
            "content": form.content(),
            "sub_items": _sub_items(formset),
            "attachments": form.cleaned_data["attachments"],
        }
        response = save_form(
            request,
            form,
            services.plan_resubmit,
            fields,
            success=_("已重新报审（第%(n)s版）。") % {"n": plan.current_version + 1},
            then=_plan_url(plan),
            conflict=_plan_url(plan),
            invalid=lambda error: _sub_item_errors(formset, error),
        )
        if response is not None:
            return response
    return render(
        request,
        "coordination/plan_form.html",
        {"form": form, "formset": formset, "plan": plan, "returned": current},
    )


@login_required
@require_POST
def plan_review(request, pk: int):
    plan = perms.get_plan_for_user(request.user, pk, perms.REVIEW_PLANS)
    form = PlanReviewForm(request.POST)
    form.is_valid()
    comments = form.cleaned_data.get("comments", "")
    if request.POST.get("decision") == "return":
        run_step(request, services.plan_return, _("方案已退回，报审单位将看到审查意见。"), plan=plan, comments=comments)
    else:
        approval = PlanApprovalForm(request.POST)
        approval.is_valid()
        reason = approval.cleaned_data.get("override_reason", "")
        run_step(
            request, services.plan_approve, _("方案审查通过。"), plan=plan, comments=comments, override_reason=reason
        )
    return redirect("plan-detail", pk=plan.pk)


@login_required
@require_POST
def plan_opinions_request(request, pk: int):
    plan = perms.get_plan_for_user(request.user, pk, perms.REVIEW_PLANS)
    form = PlanOpinionRequestForm(request.POST, member_units=_units_to_ask(plan))
    if form.is_valid():
        response = save_form(
            request,
            form,
            services.plan_opinions_request,
            {"plan": plan, **form.cleaned_data},
            success=lambda opinions: _("已向%(n)s个成员单位征求意见，其联络员将收到通知。") % {"n": len(opinions)},
            then=_plan_url(plan) + "#opinions",
            conflict=_plan_url(plan),
        )
        if response is not None:
            return response
    return _plan_page(request, plan, request_form=form)


@login_required
@require_POST
def plan_opinion_give(request, pk: int, opinion_pk: int):
    opinion = perms.get_plan_opinion_for_user(request.user, pk, opinion_pk, giving=True)
    plan = opinion.version.plan
    form = PlanOpinionForm(request.POST, request.FILES)
    if form.is_valid():
        response = save_form(
            request,
            form,
            services.plan_opinion_give,
            {"opinion": opinion, **form.service_fields()},
            success=_("意见已反馈，规划编制组将收到通知。"),
            then=_plan_url(plan) + "#opinions",
            conflict=_plan_url(plan),
        )
        if response is not None:
            return response
    return _plan_page(request, perms.get_plan_for_user(request.user, pk), opinion_form=form)


@login_required
def plan_attachment(request, pk: int, attachment_pk: int):
    attachment = perms.get_plan_attachment_for_user(request.user, pk, attachment_pk)
    return download(
        attachment.file, attachment.name, target=f"附件 {attachment.name}（方案 {attachment.version.plan}）"
    )


@login_required
def plan_opinion_file(request, pk: int, opinion_pk: int):
    opinion = perms.get_plan_opinion_file_for_user(request.user, pk, opinion_pk)
    target = f"意见附件 {opinion.file_name}（方案 {opinion.version.plan}）"
    return download(opinion.file, opinion.file_name, target=target)
