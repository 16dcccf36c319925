"""Runs (半年一小考、一年一大考): the overview, results with ranking, a town's breakdown, manual scores,
publication, sanction decisions, the Excel export, the briefing (简报) and the results circular (结果通报)."""

import io
from collections import Counter
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coordination.document_views import issue_response
from coordination.issued_documents import issue_panel
from coordination.models import DocumentKind, SharedKind
from coordination.permissions import reading_districts_for_user
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates
from tianjin_towns.lib.pages import object_page, run_step, step_view

from . import document_selectors, exports, results_circular, selectors, services
from .forms import ManualScoreForm, RunCreateForm, SanctionDecisionForm
from .models import Grade, ItemKind, RunKind, Sanction
from .permissions import (
    EDIT,
    PUBLISH,
    VIEW,
    can_decide_sanction,
    can_edit,
    can_publish,
    check_access,
    get_briefing_run_for_user,
    get_results_circular_run_for_user,
    get_run_and_town_for_user,
    get_run_for_user,
    get_run_town_result_for_user,
)
from .view_helpers import error_text, file_response, int_param, year_param


@login_required
def overview(request):
    """督查考核: the year's runs, the scheme, and the way to targets and self-evaluations."""
    check_access(request.user, VIEW, results=True)
    year = year_param(request)
    scheme = selectors.year_scheme_with_items(request.user, year)
    runs = list(selectors.run_list(request.user, year=year))
    form = RunCreateForm(
        initial={"scheme": scheme, "kind": RunKind.SEMIANNUAL if dates.today().month <= 9 else RunKind.ANNUAL},
        schemes=selectors.scheme_choices(request.user),
    )
    progress = selectors.target_completion(year, town_ids=selectors.visible_town_ids(request.user))
    return render(
        request,
        "assessments/overview.html",
        {
            "year": year,
            "years": [year + 1, year, year - 1, year - 2],
            "scheme": scheme,
            "weight_total": selectors.scheme_weight_total(scheme.items.all()) if scheme else None,
            "runs": runs,
            "form": form,
            "can_edit": can_edit(request.user),
            "can_publish": can_publish(request.user),
            "targets": len(progress),
            "lagging": sum(1 for p in progress if p.lagging),
            "lagging_towns": len({p.town_id for p in progress if p.lagging}),
        },
    )


