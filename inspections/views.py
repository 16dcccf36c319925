"""Pages of visits, problems, measures and the circular: each view checks access through a permission
door, then calls one selector or service and renders."""

import datetime
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coordination.models import OrgUnit
from coordination.permissions import get_org_unit_for_user, towns_for_user
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates, downloads

from . import exports, selectors, services
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
from .models import InspectionEvent, Problem, ProblemStatus, Visit
from .permissions import (
    RECORD,
    RECTIFY,
    VERIFY,
    VIEW,
    districts_managed_by,
    get_attachment_for_user,
    get_problem_for_user,
    get_visit_for_user,
    manages,
    manages_any,
    problem_actions_for_user,
)

PER_PAGE = 20


def _add_service_errors(form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form's fields (unknown keys to the form as a whole)."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for key, field_messages in error.message_dict.items():
        field = key if key in form.fields else "photos" if key == "files" and "photos" in form.fields else None
        for message in field_messages:
            form.add_error(field, message)


def _with_change_rows(events: list[InspectionEvent], model) -> list[InspectionEvent]:
    """Each event's changes as labelled old → new rows (includes/change_list.html)."""
    labels = {f.name: f.verbose_name for f in model._meta.get_fields() if hasattr(f, "verbose_name")}
    for event in events:
        event.change_rows = [
            {"label": labels.get(name, name), "old": old or None, "new": new or None}
            for name, (old, new) in event.changes.items()
        ]
    return events


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Visits ------------------------------------------------------------------------------------------


@login_required
def visit_list(request):
    user = request.user
    form = VisitFilterForm(
        request.GET or None,
        districts=selectors.districts_for_user(user),
        towns=towns_for_user(user).select_related("unit"),
    )
    form.is_valid()  # an invalid field shows its error; the valid ones still filter
    filters = getattr(form, "cleaned_data", {})
    date_to = filters.get("date_to")
    visits = selectors.visit_list(
        user,
        district_id=filters["district"].pk if filters.get("district") else None,
        town_id=filters["town"].pk if filters.get("town") else None,
        kind=filters.get("kind") or None,
        start=filters.get("date_from"),
        end=date_to + datetime.timedelta(days=1) if date_to else None,
    )
    page = Paginator(visits, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/visit_list.html",
        {"form": form, "page": page, "query": _query_without_page(request), "can_record": manages_any(user)},
    )


@login_required
def visit_create(request):
    districts = districts_managed_by(request.user).order_by("order", "code")
    if not districts.exists():
        raise PermissionDenied
    initial = {"kind": request.GET.get("kind") or Visit.Kind.ONSITE_SUPERVISION, "held_on": dates.today()}
    if request.GET.get("district", "").isdigit():
        initial["district"] = int(request.GET["district"])
    form = VisitForm(request.POST or None, request.FILES or None, districts=districts, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_create(
                actor=request.user,
                kind=data["kind"],
                district=data["district"],
                held_on=data["held_on"],
                title=data["title"],
                towns=data["towns"],
                member_units=data["member_units"],
                participants=data["participants"],
                summary=data["summary"],
                files=form.uploads(),
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("督办检查已登记。请继续登记发现的问题。"))
            return redirect("inspection-detail", pk=visit.pk)
    return render(request, "inspections/visit_form.html", {"form": form, "visit": None})


@login_required
def visit_edit(request, pk: int):
    visit = get_visit_for_user(request.user, pk, RECORD)
    initial = {
        "kind": visit.kind,
        "held_on": visit.held_on,
        "title": visit.title,
        "towns": list(visit.towns.all()),
        "member_units": list(visit.member_units.all()),
        "participants": visit.participants,
        "summary": visit.summary,
    }
    districts = OrgUnit.objects.filter(pk=visit.district_id)
    form = VisitForm(request.POST or None, districts=districts, initial=initial, with_files=False, district_fixed=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_update(
                actor=request.user,
                visit=visit,
                **{name: data[name] for name in ("kind", "held_on", "title", "participants", "summary")},
                towns=data["towns"],
                member_units=data["member_units"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("督办检查已修改。"))
            return redirect("inspection-detail", pk=visit.pk)
    return render(request, "inspections/visit_form.html", {"form": form, "visit": visit})


@login_required
def visit_detail(request, pk: int):
    user = request.user
    visit = get_visit_for_user(user, pk)
    problems = selectors.visit_problems(visit, user)
    today = dates.today()
    for problem in problems:
        problem.overdue_days = problem.days_overdue(today)
    return render(
        request,
        "inspections/visit_detail.html",
        {
            "visit": visit,
            "towns": list(visit.towns.select_related("unit").order_by("unit__order", "unit__code")),
            "member_units": list(visit.member_units.order_by("order")),
            "problems": problems,
            "tally": {
                "found": len(problems),
                "on_site": sum(p.solved_on_site for p in problems),
                "same_day": sum(p.solved_same_day for p in problems),
                "open": sum(not p.is_closed for p in problems),
                "overdue": sum(bool(p.overdue_days) for p in problems),
            },
            "attachments": selectors.visit_attachments(visit),
            "history": _with_change_rows(selectors.visit_history(visit), Visit),
            "can_record": manages(user, visit.district_id),
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
    attachment = get_attachment_for_user(request.user, pk)
    if not attachment.file.storage.exists(attachment.file.name):
        raise Http404
    # An attachment, sandboxed (tianjin_towns.lib.downloads); an <img> still shows it as a thumbnail.
    return downloads.file_download(attachment.file, filename=attachment.name, content_type=attachment.content_type)


# --- Problems ----------------------------------------------------------------------------------------


@login_required
def problem_create(request, pk: int):
    visit = get_visit_for_user(request.user, pk, RECORD)
    visited = list(visit.towns.all()[:2])
    initial = {"town": visited[0]} if len(visited) == 1 else {}  # most problems concern the one town visited
    form = ProblemForm(request.POST or None, request.FILES or None, visit=visit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.problem_create(actor=request.user, visit=visit, **form.service_kwargs())
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("问题已登记（%(status)s）。") % {"status": problem.get_status_display()})
            if request.POST.get("next") == "another":
                return redirect("problem-create", pk=visit.pk)
            return redirect(reverse("inspection-detail", args=[visit.pk]) + "#problems")
    return render(request, "inspections/problem_form.html", {"form": form, "visit": visit, "problem": None})


@login_required
def problem_edit(request, pk: int):
    problem = get_problem_for_user(request.user, pk, RECORD)
    initial = {
        "town": problem.town,
        "category": problem.category,
        "description": problem.description,
        "responsible": responsible_value(problem),
        "due_on": problem.due_on,
    }
    form = ProblemForm(request.POST or None, visit=problem.visit, initial=initial, with_outcome=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.problem_update(actor=request.user, problem=problem, **form.service_kwargs())
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("problem-detail", pk=problem.pk)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("问题已修改。"))
            return redirect("problem-detail", pk=problem.pk)
    return render(request, "inspections/problem_form.html", {"form": form, "visit": problem.visit, "problem": problem})


@login_required
def problem_list(request):
    user = request.user
    form = ProblemFilterForm(request.GET or None, districts=selectors.districts_for_user(user))
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    today = dates.today()
    problems = selectors.problem_list(
        user,
        district_id=filters["district"].pk if filters.get("district") else None,
        status=filters.get("status") or None,
        category=filters.get("category") or None,
        overdue=bool(filters.get("overdue")),
        mine=bool(filters.get("mine")),
        today=today,
    )
    page = Paginator(problems, PER_PAGE).get_page(request.GET.get("page"))
    for problem in page.object_list:
        problem.overdue_days = problem.days_overdue(today)
    return render(
        request,
        "inspections/problem_list.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
    )


@login_required
def problem_detail(request, pk: int):
    problem = get_problem_for_user(request.user, pk, VIEW)
    today = dates.today()
    problem.overdue_days = problem.days_overdue(today)
    return render(
        request,
        "inspections/problem_detail.html",
        {
            "problem": problem,
            "timeline": _with_change_rows(selectors.problem_timeline(problem), Problem),
            "escalations": selectors.problem_escalations(problem),
            "actions": problem_actions_for_user(request.user, problem),
            "progress_form": FollowUpForm(auto_id="progress_%s"),
            "rectify_form": FollowUpForm(auto_id="rectify_%s"),
            "reject_form": RejectForm(),
            "today": today,
        },
    )


FOLLOW_UPS = {
    "progress": (services.problem_report_progress, gettext_lazy("整改进展已报告。")),
    "rectify": (services.problem_rectify, gettext_lazy("整改完成情况已报送，等待市特镇办核验。")),
}


@login_required
def problem_follow_up(request, pk: int, action: str):
    """GET: the form page (also the no-JavaScript path); POST: report progress or rectification."""
    if action not in FOLLOW_UPS:
        raise Http404
    problem = get_problem_for_user(request.user, pk, RECTIFY)
    form = FollowUpForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        service, success = FOLLOW_UPS[action]
        try:
            service(actor=request.user, problem=problem, note=form.cleaned_data["note"], files=form.uploads())
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("problem-detail", pk=problem.pk)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, str(success))
            return redirect("problem-detail", pk=problem.pk)
    return render(request, "inspections/problem_follow_up.html", {"problem": problem, "form": form, "action": action})


@login_required
@require_POST
def problem_verify(request, pk: int):
    problem = get_problem_for_user(request.user, pk, VERIFY)
    form = VerifyForm(request.POST)
    form.is_valid()
    try:
        services.problem_verify(actor=request.user, problem=problem, note=form.cleaned_data.get("note", ""))
    except ConflictError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已核验销号。"))
    return redirect("problem-detail", pk=problem.pk)


@login_required
def problem_reject(request, pk: int):
    """GET: the page with the reason (also the no-JavaScript path); POST: send the problem back to the unit."""
    problem = get_problem_for_user(request.user, pk, VERIFY)
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.problem_reject(actor=request.user, problem=problem, reason=form.cleaned_data["reason"])
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("problem-detail", pk=problem.pk)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("已退回整改，责任单位将看到退回原因。"))
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
    districts = list(selectors.districts_for_user(request.user))
    figures = selectors.problem_measures(district_ids=[d.pk for d in districts], start=start, end=end)
    rows = [{"district": d, "m": figures[d.pk]} for d in districts]
    return render(
        request,
        "inspections/measures.html",
        {
            "form": form,
            "year": year,
            "quarter": quarter,
            "start": start,
            "last_day": end - datetime.timedelta(days=1),
            "rows": rows,
            "total": selectors.measures_total(figures.values()),
        },
    )


@login_required
def district_detail(request, pk: int):
    district = get_org_unit_for_user(request.user, pk)
    if district.level != OrgUnit.Level.DISTRICT:
        raise Http404
    form, year, _quarter = _period(request)
    today = dates.today()
    quarters = []
    for quarter in range(1, 5):
        start, end = selectors.quarter_bounds(year, quarter)
        if start > today:
            break
        figures = selectors.problem_measures(district_ids=[district.pk], start=start, end=end, today=today)
        quarters.append({"quarter": quarter, "start": start, "m": figures[district.pk]})
    start, end = selectors.period_bounds(year, None)
    open_problems = list(
        selectors.problem_list(request.user, district_id=district.pk, today=today).exclude(
            status=ProblemStatus.VERIFIED
        )[:30]
    )
    for problem in open_problems:
        problem.overdue_days = problem.days_overdue(today)
    return render(
        request,
        "inspections/district_detail.html",
        {
            "district": district,
            "form": form,
            "year": year,
            "quarters": quarters,
            "year_total": selectors.measures_total(q["m"] for q in quarters),
            "visits": list(selectors.visit_list(request.user, district_id=district.pk, start=start, end=end)[:20]),
            "open_problems": open_problems,
            "can_record": manages(request.user, district.pk),
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
    return render(
        request,
        "inspections/circular.html",
        {
            "form": form,
            "circular": result,
            "title": exports.circular_title(year, quarter),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def circular_docx(request):
    _form, result, year, quarter = _circular(request)
    output = io.BytesIO()
    exports.write_circular_docx(
        output, circular=result, title=exports.circular_title(year, quarter), issued_on=dates.today()
    )
    response = HttpResponse(output.getvalue(), content_type=exports.DOCX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=exports.circular_filename(year, quarter)
    )
    return response
