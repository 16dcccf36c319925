"""The public pages of the joint conference's organisation (组织体系: conferences, member units, working groups
and the routing of work, the information officers; R-1.3 – R-1.5, R-3.1) and of the support policies its
member units issue (R-1.4). Everybody signed in reads them; a member unit's liaison and the policy group
record policies. Each view passes one door of coordination.permissions, then calls one selector or service."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from tianjin_towns.lib.pages import form_page, page_of, query_without_page

from . import permissions as perms
from . import selectors, services
from .forms import PolicyForm
from .models import MemberUnit, SubmissionKind
from .pages import PER_PAGE, download
from .search_selectors import normalized_keyword


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
    query = normalized_keyword(request.GET.get("q"))
    policies = selectors.policy_list(member_unit_id=member_unit_id, query=query)
    page = page_of(request, policies, PER_PAGE)
    editable_ids = set(perms.policy_member_units_for_user(request.user).values_list("pk", flat=True))
    return render(
        request,
        "coordination/policy_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "q": query,
            "member_units": selectors.member_units_in_order(),
            "member_unit_id": member_unit_id,
            "editable_ids": editable_ids,
            "can_create": bool(editable_ids),
        },
    )


def _policy_page(request, form, policy, service, success: str):
    """The policy form (a new policy when `policy` is None): posted and valid, `service` takes the form's fields
    (they are its arguments) and the policy edited, then back to the list."""
    template, known = "coordination/policy_form.html", ({} if policy is None else {"policy": policy})
    return form_page(request, form, template, {"policy": policy}, service, known, success=success, then="policy-list")


@login_required
def policy_create(request):
    perms.check_record_policies(request.user)
    member_units = perms.policy_member_units_for_user(request.user, active_only=True)
    form = PolicyForm(request.POST or None, request.FILES or None, member_units=member_units)
    return _policy_page(request, form, None, services.policy_create, _("支持政策已录入。"))


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
    return _policy_page(request, form, policy, services.policy_update, _("支持政策已保存。"))


@login_required
def policy_file(request, pk: int):
    policy = perms.get_policy_file_for_user(request.user, pk)
    return download(policy.file, policy.file.name.rsplit("/", 1)[-1], target=f"政策文件 {policy.title}")
