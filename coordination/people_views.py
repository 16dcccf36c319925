"""Pages of 系统管理 → 用户与角色 (R-1.7) and the information-officer registry (R-3.1). Each view checks access
through coordination.people_permissions, then calls one selector or service of coordination.services.people.

A one-time password is rendered in the response of the POST that made it and stored nowhere in clear:
it is shown once."""

from functools import partial

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tianjin_towns.lib.pages import add_service_errors, form_page, list_filters, list_page, step_view

from . import people_imports, people_selectors, two_factor
from . import people_permissions as people_perms
from .models import OrgUnit
from .password_validation import password_expired
from .people_forms import (
    ALL,
    GRANT,
    PERSON,
    RegistryFilterForm,
    UserFilterForm,
    UserForm,
    UserImportForm,
    district_and_town_units,
)
from .services import people as services

PER_PAGE = 20


def _once(response: HttpResponse) -> HttpResponse:
    """A page that shows a one-time password: never cached, never shown again from history."""
    response["Cache-Control"] = "no-store"
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; a success ends the obligation to change a one-time password."""

    template_name = "coordination/people/password_change_form.html"  # says why the password must be changed

    def get_context_data(self, **kwargs):
        profile = getattr(self.request.user, "profile", None)
        return super().get_context_data(
            **kwargs, password_expired=password_expired(profile), max_age_days=settings.PASSWORD_MAX_AGE_DAYS
        )

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=form.user)
        return response


@login_required
def user_list(request):
    people_perms.check_list_users(request.user)
    form = UserFilterForm(request.GET or None, working_groups=people_perms.working_groups_for_user(request.user))
    filters = {k: v for k, v in list_filters(form).items() if v not in (None, "")}
    users = people_selectors.user_list(people_perms.users_for_user(request.user), **filters)
    return render(
        request,
        "coordination/people/user_list.html",
        {**list_page(request, form, users, PER_PAGE), "creates": people_perms.can_manage_users(request.user)},
    )


def _user_form(request, data=None, **kwargs) -> UserForm:
    return UserForm(
        data,
        roles=people_perms.roles_for_user(request.user),
        working_groups=people_perms.working_groups_for_user(request.user),
        **kwargs,
    )


def _checked_fields(request, form, **known) -> dict:
    """The valid form's fields (they are the service's arguments) and `known`, once the user is found to be allowed
    to give the role and working group chosen (403 otherwise)."""
    data = form.cleaned_data
    people_perms.check_may_assign(request.user, data["role"], data.get("working_group"))
    return {**known, **data}


@login_required
def user_create(request):
    people_perms.check_manage_users(request.user)
    form = _user_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, **_checked_fields(request, form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            context = {"person": user, "password": user.one_time_password, "created": True}
            return _once(render(request, "coordination/people/one_time_password.html", context))
    return render(request, "coordination/people/user_form.html", {"form": form, "person": None})


@login_required
def user_detail(request, pk: int):
    person = people_perms.get_managed_user_for_user(request.user, pk)
    return render(
        request,
        "coordination/people/user_detail.html",
        {
            "person": person,
            "profile": getattr(person, "profile", None),
            "grants": people_selectors.grants_in_words(person),
            "events": people_selectors.role_events(person),
            "is_self": person.pk == request.user.pk,
            "may": {perm: people_perms.may(request.user, person, perm) for perm in people_perms.ACTIONS},
            "locked": people_selectors.is_locked_out(person),
            "two_factor": two_factor.enabled_for(person),
        },
    )


def _edit_fields(request, form, *, user, shows: str) -> dict:
    """The service's arguments of a valid edit: a form without the role keeps the person's role and units; a role
    chosen is checked as on a new account (403 unless the actor may give it)."""
    if shows == PERSON:
        profile = user.profile
        held = {name: getattr(profile, name) for name in people_perms.GRANT_FIELDS}
        return {**form.cleaned_data, **held, "user": user}
    return _checked_fields(request, form, user=user)


@login_required
def user_edit(request, pk: int):
    """The person's details, role and unit; the security administrator's form (三员分立) has only the role and
    unit, and the form of one's own account only the details (nobody grants themselves a role)."""
    person = people_perms.get_managed_user_for_user(request.user, pk)
    change, grant = (people_perms.may(request.user, person, perm) for perm in (people_perms.CHANGE, people_perms.GRANT))
    if not (change or grant):
        raise PermissionDenied
    shows = ALL if change and grant else (GRANT if grant else PERSON)
    profile = getattr(person, "profile", None)
    if shows == PERSON and profile is None:
        raise PermissionDenied
    initial = {"email": person.email}
    if profile is not None:
        initial.update(
            full_name=profile.full_name,
            phone=profile.phone,
            role=profile.role,
            org_unit=profile.org_unit if profile.org_unit.level != OrgUnit.Level.MUNICIPAL else None,
            working_group=profile.working_group,
            member_unit=profile.member_unit,
        )
    form = _user_form(request, request.POST or None, initial=initial, editing=True, shows=shows)
    fields = partial(_edit_fields, request, user=person, shows=shows)
    then, success = reverse("user-detail", args=[person.pk]), _("已保存，权限即时生效。")
    template = "coordination/people/user_form.html"
    return form_page(
        request, form, template, {"person": person}, services.user_update, fields, success=success, then=then
    )


