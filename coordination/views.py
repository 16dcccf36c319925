"""Pages of the coordination app: meetings and their decisions, action items, plans for review, the
cadence matrix, the organisation and support policies. Each view checks access through a permission
door, then calls one selector or service and renders."""

import itertools
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from . import exports, selectors, services
from . import permissions as perms
from .agenda import agenda_suggestions
from .forms import (
    ActionItemFilterForm,
    ActionItemForm,
    AttachmentForm,
    CadenceYearForm,
    DecisionForm,
    MeetingFilterForm,
    MeetingForm,
    PlanContentForm,
    PlanFilterForm,
    PlanReviewForm,
    PolicyForm,
    ProgressForm,
    ReasonForm,
    add_service_errors,
    sub_item_formset,
)
from .models import (
    ActionItemEvent,
    Decision,
    MeetingAttachment,
    MeetingKind,
    MemberUnit,
    OrgUnit,
    PlanAttachment,
    PlanKind,
    PlanStatus,
    SubmissionKind,
)
from .models.meetings import DISTRICT_KINDS

PER_PAGE = 20


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _units_tree(units) -> list[OrgUnit]:
    """Districts each followed by their towns (the order of the selects and checkbox grids)."""
    units = list(units.select_related("parent").order_by("level", "order", "code"))
    districts = [u for u in units if u.level == OrgUnit.Level.DISTRICT]
    towns: dict[int, list[OrgUnit]] = {}
    for unit in units:
        if unit.level == OrgUnit.Level.TOWN:
            towns.setdefault(unit.parent_id, []).append(unit)
    ordered = []
    for district in districts:
        ordered += [district, *towns.pop(district.pk, [])]
    return ordered + [t for group in towns.values() for t in group]


def _visible_units(user):
    return perms.org_units_for_user(user).exclude(level=OrgUnit.Level.MUNICIPAL)


def _host_choices(user):
    return (
        perms.org_units_for_user(user, perms.MANAGE_MEETINGS)
        .exclude(level=OrgUnit.Level.TOWN)
        .order_by("level", "order", "code")
    )


def _run(request, service, success: str, **kwargs) -> bool:
    """Call a state-changing service; its refusal becomes an error message in the user's language."""
    try:
        service(actor=request.user, **kwargs)
    except ConflictError as error:
        messages.error(request, error.message)
        return False
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return False
    messages.success(request, success)
    return True


def _download(file_field, name: str) -> FileResponse:
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=name or file_field.name.rsplit("/", 1)[-1])


# --- Meetings -------------------------------------------------------------------------------------


@login_required
def meeting_list(request):
    form = MeetingFilterForm(
        request.GET or None,
        hosts=perms.org_units_for_user(request.user)
        .exclude(level=OrgUnit.Level.TOWN)
        .order_by("level", "order", "code"),
    )
    form.is_valid()  # invalid fields show their error; the valid ones still filter
    filters = getattr(form, "cleaned_data", {})
    meetings = selectors.meeting_list(
        request.user,
        kind=filters.get("kind") or None,
        org_unit_id=filters["org_unit"].pk if filters.get("org_unit") else None,
        state=filters.get("state") or None,
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(meetings, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "coordination/meeting_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "can_create": _host_choices(request.user).exists(),
            "today": dates.today(),
        },
    )


def _meeting_form(request, *, data=None, initial=None, meeting=None):
    units = _visible_units(request.user)
    return MeetingForm(
        data,
        files=None,
        initial=initial,
        hosts=_host_choices(request.user),
        units=OrgUnit.objects.filter(pk__in=[u.pk for u in _units_tree(units)]).order_by("level", "order", "code"),
        member_units=selectors.member_units_offered(
            keep=meeting.attendee_member_units.values("pk") if meeting is not None else ()
        ),
        creating=meeting is None,
    )


def _initial_from_post(form: MeetingForm, data) -> dict:
    """Re-show what was typed (for the agenda suggestions) without validating it."""
    initial = {}
    for name, field in form.fields.items():
        initial[name] = (
            data.getlist(name)
            if hasattr(field, "queryset") and field.widget.allow_multiple_selected
            else data.get(name)
        )
    initial["held"] = bool(data.get("held"))
    return initial


