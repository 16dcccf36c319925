"""Pages of visits, problems, measures and the circular: each view checks access through a permission
door, then calls one selector or service and renders."""

import datetime
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coordination.document_views import issue_response
from coordination.issued_documents import issue_panel
from coordination.models import DocumentKind
from coordination.search_selectors import normalized_keyword
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates, downloads
from tianjin_towns.lib.pages import (
    add_service_errors,
    chosen_pk,
    list_filters,
    list_page,
    posted_step,
    render_list_page,
)

from . import circulars, exports, selectors, services
from .forms import (
    FollowUpForm,
    PeriodForm,
    ProblemFilterForm,
    ProblemForm,
    RejectForm,
    UploadForm,
    VerifyForm,
    VisitFilterForm,
    VisitForm,
    responsible_value,
)
from .models import InspectionEvent, Problem, Visit
from .permissions import (
    RECORD,
    VERIFY,
    VIEW,
    can_issue_circular,
    can_record_visits,
    check_issue_circular,
    check_record_visits,
    get_attachment_file_for_user,
    get_district_for_user,
    get_problem_for_user,
    get_problem_to_follow_up,
    get_visit_for_user,
    problem_actions_for_user,
)

PER_PAGE = 20


def _submit(request, form, service, success: str | None, **kwargs):
    """Call `service(actor=request.user, **kwargs)` for a valid form: its result, after the `success` message;
    None when the service refused the input, its errors now on the form's fields (uploads on the photos)."""
    try:
        result = service(actor=request.user, **kwargs)
    except ValidationError as error:
        add_service_errors(form, error, {"files": "photos"})
        return None
    if success is not None:
        messages.success(request, str(success))
    return result


def _conflict_to_problem_page(view):
    """A ConflictError (the problem's state moved on since the user opened the page) becomes a message on the
    problem's page."""

    @functools.wraps(view)
    def wrapper(request, pk: int, **kwargs):
        try:
            return view(request, pk, **kwargs)
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("problem-detail", pk=pk)

    return wrapper


def _with_overdue_days(problems, today: datetime.date):
    """The problems, each with its days overdue on `today` as `overdue_days` (the badge of the lists)."""
    for problem in problems:
        problem.overdue_days = problem.days_overdue(today)
    return problems


def _with_change_rows(events: list[InspectionEvent], model) -> list[InspectionEvent]:
    """Each event's changes as labelled old → new rows (includes/change_list.html)."""
    labels = {f.name: f.verbose_name for f in model._meta.get_fields() if hasattr(f, "verbose_name")}
    for event in events:
        event.change_rows = [
            {"label": labels.get(name, name), "old": old or None, "new": new or None}
            for name, (old, new) in event.changes.items()
        ]
    return events


# --- Visits ------------------------------------------------------------------------------------------


@login_required
def visit_list(request):
    user = request.user
    form = VisitFilterForm(
        request.GET or None,
        districts=selectors.districts_for_user(user),
        towns=selectors.towns_for_filter(user),
    )
    filters = list_filters(form)
    date_to = filters.get("date_to")
    visits = selectors.visit_list(
        user,
        district_id=chosen_pk(filters, "district"),
        town_id=chosen_pk(filters, "town"),
        kind=filters.get("kind") or None,
        start=filters.get("date_from"),
        end=date_to + datetime.timedelta(days=1) if date_to else None,
    )
    can_record = can_record_visits(user)
    return render_list_page(request, "inspections/visit_list.html", form, visits, PER_PAGE, can_record=can_record)