# Stop or restore an account (the detail page's confirmed POST), then show the person again.
_account_step = partial(step_view, people_perms.get_managed_user_for_user, key="user", back="user-detail")
user_deactivate = _account_step(
    people_perms.DEACTIVATE, services.user_deactivate, gettext_lazy("账号已停用，其登录和接口令牌已立即失效。")
)
user_reactivate = _account_step(people_perms.CHANGE, services.user_reactivate, gettext_lazy("账号已恢复使用。"))


@login_required
@require_POST
def user_reset_password(request, pk: int):
    person = people_perms.get_managed_user_for_user(request.user, pk, people_perms.RESET_PASSWORD)
    password = services.user_reset_password(actor=request.user, user=person)
    context = {"person": person, "password": password, "created": False}
    return _once(render(request, "coordination/people/one_time_password.html", context))


user_unlock = _account_step(people_perms.UNLOCK, services.user_unlock, gettext_lazy("账号已解除锁定，可以重新登录。"))
user_two_factor_reset = _account_step(
    people_perms.RESET_TWO_FACTOR,
    two_factor.two_factor_reset,
    gettext_lazy(
        "双因素认证已重置，该用户已退出登录；下次登录时须重新绑定认证应用（其角色不要求的，可只用密码登录）。"
    ),
)


@login_required
def user_import(request):
    people_perms.check_manage_users(request.user)
    form = UserImportForm(request.POST or None, request.FILES or None)
    problems, imported = [], []
    if request.method == "POST" and form.is_valid():
        try:
            imported = services.users_import(actor=request.user, data=form.cleaned_data["file"].read())
        except people_imports.ImportRejected as rejected:
            problems = rejected.problems
    response = render(
        request, "coordination/people/user_import.html", {"form": form, "problems": problems, "imported": imported}
    )
    return _once(response) if imported else response


@login_required
def user_import_template(request):
    people_perms.check_manage_users(request.user)
    content = people_imports.template_workbook(
        units=[unit.name for unit in district_and_town_units()],
        groups=[group.name for group in people_perms.working_groups_for_user(request.user)],
        member_units=people_selectors.active_member_unit_names(),
    )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, "用户导入模板.xlsx")
    return response


@login_required
def officer_registry(request):
    districts = people_perms.get_registry_districts_for_user(request.user)
    form = RegistryFilterForm(request.GET or None, districts=districts)
    chosen = form.cleaned_data.get("district") if form.is_valid() else None
    shown = [chosen] if chosen else districts  # the form chose it among `districts`
    return render(
        request,
        "coordination/people/officer_registry.html",
        {"form": form, "registry": people_selectors.officer_registry(list(shown)), "chosen": chosen},
    )