def _with_suggestions(request, form: MeetingForm, initial: dict, host: OrgUnit | None, kind: str | None):
    if host is None or host.level != OrgUnit.Level.DISTRICT or kind not in DISTRICT_KINDS:
        messages.info(request, _("议程建议只适用于区例会和区现场推动会，请先选择区和会议类别。"))
        return initial
    lines = agenda_suggestions(host, dates.today())
    if not lines:
        messages.info(request, _("本区暂无迟报、退回的月报或未办结的督办事项。"))
        return initial
    existing = (initial.get("agenda") or "").strip()
    initial["agenda"] = "\n".join([existing, *lines] if existing else lines)
    messages.success(request, _("已将 %(n)s 项待议事项加入议程，请核对后保存。") % {"n": len(lines)})
    return initial


def _host(hosts, raw: str | None) -> OrgUnit | None:
    """The host a query or form names (`?org_unit=`), among those the user may host for; none for anything else."""
    return hosts.filter(pk=int(raw)).first() if (raw or "").isdigit() else None


@login_required
def meeting_create(request):
    hosts = _host_choices(request.user)
    if not hosts.exists():
        raise PermissionDenied
    if request.method == "POST" and "suggest" in request.POST:
        form = _meeting_form(request)
        initial = _initial_from_post(form, request.POST)
        host = _host(hosts, request.POST.get("org_unit"))
        initial = _with_suggestions(request, form, initial, host, request.POST.get("kind"))
        form = _meeting_form(request, initial=initial)
        return render(request, "coordination/meeting_form.html", {"form": form, "meeting": None})
    initial = {"held_on": dates.today(), "kind": request.GET.get("kind") or MeetingKind.DISTRICT_REGULAR}
    default_host = _host(hosts, request.GET.get("org_unit")) or hosts.first()
    initial["org_unit"] = default_host.pk if default_host else None
    form = _meeting_form(request, data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                actor=request.user,
                org_unit=form.cleaned_data["org_unit"],
                held=form.cleaned_data["held"],
                attendee_units=form.cleaned_data["attendee_units"],
                attendee_member_units=form.cleaned_data["attendee_member_units"],
                decisions=form.decision_lines(),
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("会议已登记。"))
            return redirect("meeting-detail", pk=meeting.pk)
    return render(request, "coordination/meeting_form.html", {"form": form, "meeting": None})


