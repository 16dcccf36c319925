"""Pages for work information (信息报送, R-3.2): the officer writes, the district leader reviews, the
office adopts (采用); adopted items of a month become the work briefing (简报) as a Word document.

Each view checks access through the permission door, then calls one selector or service and renders.
"""

import datetime
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coordination.document_views import issue_response
from coordination.issued_documents import issue_panel
from coordination.models import DocumentKind
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates, downloads
from tianjin_towns.lib.pages import (
    add_service_errors,
    chosen_pk,
    list_filters,
    object_page,
    render_list_page,
    step_view,
)

from . import selectors, services
from .briefing import DOCX, briefing_filename, briefing_title, work_briefing_docx
from .forms import WorkInfoFilterForm, WorkInfoForm
from .models import WorkInfo
from .permissions import (
    can_issue_work_briefing,
    can_write_work_info,
    check_issue_work_briefing,
    check_write_work_info,
    districts_for_user,
    get_work_info_for_user,
    work_info_actions_for_user,
    work_info_units_for_user,
)

PER_PAGE = 20


@login_required
def work_info_list(request):
    form = WorkInfoFilterForm(
        request.GET or None,
        districts=districts_for_user(request.user),
    )
    filters = list_filters(form)
    month = filters.get("month")
    briefing_months = selectors.work_info_briefing_months(request.user)
    infos = selectors.work_info_list(
        request.user,
        status=filters.get("status") or None,
        category=filters.get("category") or None,
        org_unit_id=chosen_pk(filters, "org_unit"),
        date_from=month,
        date_to=dates.add_months(month, 1) - datetime.timedelta(days=1) if month else None,
        text=(filters.get("q") or "").strip() or None,
    )
    return render_list_page(
        request,
        "ledgers/work_info_list.html",
        form,
        infos,
        PER_PAGE,
        can_write=can_write_work_info(request.user),
        waiting=selectors.work_info_waiting(request.user).count(),
        # The briefing dialog offers the months with adopted items: the filtered one if it has some, else the latest.
        briefing_months=briefing_months,
        briefing_month=month if month in briefing_months else next(iter(briefing_months), None),
    )


@login_required
def work_info_create(request):
    check_write_work_info(request.user)
    units = work_info_units_for_user(request.user)
    form = WorkInfoForm(request.POST or None, units=units, initial={"happened_on": dates.today()})
    if request.method == "POST" and form.is_valid():
        try:
            info = services.work_info_create(actor=request.user, submit="submit" in request.POST, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if "submit" in request.POST:
                messages.success(request, _("信息已报送，等待主管领导审核。"))
            else:
                messages.success(request, _("已保存为草稿。"))
            return redirect("work-info-detail", pk=info.pk)
    return render(request, "ledgers/work_info_form.html", {"form": form, "info": None})


@login_required
def work_info_edit(request, pk: int):
    info = get_work_info_for_user(request.user, pk, "edit")
    if not info.is_editable:
        messages.warning(request, _("只有草稿或退回的信息可以修改。"))
        return redirect("work-info-detail", pk=info.pk)
    units = work_info_units_for_user(request.user)
    initial = {name: getattr(info, name) for name in services.WORK_INFO_FIELDS}
    form = WorkInfoForm(
        request.POST or None, units=units, lock_unit=True, initial={**initial, "org_unit": info.org_unit}
    )
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.WORK_INFO_FIELDS}
        try:
            info = services.work_info_update(actor=request.user, info=info, submit="submit" in request.POST, **values)
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("work-info-detail", pk=info.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("信息已报送，等待主管领导审核。") if "submit" in request.POST else _("已保存。")
            )
            return redirect("work-info-detail", pk=info.pk)
    return render(request, "ledgers/work_info_form.html", {"form": form, "info": info})


def _detail(request, info) -> dict:
    return {"events": selectors.work_info_events(info), "actions": work_info_actions_for_user(request.user, info)}


work_info_detail = object_page(get_work_info_for_user, "ledgers/work_info_detail.html", "info", _detail)


# An item's steps: the door for the step, the service, back to the item.
_info_step = partial(step_view, get_work_info_for_user, key="info", back="work-info-detail")
work_info_submit = _info_step("submit", services.work_info_submit, gettext_lazy("信息已报送，等待主管领导审核。"))
work_info_approve = _info_step("approve", services.work_info_approve, gettext_lazy("审核通过，已报市特镇办。"))
work_info_accept = _info_step("accept", services.work_info_accept, gettext_lazy("信息已采用，将编入当月工作简报。"))
work_info_return = _info_step(
    "return", services.work_info_return, gettext_lazy("信息已退回，报送人将看到退回原因。"), posted=("reason",)
)


def _briefing_period(request) -> datetime.date | None:
    """The month asked for, else the latest with adopted items (None without any): early in a month the current
    one has nothing adopted yet, and the briefing wanted is the one of the month just ended."""
    try:
        return dates.parse_period(request.GET.get("month", ""))
    except ValueError:
        return next(iter(selectors.work_info_briefing_months(request.user)), None)


def _briefing_material(request):
    """(month, its adopted items by category), or a redirect to the list saying why there is no briefing."""
    period = _briefing_period(request)
    if period is None:
        messages.warning(request, _("还没有已采用的工作信息，无法生成简报。"))
        return None, redirect("work-info-list")
    grouped = selectors.work_info_briefing(request.user, period)
    if not grouped:
        messages.warning(
            request,
            _("%(period)s 没有已采用的工作信息，无法生成简报。") % {"period": dates.format_period(period)},
        )
        return None, redirect(
            f"{reverse('work-info-list')}?status={WorkInfo.Status.ACCEPTED}&month={dates.format_period(period)}"
        )
    return (period, grouped), None


@login_required
def work_info_briefing(request):
    """The adopted items of a month as the work briefing (工作简报, .docx): a preview, without its issue number."""
    material, refused = _briefing_material(request)
    if refused:
        return refused
    period, grouped = material
    target = f"工作简报 {period.year}年{period.month}月"
    content = work_briefing_docx(period, grouped, issued_on=dates.today())
    return downloads.attachment(content, content_type=DOCX, filename=briefing_filename(period), target=target)


@login_required
def work_info_briefing_page(request):
    """A month's briefing: what it holds, its preview and PDF, and its issue (印发) by the office that adopts."""
    material, refused = _briefing_material(request)
    if refused:
        return refused
    period, grouped = material
    month = dates.format_period(period)
    issue = issue_panel(
        kind=DocumentKind.WORK_BRIEFING,
        source=services.work_briefing_source(period),
        can_issue=can_issue_work_briefing(request.user),
        issue_url=f"{reverse('work-info-briefing-issue')}?month={month}",
    )
    return render(
        request,
        "ledgers/work_info_briefing_page.html",
        {
            "period": period,
            "month": month,
            "grouped": [(WorkInfo.Category(category).label, items) for category, items in grouped.items()],
            "title": briefing_title(period),
            "issue": issue,
        },
    )


@login_required
@require_POST
def work_info_briefing_issue(request):
    """印发 a month's briefing (or 更正重发 it) with the next issue number of the briefing (第N期)."""
    check_issue_work_briefing(request.user)
    try:  # the month the page's address names (the dialogs post there), or a posted one
        period = dates.parse_period(request.POST.get("month") or request.GET.get("month", ""))
    except ValueError as unknown:
        raise Http404 from unknown
    return issue_response(
        request,
        kind=DocumentKind.WORK_BRIEFING,
        issue=partial(services.work_briefing_issue, period=period),
        back=f"{reverse('work-info-briefing-page')}?month={dates.format_period(period)}",
    )
