"""批量审核 (issue 19): the reports waiting for a reviewer at its step, chosen with check boxes and approved (the
district leader) or accepted (the office) in one confirmed act, each report through its single-report service
(services.bulk); the page that follows shows, by town and month, which were done and why the others were not."""

from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .permissions import bulk_review_reports_for_user, bulk_review_steps_for_user, get_bulk_step_for_user
from .selectors import bulk as bulk_selectors
from .services import bulk as bulk_services

# Where the outcomes of the last bulk step wait, in the session, for the page it redirects to.
OUTCOMES_KEY = "bulk_review_outcomes"

# The words of each step on the page.
STEP_WORDS = {
    "approve": {
        "tab": gettext_lazy("待区级审核"),
        "verb": gettext_lazy("审核通过"),
        "done": gettext_lazy("已审核通过"),
        "refused": gettext_lazy("未审核通过"),
        "done_note": gettext_lazy("已报送市特镇办验收"),
        "when": gettext_lazy("报送时间"),
        "effect": gettext_lazy("审核通过后，月报将报送市特镇办综合政策组验收。"),
    },
    "accept": {
        "tab": gettext_lazy("待市级验收"),
        "verb": gettext_lazy("验收"),
        "done": gettext_lazy("已验收"),
        "refused": gettext_lazy("未验收"),
        "done_note": gettext_lazy("数据已锁定并计入统计台账"),
        "when": gettext_lazy("区级审核时间"),
        "effect": gettext_lazy("验收后数据将锁定并计入统计台账，如需更正须另行申请。"),
    },
}


@login_required
def report_bulk_review(request):
    """GET: the waiting reports with check boxes, and the outcomes of the step just taken; POST: take the step
    on the chosen reports."""
    step = get_bulk_step_for_user(request.user, request.POST.get("step") or request.GET.get("step"))
    if request.method == "POST":
        return _review_chosen(request, step)
    kept = request.session.pop(OUTCOMES_KEY, None)
    outcomes = kept["outcomes"] if kept and kept.get("step") == step else []
    return render(
        request,
        "ledgers/bulk_review.html",
        {
            "step": step,
            "words": STEP_WORDS[step],
            "tabs": [(name, STEP_WORDS[name]["tab"]) for name in bulk_review_steps_for_user(request.user)],
            "reports": bulk_selectors.bulk_review_list(request.user, step),
            "outcomes": bulk_selectors.bulk_review_outcomes(request.user, outcomes) if outcomes else [],
        },
    )


def _review_chosen(request, step: str):
    """The step on the chosen reports the user may take it on, the outcomes kept for the page that follows."""
    back = f"{reverse('report-bulk-review')}?step={step}"
    chosen = {int(value) for value in request.POST.getlist("report") if value.isdigit()}
    if not chosen:
        messages.error(request, _("请至少选择一份月报。"))
        return redirect(back)
    reports = list(bulk_review_reports_for_user(request.user, step, chosen).order_by(*bulk_selectors.ORDER))
    outcomes = bulk_services.monthly_reports_review(actor=request.user, reports=reports, step=step)
    request.session[OUTCOMES_KEY] = {"step": step, "outcomes": [_kept(outcome) for outcome in outcomes]}
    _summary(request, step, outcomes, unavailable=len(chosen) - len(reports))
    return redirect(back)


def _kept(outcome: bulk_services.BulkOutcome) -> dict:
    kept = asdict(outcome)
    kept["report"] = kept.pop("report_id")
    return kept


def _summary(request, step: str, outcomes: list, *, unavailable: int) -> None:
    """One message for the whole act: how many were done, how many refused (their reasons are in the table)."""
    words = STEP_WORDS[step]
    done = sum(1 for outcome in outcomes if outcome.done)
    refused = len(outcomes) - done
    parts = []
    if done:
        parts.append(_("%(done)s %(n)s 份月报") % {"done": words["done"], "n": done})
    if refused:
        parts.append(_("%(n)s 份未能%(verb)s，原因见处理结果") % {"n": refused, "verb": words["verb"]})
    if unavailable:
        parts.append(_("%(n)s 份已不在您可%(verb)s的范围内，未处理") % {"n": unavailable, "verb": words["verb"]})
    text = "；".join(parts) + "。"
    if done and not refused and not unavailable:
        messages.success(request, text)
    elif done:
        messages.warning(request, text)
    else:
        messages.error(request, text)
