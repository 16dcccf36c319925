"""The code asked at sign-in and at enrolment (coordination.two_factor_views)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("动态验证码"),
        max_length=32,
        help_text=_("认证应用中当前显示的6位数字；手机不在身边时，可输入一个恢复码（每个只能用一次）。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
