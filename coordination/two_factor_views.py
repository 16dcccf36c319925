"""The pages of two-factor sign-in (coordination.two_factor): the code asked after the password, the enrolment of an
authenticator app with its QR code, and 账号安全, where a user turns it on or off and renews the recovery codes.

The recovery codes are rendered in the response of the POST that made them and stored nowhere in clear: shown once."""

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tianjin_towns.lib.pages import add_service_errors

from . import two_factor
from .two_factor_forms import TokenForm


def _next(request) -> str:
    """Where to go once done: the page the user asked for, if it is one of ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=False)
    return wanted if wanted and safe else "/"


def _codes_page(request, codes: list[str], *, enrolled: bool):
    response = render(
        request,
        "coordination/account/recovery_codes.html",
        {"codes": codes, "enrolled": enrolled, "next": _next(request)},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def two_factor_verify(request):
    """After the password: the app's code or a recovery code. A user who owes none goes on."""
    if request.user.is_verified() or not two_factor.owed_at_login(request.user):
        return redirect(_next(request))
    if not two_factor.enabled_for(request.user):
        return redirect(f"{reverse('two-factor-setup')}?{urlencode({'next': _next(request)})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.two_factor_check(user=request.user, token=form.cleaned_data["token"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            django_otp.login(request, device)  # the session is verified from now on
            return redirect(_next(request))
    return render(request, "coordination/account/two_factor_verify.html", {"form": form, "next": _next(request)})


@login_required
def two_factor_setup(request):
    """Enrol an authenticator app: scan the QR code (or type the secret), confirm with the code it shows. A user who
    has an app already replaces it only once signed in with it (账号安全)."""
    if two_factor.enabled_for(request.user) and not request.user.is_verified():
        return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': _next(request)})}")
    device = two_factor.pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.two_factor_enrol(user=request.user, device=device, token=form.cleaned_data["token"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            django_otp.login(request, device)  # the session is verified from now on
            return _codes_page(request, codes, enrolled=True)
    context = {
        "form": form,
        "qr": two_factor.qr_svg(device),
        "secret": two_factor.secret_text(device),
        "required": two_factor.required_for(request.user),
        "next": _next(request),
    }
    return render(request, "coordination/account/two_factor_setup.html", context)


@login_required
def account_security(request):
    """账号安全: whether the account signs in with two factors, and what the user may change of it."""
    context = {
        "enabled": two_factor.enabled_for(request.user),
        "required": two_factor.required_for(request.user),
        "codes_left": two_factor.recovery_codes_left(request.user),
    }
    return render(request, "coordination/account/account_security.html", context)


@login_required
@require_POST
def recovery_codes_renew(request):
    try:
        codes = two_factor.recovery_codes_renew(user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("account-security")
    return _codes_page(request, codes, enrolled=False)


@login_required
@require_POST
def two_factor_disable(request):
    two_factor.two_factor_disable(user=request.user)
    messages.success(request, _("已停用双因素认证，今后只用密码登录。"))
    return redirect("account-security")
