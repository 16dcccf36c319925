"""Self-evaluations (自查自评自纠): who owes which form, due dates and late ones, and the form itself."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from coordination.models import OrgUnit
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib.pages import render_list_page

from . import selectors, services
from .forms import SelfEvaluationFilterForm, SelfEvaluationForm
from .models import SelfEvaluation, SelfEvaluationKind
from .permissions import FILL, VIEW, can_fill_self_evaluation, check_access, get_self_evaluation_slot_for_user
from .view_helpers import year_param

PER_PAGE = 40


@login_required
def self_evaluation_list(request):
    check_access(request.user, VIEW)
    year = year_param(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in SelfEvaluationKind.values else "monthly"
    form = SelfEvaluationFilterForm(
        {
            "year": year,
            "kind": kind,
            "district": request.GET.get("district") or "",
            "state": request.GET.get("state") or "",
        },
        districts=selectors.districts_for_user(request.user),
    )
    form.is_valid()
    district = form.cleaned_data.get("district")
    state = form.cleaned_data.get("state") or ""
    slots = selectors.self_evaluation_slots(request.user, year=year, kind=kind)
    if district is not None:
        slots = [s for s in slots if s.unit.pk == district.pk or s.unit.parent_id == district.pk]
    counts = Counter(slot.state for slot in slots)
    if state:
        slots = [s for s in slots if s.state == state]
    context = {"counts": counts, "kind": kind, "year": year}
    return render_list_page(request, "assessments/self_evaluation_list.html", form, slots, PER_PAGE, **context)


@login_required
def self_evaluation_form(request, unit_id: int, kind: str, period: str):
    perm = FILL if request.method == "POST" else VIEW
    unit, period = get_self_evaluation_slot_for_user(request.user, unit_id, kind, period, perm)
    evaluation = selectors.self_evaluation_of(unit, kind, period)
    can_fill = can_fill_self_evaluation(request.user, unit)
    editable = can_fill and (evaluation is None or evaluation.status == SelfEvaluation.Status.DRAFT)
    initial = {}
    if evaluation is not None:
        initial = {
            "self_score": format(evaluation.self_score.normalize(), "f") if evaluation.self_score is not None else "",
            "summary": evaluation.summary,
            "problems_found": evaluation.problems_found,
            "corrections": evaluation.corrections,
        }
    form = SelfEvaluationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            services.self_evaluation_save(
                actor=request.user, unit=unit, kind=kind, period=period, submit=submit, **form.cleaned_data
            )
        except ConflictError as error:
            messages.error(request, error.message)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("自评已提交。") if submit else _("自评草稿已保存。"))
            if submit:
                return redirect(f"{reverse('assessment-self-evaluations')}?year={period.year}&kind={kind}")
            return redirect(request.path)
    slot = selectors.SelfEvaluationSlot(
        unit=unit,
        kind=kind,
        period=period,
        due_on=selectors.self_evaluation_due(kind, period),
        evaluation=evaluation,
        can_fill=can_fill,
    )
    return render(
        request,
        "assessments/self_evaluation_form.html",
        {
            "unit": unit,
            "slot": slot,
            "evaluation": evaluation,
            "form": form,
            "editable": editable,
            "progress": selectors.self_evaluation_targets(unit, period, kind),
            "is_district": unit.level == OrgUnit.Level.DISTRICT,
        },
    )