@login_required
def meeting_edit(request, pk: int):
    meeting = perms.get_meeting_for_user(request.user, pk, perms.MANAGE_MEETINGS)
    if meeting.minutes_locked:
        messages.warning(request, _("会议纪要已审定，不能再修改。"))
        return redirect("meeting-detail", pk=meeting.pk)
    if request.method == "POST" and "suggest" in request.POST:
        form = _meeting_form(request, meeting=meeting)
        initial = _with_suggestions(
            request, form, _initial_from_post(form, request.POST), meeting.org_unit, request.POST.get("kind")
        )
        form = _meeting_form(request, initial=initial, meeting=meeting)
        return render(request, "coordination/meeting_form.html", {"form": form, "meeting": meeting})
    initial = {
        name: getattr(meeting, name)
        for name in ("kind", "title", "held_on", "place", "convener", "attendees", "agenda", "minutes")
    }
    initial["attendee_units"] = list(meeting.attendee_units.values_list("pk", flat=True))
    initial["attendee_member_units"] = list(meeting.attendee_member_units.values_list("pk", flat=True))
    form = _meeting_form(request, data=request.POST or None, initial=initial, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(
                actor=request.user,
                meeting=meeting,
                attendee_units=form.cleaned_data["attendee_units"],
                attendee_member_units=form.cleaned_data["attendee_member_units"],
                **form.service_fields(),
            )
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("meeting-detail", pk=meeting.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("会议信息已保存。"))
            return redirect("meeting-detail", pk=meeting.pk)
    return render(request, "coordination/meeting_form.html", {"form": form, "meeting": meeting})


def _responsible_choices(meeting, user):
    """Units `user` may assign the meeting's decisions to, as the service's rule has them: a district's or a
    town's own district and its towns; for the municipality every district and town, plus the member units."""
    units, member_units_allowed = services.action_item_assignable(meeting=meeting, actor=user)
    return _units_tree(units), (list(selectors.member_units_offered()) if member_units_allowed else [])


@login_required
def meeting_detail(request, pk: int):
    meeting = perms.get_meeting_for_user(request.user, pk)
    can_manage = perms.user_has_unit_perm(request.user, meeting.org_unit_id, perms.MANAGE_MEETINGS)
    units, member_units = _responsible_choices(meeting, request.user) if can_manage else ([], [])
    attendee_units, attendee_member_units = selectors.meeting_attendee_units(meeting)
    return render(
        request,
        "coordination/meeting_detail.html",
        {
            "meeting": meeting,
            "decisions": selectors.meeting_decisions(meeting),
            "events": selectors.meeting_events(meeting),
            "attachments": list(meeting.attachments.all()),
            "attendee_units": attendee_units,
            "attendee_member_units": attendee_member_units,
            "can_manage": can_manage,
            "can_approve": perms.user_has_unit_perm(request.user, meeting.org_unit_id, perms.APPROVE_MINUTES),
            "decision_form": DecisionForm(),
            "item_form": ActionItemForm(units=units, member_units=member_units) if can_manage else None,
            "attachment_form": AttachmentForm(),
            "today": dates.today(),
        },
    )


@login_required
@require_POST
def meeting_hold(request, pk: int):
    meeting = perms.get_meeting_for_user(request.user, pk, perms.MANAGE_MEETINGS)
    _run(request, services.meeting_record_held, _("已登记会议召开，请录入纪要和决定事项。"), meeting=meeting)
    return redirect("meeting-detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_approve_minutes(request, pk: int):
    meeting = perms.get_meeting_for_user(request.user, pk, perms.APPROVE_MINUTES)
    _run(request, services.meeting_approve_minutes, _("会议纪要已审定。"), meeting=meeting)
    return redirect("meeting-detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_delete(request, pk: int):
    meeting = perms.get_meeting_for_user(request.user, pk, perms.MANAGE_MEETINGS)
    if _run(request, services.meeting_delete, _("会议已取消。"), meeting=meeting):
        return redirect("meeting-list")
    return redirect("meeting-detail", pk=meeting.pk)


@login_required
@require_POST
def decision_add(request, pk: int):
    meeting = perms.get_meeting_for_user(request.user, pk, perms.MANAGE_MEETINGS)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    else:
        _run(request, services.decision_add, _("决定事项已添加。"), meeting=meeting, text=form.cleaned_data["text"])
    return redirect(f"{meeting_url(meeting)}#decisions")


@login_required
@require_POST
def decision_delete(request, pk: int, decision_pk: int):
    meeting = perms.get_meeting_for_user(request.user, pk, perms.MANAGE_MEETINGS)
    decision = get_object_or_404(Decision, pk=decision_pk, meeting=meeting)
    _run(request, services.decision_delete, _("决定事项已删除。"), decision=decision)
    return redirect(f"{meeting_url(meeting)}#decisions")


def meeting_url(meeting) -> str:
    return reverse("meeting-detail", args=[meeting.pk])


@login_required
def action_item_create(request, pk: int, decision_pk: int):
    """GET: the form on its own page (also the no-JavaScript path); POST: assign the decision."""
    meeting = perms.get_meeting_for_user(request.user, pk, perms.MANAGE_MEETINGS)
    decision = get_object_or_404(Decision, pk=decision_pk, meeting=meeting)
    units, member_units = _responsible_choices(meeting, request.user)
    form = ActionItemForm(request.POST or None, units=units, member_units=member_units)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.action_item_create(actor=request.user, decision=decision, **form.service_fields())
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("meeting-detail", pk=meeting.pk)
        except ValidationError as error:
            add_service_errors(
                form, error, aliases={"responsible_unit": "responsible", "responsible_member_unit": "responsible"}
            )
        else:
            messages.success(
                request, _("已交办督办事项，责任单位“%(unit)s”将收到通知。") % {"unit": item.responsible_name}
            )
            return redirect(f"{meeting_url(meeting)}#decision-{decision.pk}")
    return render(
        request, "coordination/action_item_form.html", {"meeting": meeting, "decision": decision, "form": form}
    )


@login_required
@require_POST
def meeting_attach(request, pk: int):
    meeting = perms.get_meeting_for_user(request.user, pk, perms.MANAGE_MEETINGS)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    else:
        upload = form.cleaned_data["file"]
        _run(request, services.meeting_attach, _("附件已上传。"), meeting=meeting, file=upload, name=upload.name)
    return redirect(f"{meeting_url(meeting)}#attachments")


@login_required
def meeting_attachment(request, pk: int, attachment_pk: int):
    meeting = perms.get_meeting_for_user(request.user, pk)
    attachment = get_object_or_404(MeetingAttachment, pk=attachment_pk, meeting=meeting)
    return _download(attachment.file, attachment.name)


@login_required
def meeting_minutes_docx(request, pk: int):
    meeting = perms.get_meeting_for_user(request.user, pk)
    units, member_units = selectors.meeting_attendee_units(meeting)
    content = exports.minutes_docx(
        meeting,
        decisions=selectors.meeting_decisions(meeting),
        attendee_units=units,
        attendee_member_units=member_units,
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=exports.minutes_filename(meeting)
    )
    return response


# --- Action items ---------------------------------------------------------------------------------


@login_required
def action_item_list(request):
    units = _units_tree(_visible_units(request.user))
    form = ActionItemFilterForm(request.GET or None, units=units, member_units=MemberUnit.objects.order_by("order"))
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    today = dates.today()
    unit = filters.get("unit")
    unit_key = (f"u{unit.pk}" if isinstance(unit, OrgUnit) else f"m{unit.pk}") if unit is not None else None
    items = selectors.action_item_list(
        request.user,
        status=filters.get("status") or None,
        unit=unit_key,
        overdue=bool(filters.get("overdue")),
        today=today,
    )
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    summary = selectors.action_item_summary_by_unit(request.user, today)
    return render(
        request,
        "coordination/action_item_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "summary": summary,
            "overdue_total": sum(s.overdue for s in summary),
            "open_total": sum(s.open for s in summary),
            "done_total": sum(s.done for s in summary),
            "unit_key": unit_key,
            "today": today,
        },
    )


@login_required
def action_item_detail(request, pk: int):
    item = perms.get_action_item_for_user(request.user, pk)
    can_handle = perms.can_on_action_item(request.user, item, perms.HANDLE_ACTION_ITEMS)
    can_verify = perms.can_on_action_item(request.user, item, perms.VERIFY_ACTION_ITEMS)
    return render(
        request,
        "coordination/action_item_detail.html",
        {
            "item": item,
            "events": selectors.action_item_events(item),
            "can_handle": can_handle and item.is_open,
            "can_verify": can_verify and item.status == "done",
            "progress_form": ProgressForm(),
            "reason_form": ReasonForm(),
            "today": dates.today(),
        },
    )


@login_required
def action_item_progress(request, pk: int):
    item = perms.get_action_item_for_user(request.user, pk, perms.HANDLE_ACTION_ITEMS)
    form = ProgressForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        done = form.cleaned_data["done"]
        try:
            services.action_item_report_progress(
                actor=request.user,
                item=item,
                note=form.cleaned_data["note"],
                done=done,
                resolution=form.cleaned_data["resolution"],
                evidence=form.cleaned_data["evidence"],
            )
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("action-item-detail", pk=item.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已报告办结，等待市特镇办核验。") if done else _("进展已报告。"))
            return redirect("action-item-detail", pk=item.pk)
    return render(
        request,
        "coordination/action_item_detail.html",
        {
            "item": item,
            "events": selectors.action_item_events(item),
            "can_handle": item.is_open,
            "can_verify": False,
            "progress_form": form,
            "reason_form": ReasonForm(),
            "today": dates.today(),
        },
    )


@login_required
@require_POST
def action_item_verify(request, pk: int):
    item = perms.get_action_item_for_user(request.user, pk, perms.VERIFY_ACTION_ITEMS)
    _run(
        request, services.action_item_verify, _("已核验，督办事项办结。"), item=item, note=request.POST.get("note", "")
    )
    return redirect("action-item-detail", pk=item.pk)


@login_required
@require_POST
def action_item_reject(request, pk: int):
    item = perms.get_action_item_for_user(request.user, pk, perms.VERIFY_ACTION_ITEMS)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写退回原因。"))
    else:
        _run(
            request,
            services.action_item_reject,
            _("已退回，责任单位将继续办理。"),
            item=item,
            reason=form.cleaned_data["reason"],
        )
    return redirect("action-item-detail", pk=item.pk)


@login_required
def action_item_evidence(request, pk: int, event_pk: int):
    item = perms.get_action_item_for_user(request.user, pk)
    event = get_object_or_404(ActionItemEvent, pk=event_pk, item=item)
    if not event.evidence:
        raise Http404
    return _download(event.evidence, event.evidence_name)


# --- Plans ----------------------------------------------------------------------------------------


def _plan_units(user, perm: str):
    return perms.org_units_for_user(user, perm).exclude(level=OrgUnit.Level.MUNICIPAL)


@login_required
def plan_list(request):
    form = PlanFilterForm(
        request.GET or None,
        units=perms.org_units_for_user(request.user).filter(level=OrgUnit.Level.DISTRICT).order_by("order", "code"),
    )
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    plans = selectors.plan_list(
        request.user,
        kind=filters.get("kind") or None,
        status=filters.get("status") or None,
        org_unit_id=filters["org_unit"].pk if filters.get("org_unit") else None,
    )
    page = Paginator(plans, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "coordination/plan_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "can_submit": _plan_units(request.user, perms.SUBMIT_PLANS).exists(),
        },
    )


def _sub_items(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data]


@login_required
def plan_create(request):
    units = _plan_units(request.user, perms.SUBMIT_PLANS)
    if not units.exists():
        raise PermissionDenied
    unit_choices = OrgUnit.objects.filter(pk__in=[u.pk for u in _units_tree(units)]).order_by("level", "order", "code")
    form = PlanContentForm(
        request.POST or None,
        request.FILES or None,
        units=unit_choices,
        initial={"kind": request.GET.get("kind") or PlanKind.DEVELOPMENT},
    )
    formset = sub_item_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            plan = services.plan_submit(
                actor=request.user,
                org_unit=form.cleaned_data["org_unit"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                content=form.content(),
                sub_items=_sub_items(formset),
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            _sub_item_errors(formset, error)
        else:
            messages.success(request, _("方案已报审，等待规划编制组审查。"))
            return redirect("plan-detail", pk=plan.pk)
    return render(request, "coordination/plan_form.html", {"form": form, "formset": formset, "plan": None})


def _sub_item_errors(formset, error: ValidationError) -> None:
    if hasattr(error, "error_dict") and "sub_items" in error.message_dict:
        formset.sub_item_errors = error.message_dict["sub_items"]


@login_required
def plan_detail(request, pk: int):
    plan = perms.get_plan_for_user(request.user, pk)
    versions = selectors.plan_versions(plan)
    try:
        shown_number = int(request.GET.get("v", plan.current_version))
    except ValueError:
        shown_number = plan.current_version
    shown = next((v for v in versions if v.number == shown_number), versions[0] if versions else None)
    previous = next((v for v in versions if shown and v.number == shown.number - 1), None)
    return render(
        request,
        "coordination/plan_detail.html",
        {
            "plan": plan,
            "versions": versions,
            "shown": shown,
            "previous": previous,
            "changed": _changed_fields(previous, shown) if previous and shown else set(),
            "can_review": plan.status == PlanStatus.SUBMITTED
            and perms.user_has_unit_perm(request.user, plan.org_unit_id, perms.REVIEW_PLANS),
            "can_resubmit": plan.status == PlanStatus.RETURNED
            and perms.user_has_unit_perm(request.user, plan.org_unit_id, perms.SUBMIT_PLANS),
            "review_form": PlanReviewForm(),
        },
    )


def _changed_fields(previous, current) -> set[str]:
    names = ("scope", "sites", "positioning", "layout", "path")
    changed = {name for name in names if getattr(previous, name) != getattr(current, name)}
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
    current = plan.versions.prefetch_related("sub_items").get(number=plan.current_version)
    initial = {name: getattr(current, name) for name in ("scope", "sites", "positioning", "layout", "path")}
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
        try:
            services.plan_resubmit(
                actor=request.user,
                plan=plan,
                content=form.content(),
                sub_items=_sub_items(formset),
                attachments=form.cleaned_data["attachments"],
            )
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("plan-detail", pk=plan.pk)
        except ValidationError as error:
            add_service_errors(form, error)
            _sub_item_errors(formset, error)
        else:
            messages.success(request, _("已重新报审（第%(n)s版）。") % {"n": plan.current_version + 1})
            return redirect("plan-detail", pk=plan.pk)
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
        _run(request, services.plan_return, _("方案已退回，报审单位将看到审查意见。"), plan=plan, comments=comments)
    else:
        _run(request, services.plan_approve, _("方案审查通过。"), plan=plan, comments=comments)
    return redirect("plan-detail", pk=plan.pk)


@login_required
def plan_attachment(request, pk: int, attachment_pk: int):
    plan = perms.get_plan_for_user(request.user, pk)
    attachment = get_object_or_404(PlanAttachment, pk=attachment_pk, version__plan=plan)
    return _download(attachment.file, attachment.name)


# --- Cadence matrix (R-2.4) -----------------------------------------------------------------------


@login_required
def cadence(request):
    this_year = dates.today().year
    years = list(range(this_year, this_year - 5, -1))
    form = CadenceYearForm(request.GET or {"year": this_year}, years=years)
    year = form.cleaned_data["year"] if form.is_valid() else this_year
    unit_ids = list(
        perms.org_units_for_user(request.user)
        .filter(level__in=[OrgUnit.Level.MUNICIPAL, OrgUnit.Level.DISTRICT])
        .values_list("pk", flat=True)
    )
    cells = selectors.cadence_matrix(year, unit_ids=unit_ids)
    tables = []
    for _rule_id, rule_cells in itertools.groupby(cells, key=lambda c: c.rule.pk):
        rule_cells = list(rule_cells)
        rows = [
            {"unit": unit_cells[0].org_unit, "cells": unit_cells}
            for unit_cells in (list(g) for _unit, g in itertools.groupby(rule_cells, key=lambda c: c.org_unit.pk))
        ]
        rule = rule_cells[0].rule
        kind = selectors.cadence.activity_kind(rule.kind)
        tables.append(
            {
                "rule": rule,
                "label": kind.label if kind else rule.kind,
                "periods": [c.period_label for c in rows[0]["cells"]],
                "rows": rows,
                "states": Counter(c.state for c in rule_cells),
            }
        )
    return render(
        request,
        "coordination/cadence.html",
        {"form": form, "year": year, "tables": tables, "states": Counter(c.state for c in cells)},
    )


# --- Organisation and support policies (R-1.3 –) -------------------------------------


@login_required
def organisation(request):
    routes = services.submission_routes()
    groups = selectors.working_groups_with_members()
    by_code = {g.code: g for g in groups}
    return render(
        request,
        "coordination/organisation.html",
        {
            "conferences": selectors.conferences(),
            "member_units": selectors.member_units_with_liaisons(),
            "groups": groups,
            "routes": [(SubmissionKind(kind).label, by_code.get(code)) for kind, code in routes.items()],
            "registry": selectors.information_officer_registry(),
        },
    )


@login_required
def policy_list(request):
    try:
        member_unit_id = int(request.GET.get("member_unit") or 0) or None
    except ValueError:
        member_unit_id = None
    query = (request.GET.get("q") or "").strip()[:100]
    policies = selectors.policy_list(member_unit_id=member_unit_id, query=query)
    page = Paginator(policies, PER_PAGE).get_page(request.GET.get("page"))
    editable = perms.policy_member_units_for_user(request.user)
    return render(
        request,
        "coordination/policy_list.html",
        {
            "page": page,
            "query": _query_without_page(request),
            "q": query,
            "member_units": MemberUnit.objects.order_by("order"),
            "member_unit_id": member_unit_id,
            "editable_ids": set(editable.values_list("pk", flat=True)),
            "can_create": editable.exists(),
        },
    )


@login_required
def policy_create(request):
    member_units = perms.policy_member_units_for_user(request.user).filter(active=True)
    if not member_units.exists():
        raise PermissionDenied
    form = PolicyForm(request.POST or None, request.FILES or None, member_units=member_units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.policy_create(
                actor=request.user,
                member_unit=data["member_unit"],
                title=data["title"],
                issued_on=data["issued_on"],
                document_number=data["document_number"],
                summary=data["summary"],
                file=data["file"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("支持政策已录入。"))
            return redirect("policy-list")
    return render(request, "coordination/policy_form.html", {"form": form, "policy": None})


@login_required
def policy_edit(request, pk: int):
    policy = perms.get_policy_for_user(request.user, pk, perms.MANAGE_POLICIES)
    initial = {name: getattr(policy, name) for name in services.POLICY_FIELDS}
    form = PolicyForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        member_units=MemberUnit.objects.none(),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.policy_update(
                actor=request.user,
                policy=policy,
                file=data["file"],
                **{name: data[name] for name in services.POLICY_FIELDS},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("支持政策已保存。"))
            return redirect("policy-list")
    return render(request, "coordination/policy_form.html", {"form": form, "policy": policy})


@login_required
def policy_file(request, pk: int):
    policy = perms.get_policy_for_user(request.user, pk)
    if not policy.file:
        raise Http404
    return _download(policy.file, policy.file.name.rsplit("/", 1)[-1])