@login_required
def visit_create(request):
    check_record_visits(request.user)
    initial = {"kind": request.GET.get("kind") or Visit.Kind.ONSITE_SUPERVISION, "held_on": dates.today()}
    if request.GET.get("district", "").isdigit():
        initial["district"] = int(request.GET["district"])
    districts = selectors.districts_to_record(request.user)
    form = VisitForm(request.POST or None, request.FILES or None, districts=districts, initial=initial)
    if request.method == "POST" and form.is_valid():
        success = _("督办检查已登记。请继续登记发现的问题。")
        visit = _submit(request, form, services.visit_create, success, **form.service_kwargs())
        if visit is not None:
            return redirect("inspection-detail", pk=visit.pk)
    return render(request, "inspections/visit_form.html", {"form": form, "visit": None})


@login_required
def visit_edit(request, pk: int):
    visit = get_visit_for_user(request.user, pk, RECORD)
    initial = {name: getattr(visit, name) for name in ("kind", "held_on", "title", "participants", "summary")}
    initial.update(towns=selectors.visit_towns(visit), member_units=selectors.visit_member_units(visit))
    districts = selectors.visit_district_choices(visit)
    form = VisitForm(request.POST or None, districts=districts, initial=initial, with_files=False, district_fixed=True)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if _submit(request, form, services.visit_update, _("督办检查已修改。"), visit=visit, **kwargs) is not None:
            return redirect("inspection-detail", pk=visit.pk)
    return render(request, "inspections/visit_form.html", {"form": form, "visit": visit})


@login_required
def visit_detail(request, pk: int):
    user = request.user
    visit = get_visit_for_user(user, pk)
    today = dates.today()
    problems = _with_overdue_days(selectors.visit_problems(visit, user), today)
    return render(
        request,
        "inspections/visit_detail.html",
        {
            "visit": visit,
            "towns": selectors.visit_towns(visit),
            "member_units": selectors.visit_member_units(visit),
            "problems": problems,
            "tally": selectors.problem_tally(problems, today),
            "attachments": selectors.visit_attachments(visit),
            "history": _with_change_rows(selectors.visit_history(visit), Visit),
            "can_record": can_record_visits(user, visit.district_id),
            "upload_form": UploadForm(),
        },
    )


@login_required
@require_POST
def visit_upload(request, pk: int):
    visit = get_visit_for_user(request.user, pk, RECORD)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            added = services.visit_add_attachments(actor=request.user, visit=visit, files=form.uploads())
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已上传 %(n)s 个附件。") % {"n": len(added)})
    else:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
    return redirect(reverse("inspection-detail", args=[visit.pk]) + "#files")


@login_required
def attachment_download(request, pk: int):
    attachment = get_attachment_file_for_user(request.user, pk)
    # An attachment, sandboxed (tianjin_towns.lib.downloads); an <img> still shows it as a thumbnail.
    return downloads.file_download(
        attachment.file, filename=attachment.name, content_type=attachment.content_type, target=attachment.taken_name
    )


# --- Problems ----------------------------------------------------------------------------------------


@login_required
def problem_create(request, pk: int):
    visit = get_visit_for_user(request.user, pk, RECORD)
    town = selectors.visit_only_town(visit)
    initial = {"town": town} if town is not None else {}
    form = ProblemForm(request.POST or None, request.FILES or None, visit=visit, initial=initial)
    if request.method == "POST" and form.is_valid():
        problem = _submit(request, form, services.problem_create, None, visit=visit, **form.service_kwargs())
        if problem is not None:
            messages.success(request, _("问题已登记（%(status)s）。") % {"status": problem.get_status_display()})
            if request.POST.get("next") == "another":
                return redirect("problem-create", pk=visit.pk)
            return redirect(reverse("inspection-detail", args=[visit.pk]) + "#problems")
    return render(request, "inspections/problem_form.html", {"form": form, "visit": visit, "problem": None})


@login_required
@_conflict_to_problem_page
def problem_edit(request, pk: int):
    problem = get_problem_for_user(request.user, pk, RECORD)
    initial = {name: getattr(problem, name) for name in ("town", "category", "description", "due_on")}
    initial["responsible"] = responsible_value(problem)
    form = ProblemForm(request.POST or None, visit=problem.visit, initial=initial, with_outcome=False)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if _submit(request, form, services.problem_update, _("问题已修改。"), problem=problem, **kwargs) is not None:
            return redirect("problem-detail", pk=problem.pk)
    return render(request, "inspections/problem_form.html", {"form": form, "visit": problem.visit, "problem": problem})


