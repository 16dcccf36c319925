"""Pages of meetings and activities (R-2.1, R-4.1): the list, planning or recording one (with agenda
suggestions), its page with decisions and attachments, its state changes and the minutes as a Word file.
Each view passes one door of coordination.permissions, then calls one selector or service."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tianjin_towns.lib import dates, downloads
from tianjin_towns.lib.documents import DOCX
from tianjin_towns.lib.pages import (
    filter_arguments,
    form_errors,
    form_page,
    posted_step,
    render_list_page,
    run_step,
    step_view,
)

from . import exports, selectors, services
from . import permissions as perms
from .action_item_views import responsible_choices
from .agenda import agenda_suggestions
from .document_views import issue_response
from .forms import ActionItemForm, AttachmentForm, DecisionForm, MeetingFilterForm, MeetingForm
from .issued_documents import IssuePanel, issue_panel
from .models import DocumentKind, MeetingKind, OrgUnit
from .models.meetings import DISTRICT_KINDS
from .pages import PER_PAGE, download
from .search_selectors import normalized_keyword


def meeting_url(meeting, anchor: str = "") -> str:
    return reverse("meeting-detail", args=[meeting.pk]) + (f"#{anchor}" if anchor else "")


@login_required
def meeting_list(request):
    form = MeetingFilterForm(request.GET or None, hosts=perms.meeting_hosts_for_user(request.user))
    keyword = normalized_keyword(request.GET.get("q"))
    meetings = selectors.meeting_list(request.user, keyword=keyword, **filter_arguments(form))
    context = {"can_create": perms.can_create_meetings(request.user), "today": dates.today(), "q": keyword}
    return render_list_page(request, "coordination/meeting_list.html", form, meetings, PER_PAGE, **context)


def _meeting_form(request, *, data=None, initial=None, meeting=None):
    return MeetingForm(
        data,
        files=None,
        initial=initial,
        hosts=perms.meeting_hosts_for_user(request.user, perms.MANAGE_MEETINGS),
        units=perms.districts_and_towns_for_user(request.user),
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


def _suggested(request, meeting=None):
    """The form again with the agenda suggestions of the host and kind typed so far (the 「议程建议」 button)."""
    form = _meeting_form(request, meeting=meeting)
    if meeting is not None:
        host = meeting.org_unit
    else:
        host = perms.meeting_host_for_user(request.user, request.POST.get("org_unit"))
    initial = _with_suggestions(request, form, _initial_from_post(form, request.POST), host, request.POST.get("kind"))
    form = _meeting_form(request, initial=initial, meeting=meeting)
    return render(request, "coordination/meeting_form.html", {"form": form, "meeting": meeting})


def _meeting_fields(form, meeting=None) -> dict:
    """What the meeting services take from the valid form; a new meeting (no `meeting`) also its host, whether it
    was held and its decisions."""
    data = form.cleaned_data
    fields = {"attendee_units": data["attendee_units"], "attendee_member_units": data["attendee_member_units"]}
    fields.update(form.service_fields())
    if meeting is not None:
        return {"meeting": meeting, **fields}
    return {"org_unit": data["org_unit"], "held": data["held"], "decisions": form.decision_lines(), **fields}


def _meeting_page(request, form, meeting, service, success: str, **saving):
    """The meeting form (a new meeting when `meeting` is None), saved through `service`."""
    fields = partial(_meeting_fields, meeting=meeting)
    context = {"meeting": meeting}
    return form_page(
        request, form, "coordination/meeting_form.html", context, service, fields, success=success, **saving
    )


@login_required
def meeting_create(request):
    perms.check_create_meetings(request.user)
    if request.method == "POST" and "suggest" in request.POST:
        return _suggested(request)
    initial = {"held_on": dates.today(), "kind": request.GET.get("kind") or MeetingKind.DISTRICT_REGULAR}
    default_host = perms.meeting_host_for_user(request.user, request.GET.get("org_unit"), or_first=True)
    initial["org_unit"] = default_host.pk if default_host else None
    form = _meeting_form(request, data=request.POST or None, initial=initial)
    return _meeting_page(request, form, None, services.meeting_create, _("会议已登记。"), then=meeting_url)


@login_required
def meeting_edit(request, pk: int):
    meeting = perms.get_meeting_for_user(request.user, pk, perms.MANAGE_MEETINGS)
    if meeting.minutes_locked:
        messages.warning(request, _("会议纪要已审定，不能再修改。"))
        return redirect("meeting-detail", pk=meeting.pk)
    if request.method == "POST" and "suggest" in request.POST:
        return _suggested(request, meeting)
    initial = {
        name: getattr(meeting, name)
        for name in ("kind", "title", "held_on", "place", "convener", "attendees", "agenda", "minutes")
    }
    initial["attendee_units"], initial["attendee_member_units"] = selectors.meeting_attendee_ids(meeting)
    form = _meeting_form(request, data=request.POST or None, initial=initial, meeting=meeting)
    back = meeting_url(meeting)
    return _meeting_page(
        request, form, meeting, services.meeting_update, _("会议信息已保存。"), then=back, conflict=back
    )


@login_required
def meeting_detail(request, pk: int):
    meeting = perms.get_meeting_for_user(request.user, pk)
    can_manage = perms.can_on_meeting(request.user, meeting, perms.MANAGE_MEETINGS)
    units, member_units = responsible_choices(meeting, request.user) if can_manage else ([], [])
    attendee_units, attendee_member_units = selectors.meeting_attendee_units(meeting)
    return render(
        request,
        "coordination/meeting_detail.html",
        {
            "meeting": meeting,
            "decisions": selectors.meeting_decisions(meeting),
            "events": selectors.meeting_events(meeting),
            "attachments": selectors.meeting_attachments(meeting),
            "attendee_units": attendee_units,
            "attendee_member_units": attendee_member_units,
            "can_manage": can_manage,
            "can_approve": perms.can_on_meeting(request.user, meeting, perms.APPROVE_MINUTES),
            "decision_form": DecisionForm(),
            "item_form": ActionItemForm(units=units, member_units=member_units) if can_manage else None,
            "attachment_form": AttachmentForm(),
            "today": dates.today(),
            "issue": _minutes_panel(request.user, meeting),
        },
    )


# A meeting's state changes: the door for the permission, the service, back to the meeting (or to `then`).
_meeting_step = partial(step_view, perms.get_meeting_for_user, key="meeting", back="meeting-detail")
meeting_hold = _meeting_step(
    perms.MANAGE_MEETINGS, services.meeting_record_held, gettext_lazy("已登记会议召开，请录入纪要和决定事项。")
)
meeting_approve_minutes = _meeting_step(
    perms.APPROVE_MINUTES, services.meeting_approve_minutes, gettext_lazy("会议纪要已审定。")
)
meeting_delete = _meeting_step(
    perms.MANAGE_MEETINGS, services.meeting_delete, gettext_lazy("会议已取消。"), then="meeting-list"
)


@login_required
@require_POST
def decision_add(request, pk: int):
    meeting = perms.get_meeting_for_user(request.user, pk, perms.MANAGE_MEETINGS)
    posted_step(request, DecisionForm(request.POST), services.decision_add, _("决定事项已添加。"), meeting=meeting)
    return redirect(meeting_url(meeting, "decisions"))


@login_required
@require_POST
def decision_delete(request, pk: int, decision_pk: int):
    decision = perms.get_decision_for_user(request.user, decision_pk, perms.MANAGE_MEETINGS, meeting_pk=pk)
    run_step(request, services.decision_delete, _("决定事项已删除。"), decision=decision)
    return redirect(meeting_url(decision.meeting, "decisions"))


@login_required
@require_POST
def meeting_attach(request, pk: int):
    meeting = perms.get_meeting_for_user(request.user, pk, perms.MANAGE_MEETINGS)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        upload = form.cleaned_data["file"]
        run_step(request, services.meeting_attach, _("附件已上传。"), meeting=meeting, file=upload, name=upload.name)
    return redirect(meeting_url(meeting, "attachments"))


@login_required
def meeting_attachment(request, pk: int, attachment_pk: int):
    attachment = perms.get_meeting_attachment_for_user(request.user, pk, attachment_pk)
    return download(
        attachment.file, attachment.name, target=f"附件 {attachment.name}（会议 {attachment.meeting.title}）"
    )


@login_required
def meeting_minutes_docx(request, pk: int):
    """The minutes as they stand now: a preview, without a number (the issued file is kept in 公文登记)."""
    meeting = perms.get_meeting_for_user(request.user, pk)
    units, member_units = selectors.meeting_attendee_units(meeting)
    content = exports.minutes_docx(
        meeting,
        decisions=selectors.meeting_decisions(meeting),
        attendee_units=units,
        attendee_member_units=member_units,
    )
    return downloads.attachment(
        content, content_type=DOCX, filename=exports.minutes_filename(meeting), target=f"会议纪要 {meeting.title}"
    )


def _minutes_panel(user, meeting) -> IssuePanel | None:
    if not meeting.is_held:
        return None
    return issue_panel(
        kind=DocumentKind.MINUTES,
        source=services.minutes_source(meeting),
        can_issue=perms.can_on_meeting(user, meeting, perms.APPROVE_MINUTES),
        issue_url=reverse("meeting-minutes-issue", args=[meeting.pk]),
        blocked=services.minutes_not_issuable(meeting),
    )


@login_required
@require_POST
def meeting_minutes_issue(request, pk: int):
    """印发 the approved minutes (or 更正重发 them): numbered in the host unit's register, kept as issued."""
    meeting = perms.get_meeting_for_user(request.user, pk, perms.APPROVE_MINUTES)
    return issue_response(
        request,
        kind=DocumentKind.MINUTES,
        issue=partial(services.meeting_minutes_issue, meeting=meeting),
        back=reverse("meeting-detail", args=[meeting.pk]),
    )