@login_required
@require_POST
def run_create(request):
    check_access(request.user, EDIT, results=True)
    form = RunCreateForm(request.POST, schemes=selectors.scheme_choices(request.user))
    if not form.is_valid():
        messages.error(request, _("请选择考核方案和类别。"))
        return redirect("assessment-overview")
    try:
        run = services.run_create(
            actor=request.user,
            scheme=form.cleaned_data["scheme"],
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(f"{_overview_url()}?year={form.cleaned_data['scheme'].year}")
    messages.success(request, _("已新建考核草稿，结果按当前数据实时计算。"))
    return redirect("assessment-run", pk=run.pk)


def _overview_url() -> str:
    return reverse("assessment-overview")


def _summary(run, rows) -> dict:
    scores = [row.score for row in rows]
    summary = {
        "count": len(rows),
        "average": round(sum(scores) / len(scores), 2) if scores else None,
        "highest": max(scores) if scores else None,
        "lowest": min(scores) if scores else None,
        "unscored": sum(row.unscored_manual for row in rows),
    }
    if run.kind == RunKind.SEMIANNUAL:
        bands = Counter(row.band for row in rows)
        summary.update(praise=bands.get("praise", 0), warning=bands.get("warning", 0))
    else:
        grades = Counter(row.grade for row in rows)
        summary["grades"] = [(Grade(g).label, g, grades.get(g, 0)) for g in Grade.values]
        summary["proposals"] = sum(1 for row in rows if row.sanction_proposed)
        summary["awaiting"] = sum(1 for row in rows if row.awaiting_decision) if run.is_published else None
        summary["rewards"] = sum(1 for row in rows if row.reward)
    return summary


@login_required
def run_detail(request, pk: int):
    run = get_run_for_user(request.user, pk, VIEW)
    rows = selectors.run_results(run, request.user)
    district_id = int_param(request, "district")
    shown = [row for row in rows if row.district_id == district_id] if district_id else rows
    manual_items = [i for i in selectors.scheme_items(run.scheme) if i.kind == ItemKind.MANUAL]
    return render(
        request,
        "assessments/run_detail.html",
        {
            "run": run,
            "rows": shown,
            "summary": _summary(run, rows),
            "districts": reading_districts_for_user(request.user, SharedKind.ASSESSMENTS),
            "district_id": district_id,
            "manual_items": manual_items,
            "can_edit": can_edit(request.user),
            "can_publish": can_publish(request.user),
            "window_ended": run.end < dates.today(),
            "item_names": [(i["name"], i["weight"]) for i in rows[0].items] if rows else [],
        },
    )


@login_required
def run_town(request, pk: int, town_id: int):
    """A town's score explained: each item, its weight, its rule, the figures and where they came from."""
    run, town, row = get_run_town_result_for_user(
        request.user, pk, town_id, result_for_town=selectors.run_result_for_town
    )
    form = (
        SanctionDecisionForm(initial={"decision": row.sanction_proposed, "decided_on": dates.today()})
        if can_decide_sanction(request.user, run, row.awaiting_decision)
        else None
    )
    return render(
        request,
        "assessments/run_town.html",
        {
            "run": run,
            "town": town,
            "row": row,
            "applicable_weight": sum(float(i["weight"]) for i in row.items if i["applicable"]),
            "earned": sum(float(i["earned"]) for i in row.items if i["applicable"]),
            "history": selectors.grade_history(town),
            "form": form,
            "can_edit": can_edit(request.user),
        },
    )


@login_required
@require_POST
def run_decide(request, pk: int, town_id: int):
    run, town = get_run_and_town_for_user(request.user, pk, town_id, PUBLISH)
    form = SanctionDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
        return redirect("assessment-town", pk=run.pk, town_id=town.pk)
    decision = Sanction(form.cleaned_data["decision"])
    if decision == Sanction.NONE:
        success = _("已决定对 %(town)s 不予处理，理由已记录。") % {"town": town.name}
    else:
        success = _("已决定对 %(town)s 予以%(decision)s，小镇状态已变更并记入状态变更记录。") % {
            "town": town.name,
            "decision": decision.label,
        }
    run_step(request, services.run_decide_sanction, success, run=run, town=town, **form.cleaned_data)
    return redirect("assessment-town", pk=run.pk, town_id=town.pk)


@login_required
def run_manual(request, pk: int):
    run = get_run_for_user(request.user, pk, EDIT)
    if run.is_published:
        messages.warning(request, _("该考核已发布，评分已固定。"))
        return redirect("assessment-run", pk=run.pk)
    items = [i for i in selectors.scheme_items(run.scheme) if i.kind == ItemKind.MANUAL]
    towns = selectors.run_towns(run)
    district_id = int_param(request, "district")
    if district_id:
        towns = [t for t in towns if t.district_id == district_id]
    form = ManualScoreForm(request.POST or None, items=items, towns=towns, scores=selectors.manual_scores(run))
    if request.method == "POST" and form.is_valid():
        entries = [
            services.ManualInput(item=item, town=town, score=score, justification=why)
            for item, town, score, why in form.entries()
        ]
        try:
            changed = services.manual_scores_save(actor=request.user, run=run, entries=entries)
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("assessment-run", pk=run.pk)
        except ValidationError as error:
            form.add_service_errors(error)
            messages.error(request, _("评分未保存：请按提示修改标红的项目。"))
        else:
            messages.success(request, _("已保存考核组评分（%(n)s 项变更）。") % {"n": changed})
            return redirect("assessment-run", pk=run.pk)
    return render(
        request,
        "assessments/run_manual.html",
        {
            "run": run,
            "form": form,
            "items": items,
            "districts": selectors.districts_for_user(request.user),
            "district_id": district_id,
        },
    )


PUBLISHED = gettext_lazy("考核结果已发布并固定，各区已收到通知。")
run_publish = step_view(get_run_for_user, PUBLISH, services.run_publish, PUBLISHED, key="run", back="assessment-run")


@login_required
@require_POST
def run_delete(request, pk: int):
    run = get_run_for_user(request.user, pk, EDIT)
    year = run.year
    try:
        services.run_delete(actor=request.user, run=run)
    except ConflictError as error:
        messages.error(request, error.message)
        return redirect("assessment-run", pk=run.pk)
    messages.success(request, _("考核草稿已删除。"))
    return redirect(f"{_overview_url()}?year={year}")


@login_required
def run_export(request, pk: int):
    run = get_run_for_user(request.user, pk, VIEW)
    output = io.BytesIO()
    exports.write_results_workbook(output, run=run, rows=selectors.run_results(run, request.user))
    filename, target = exports.results_filename(run), f"考核结果 {run.title}"
    return file_response(output.getvalue(), content_type=exports.XLSX, filename=filename, target=target)


def _issue_panel(user, run, kind: str, issue_url: str):
    """The run's document as issued, or that it is issued once the run is published (the office issues it)."""
    return issue_panel(
        kind=kind,
        source=services.run_document_source(run),
        can_issue=can_publish(user),
        issue_url=issue_url,
        blocked=services.run_document_not_issuable(run),
    )


def _briefing(request, run) -> dict:
    """The semi-annual briefing: a circular to every district, so it names all towns' ranks (not their breakdowns)."""
    issue = _issue_panel(
        request.user, run, DocumentKind.ASSESSMENT_BRIEFING, reverse("assessment-run-briefing-issue", args=[run.pk])
    )
    return {"briefing": document_selectors.briefing(run), "issued_on": _issued_on(run), "issue": issue}


run_briefing = object_page(get_briefing_run_for_user, "assessments/run_briefing.html", "run", _briefing)


def _issued_on(run):
    return dates.today() if run.published_at is None else timezone.localdate(run.published_at)


@login_required
def run_briefing_docx(request, pk: int):
    run = get_briefing_run_for_user(request.user, pk)
    output = io.BytesIO()
    exports.write_briefing(output, run=run, briefing=document_selectors.briefing(run), issued_on=_issued_on(run))
    filename, target = exports.briefing_filename(run), f"考核简报 {run.title}"
    return file_response(output.getvalue(), content_type=exports.DOCX, filename=filename, target=target)


def _circular(request, run) -> dict:
    """The annual results circular: addressed to every district and member unit, so it names all towns' grades."""
    circular = document_selectors.results_circular(run)
    text = results_circular.circular_text(run, circular)
    issue = _issue_panel(
        request.user, run, DocumentKind.RESULTS_CIRCULAR, reverse("assessment-run-circular-issue", args=[run.pk])
    )
    return {"circular": circular, "text": text, "issued_on": _issued_on(run), "issue": issue}


run_circular = object_page(get_results_circular_run_for_user, "assessments/run_circular.html", "run", _circular)


@login_required
def run_circular_docx(request, pk: int):
    run = get_results_circular_run_for_user(request.user, pk)
    output = io.BytesIO()
    circular = document_selectors.results_circular(run)
    results_circular.write_results_circular(output, run=run, circular=circular, issued_on=_issued_on(run))
    filename, target = results_circular.results_circular_filename(run), f"考核结果通报 {run.title}"
    return file_response(output.getvalue(), content_type=results_circular.DOCX, filename=filename, target=target)


def _run_document_issue(door, kind: str, service, page: str):
    """The POST of a run's document page that issues it (or corrects it): the office, once the run is published."""

    @login_required
    @require_POST
    def view(request, pk: int):
        run = door(request.user, pk)
        if not can_publish(request.user):
            raise PermissionDenied
        return issue_response(request, kind=kind, issue=partial(service, run=run), back=reverse(page, args=[run.pk]))

    return view


run_briefing_issue = _run_document_issue(
    get_briefing_run_for_user, DocumentKind.ASSESSMENT_BRIEFING, services.run_briefing_issue, "assessment-run-briefing"
)
run_circular_issue = _run_document_issue(
    get_results_circular_run_for_user,
    DocumentKind.RESULTS_CIRCULAR,
    services.run_circular_issue,
    "assessment-run-circular",
)