@login_required
def problem_list(request):
    user = request.user
    form = ProblemFilterForm(request.GET or None, districts=selectors.districts_for_user(user))
    filters = list_filters(form)
    today = dates.today()
    keyword = normalized_keyword(request.GET.get("q"))
    problems = selectors.problem_list(
        user,
        district_id=chosen_pk(filters, "district"),
        status=filters.get("status") or None,
        category=filters.get("category") or None,
        overdue=bool(filters.get("overdue")),
        mine=bool(filters.get("mine")),
        keyword=keyword,
        urgent_first=True,
        today=today,
    )
    context = list_page(request, form, problems, PER_PAGE)
    _with_overdue_days(context["page"].object_list, today)
    return render(request, "inspections/problem_list.html", {**context, "q": keyword})


@login_required
def problem_detail(request, pk: int):
    problem = get_problem_for_user(request.user, pk, VIEW)
    today = dates.today()
    _with_overdue_days([problem], today)
    timeline = _with_change_rows(selectors.problem_timeline(problem), Problem)
    evidence_on_file = selectors.evidence_since_rejection(timeline)
    evidence_needed = selectors.evidence_required() and not evidence_on_file
    return render(
        request,
        "inspections/problem_detail.html",
        {
            "problem": problem,
            "timeline": timeline,
            "evidence_on_file": evidence_on_file,
            "evidence_needed": evidence_needed,
            "evidence_waiver": selectors.evidence_waiver(timeline),
            "no_evidence_reason": selectors.no_evidence_reason(timeline),
            "escalations": selectors.problem_escalations(problem),
            "actions": problem_actions_for_user(request.user, problem),
            "progress_form": FollowUpForm(auto_id="progress_%s"),
            "rectify_form": FollowUpForm(auto_id="rectify_%s", evidence_needed=evidence_needed),
            "reject_form": RejectForm(),
            "today": today,
        },
    )


FOLLOW_UPS = {  # one entry per permissions.FOLLOW_UP_ACTIONS
    "progress": (services.problem_report_progress, gettext_lazy("整改进展已报告。")),
    "rectify": (services.problem_rectify, gettext_lazy("整改完成情况已报送，等待市特镇办核验。")),
}


@login_required
@_conflict_to_problem_page
def problem_follow_up(request, pk: int, action: str):
    """GET: the form page (also the no-JavaScript path); POST: report progress or rectification."""
    problem = get_problem_to_follow_up(request.user, pk, action)
    needed = action == "rectify" and selectors.evidence_required() and not selectors.problem_has_evidence(problem)
    form = FollowUpForm(request.POST or None, request.FILES or None, evidence_needed=needed)
    if request.method == "POST" and form.is_valid():
        service, success = FOLLOW_UPS[action]
        kwargs = {"problem": problem, "note": form.cleaned_data["note"], "files": form.uploads()}
        if "no_evidence_reason" in form.cleaned_data:  # offered to a rectification that needs evidence
            kwargs["no_evidence_reason"] = form.cleaned_data["no_evidence_reason"]
        if _submit(request, form, service, success, **kwargs) is not None:
            return redirect("problem-detail", pk=problem.pk)
    context = {"problem": problem, "form": form, "action": action, "evidence_needed": needed}
    return render(request, "inspections/problem_follow_up.html", context)


@login_required
@require_POST
@_conflict_to_problem_page
def problem_verify(request, pk: int):
    problem = get_problem_for_user(request.user, pk, VERIFY)
    # A rectification without evidence needs the waiver's reason: the service's refusal says so.
    posted_step(request, VerifyForm(request.POST), services.problem_verify, _("已核验销号。"), problem=problem)
    return redirect("problem-detail", pk=problem.pk)


