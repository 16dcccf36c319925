"""The signed-in user's own account: the 「API令牌」 page (list and revoke one's tokens), and the password
reset by e-mail, whose e-mails are limited per address, per account and per client address, and whose new password
counts as a change of the account's password."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tianjin_towns import security

from . import token_selectors
from .services import people as people_services
from .services import tokens as token_services


@login_required
def api_token_list(request):
    tokens = token_selectors.api_tokens_in_force(request.user)
    return render(
        request,
        "coordination/account/api_token_list.html",
        {"tokens": tokens, "lifetime_days": settings.API_TOKEN_LIFETIME_DAYS},
    )


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    token = token_selectors.get_api_token_for_user(request.user, pk)
    token_services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("令牌 %(prefix)s… 已撤销，使用它的程序需重新获取令牌。") % {"prefix": token.prefix})
    return redirect("api-token-list")


class LimitedPasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, except that each e-mail first passes the hourly limits
    (coordination.services.tokens.password_reset_mail_allow); one beyond them is not sent."""

    client_ip: str | None = None

    def save(self, *args, request=None, **kwargs):
        self.client_ip = security.client_ip(request) if request is not None else None
        return super().save(*args, request=request, **kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        if token_services.password_reset_mail_allow(user=context["user"], email=to_email, ip=self.client_ip):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """Whatever happens (no such address, a limit reached), the next page says the same: the page never
    tells whether an account has that address."""

    form_class = LimitedPasswordResetForm


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's, except that a password set through a reset link is a change of the account's password like any
    other (services.people.user_password_changed): a one-time password's obligation ends, the account's API tokens
    end, and the security audit records it."""

    def form_valid(self, form):
        response = super().form_valid(form)
        people_services.user_password_changed(user=form.user)
        return response
