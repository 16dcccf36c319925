"""The filters of 系统管理 → 安全审计, shared by the list and its export (their names are the selector's arguments)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tianjin_towns.lib.dates import chinese_date

from .forms import DateInput
from .models import SecurityEvent, SecurityEventKind


class SecurityEventFilterForm(forms.Form):
    user = forms.CharField(label=_("用户"), max_length=150, required=False)
    kind = forms.ChoiceField(label=_("事件"), required=False, choices=[("", _("全部事件")), *SecurityEventKind.choices])
    result = forms.ChoiceField(
        label=_("结果"), required=False, choices=[("", _("全部结果")), *SecurityEvent.Result.choices]
    )
    since = forms.DateField(label=_("起始日期"), required=False, widget=DateInput())
    until = forms.DateField(label=_("截止日期"), required=False, widget=DateInput())
    ip = forms.CharField(label=_("地址"), max_length=45, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].widget.attrs["placeholder"] = _("用户名或姓名")
        self.fields["ip"].widget.attrs["placeholder"] = _("如 10.12.0.8")

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("截止日期不能早于起始日期。"))
        return data

    def described(self) -> list[str]:
        """The filters chosen, in words (e.g. “事件：登录失败”), for the exported workbook; once the form is valid."""
        words = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            if isinstance(field, forms.ChoiceField):
                value = dict(field.choices)[value]
            elif name in ("since", "until"):
                value = chinese_date(value)
            words.append(f"{field.label}：{value}")
        return words