@login_required
@_conflict_to_problem_page
def problem_reject(request, pk: int):
    """GET: the page with the reason (also the no-JavaScript path); POST: send the problem back to the unit."""
    problem = get_problem_for_user(request.user, pk, VERIFY)
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        success, reason = _("已退回整改，责任单位将看到退回原因。"), form.cleaned_data["reason"]
        if _submit(request, form, services.problem_reject, success, problem=problem, reason=reason) is not None:
            return redirect("problem-detail", pk=problem.pk)
    return render(request, "inspections/problem_reject.html", {"problem": problem, "form": form})


# --- Measures, district page, circular ---------------------------------------------------------------


def _period(request) -> tuple[PeriodForm, int, int | None]:
    form = PeriodForm(request.GET or None)
    if form.is_valid():
        return form, form.cleaned_data["year"], form.cleaned_data["quarter"]
    year, quarter = selectors.quarter_of(dates.today())
    return form, year, quarter


@login_required
def measures(request):
    form, year, quarter = _period(request)
    start, end = selectors.period_bounds(year, quarter)
    measured = selectors.district_measures(selectors.districts_for_user(request.user), start=start, end=end)
    return render(
        request,
        "inspections/measures.html",
        {
            "form": form,
            "year": year,
            "quarter": quarter,
            "start": start,
            "last_day": end - datetime.timedelta(days=1),
            "rows": [{"district": district, "m": m} for district, m in measured],
            "total": selectors.measures_total(m for _district, m in measured),
        },
    )


@login_required
def district_detail(request, pk: int):
    district = get_district_for_user(request.user, pk)
    form, year, _quarter = _period(request)
    today = dates.today()
    overview = selectors.district_overview(request.user, district, year=year, today=today)
    return render(
        request,
        "inspections/district_detail.html",
        {
            "district": district,
            "form": form,
            "year": year,
            "quarters": overview.quarters,
            "year_total": overview.year_total,
            "visits": overview.visits,
            "open_problems": _with_overdue_days(overview.open_problems, today),
            "can_record": can_record_visits(request.user, district.pk),
        },
    )


def _circular(request) -> tuple[PeriodForm, selectors.Circular, int, int | None]:
    form, year, quarter = _period(request)
    start, end = selectors.period_bounds(year, quarter)
    circular = selectors.overdue_circular(districts=selectors.districts_for_user(request.user), start=start, end=end)
    return form, circular, year, quarter


@login_required
def circular(request):
    form, result, year, quarter = _circular(request)
    query = request.GET.urlencode()
    issue = issue_panel(
        kind=DocumentKind.CIRCULAR,
        source=circulars.circular_source(year, quarter),
        can_issue=can_issue_circular(request.user),
        issue_url=reverse("inspection-circular-issue") + (f"?{query}" if query else ""),
    )
    return render(
        request,
        "inspections/circular.html",
        {
            "form": form,
            "circular": result,
            "title": exports.circular_title(year, quarter),
            "query": query,
            "issue": issue,
        },
    )


@login_required
def circular_docx(request):
    """The circular as it stands today: a preview, without a number (the issued one is kept in 公文登记)."""
    _form, result, year, quarter = _circular(request)
    return downloads.attachment(
        circulars.circular_docx(result, year, quarter),
        content_type=exports.DOCX,
        filename=exports.circular_filename(year, quarter),
        target=exports.circular_title(year, quarter),
    )


@login_required
@require_POST
def circular_issue(request):
    """印发 the period's circular (or 更正重发 it) with the office's next document number; the office's
    inspection group does, for every district."""
    check_issue_circular(request.user)
    _form, year, quarter = _period(request)
    return issue_response(
        request,
        kind=DocumentKind.CIRCULAR,
        issue=functools.partial(circulars.circular_issue, year=year, quarter=quarter),
        back=circulars.circular_url(year, quarter),
    )
