"""The indicator catalogue's form (SPEC §7, R-1.7): months are typed as YYYY-MM."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tianjin_towns.lib import dates
from tianjin_towns.lib.pages import add_service_errors

from .models import Indicator


class MonthField(forms.CharField):
    """'YYYY-MM' → the month's first day; empty → None (always)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"placeholder": "例如 2027-01", "inputmode": "numeric", "autocomplete": "off"})

    def prepare_value(self, value):
        return dates.format_period(value) if isinstance(value, datetime.date) else value

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        try:
            return dates.parse_period(text)
        except ValueError:
            raise ValidationError(_("请按“年-月”格式填写月份，例如 2027-01。")) from None


class IndicatorForm(forms.ModelForm):
    active_from = MonthField(label=_("启用月份"), help_text=_("从该月的月报起必须填报；留空表示一直适用。"))
    active_to = MonthField(
        label=_("停用月份"), help_text=_("最后一个需要填报的月份；留空表示一直适用。停用指标即填写此项。")
    )

    class Meta:
        model = Indicator
        fields = ["code", "name", "unit", "kind", "keeps_cumulative", "part_of", "decimal_places", "order"]
        labels = {"code": _("代码（接口和导入模板使用，英文小写）")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["active_from"].initial = self.instance.active_from
            self.fields["active_to"].initial = self.instance.active_to
            self.fields["part_of"].queryset = Indicator.objects.exclude(pk=self.instance.pk)
        self.fields["part_of"].empty_label = _("（不是其中项）")
        self.fields["kind"].choices = Indicator.Kind.choices
        self.fields["decimal_places"].widget.attrs["max"] = 4
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if self.is_bound and name in self.errors:
                css += " is-invalid"
            field.widget.attrs["class"] = css

    def clean_decimal_places(self):
        places = self.cleaned_data["decimal_places"]
        if places > 4:
            raise ValidationError(_("小数位数最多为4位。"))
        return places

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("active_from"), cleaned.get("active_to")
        if start and end and end < start:
            self.add_error("active_to", _("停用月份不能早于启用月份。"))
        return cleaned

    def service_fields(self) -> dict:
        names = [*self.Meta.fields, "active_from", "active_to"]
        return {name: self.cleaned_data.get(name) for name in names}

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)

    def _post_clean(self):
        # The service validates and saves; the ModelForm's own instance checks would run before it.
        pass
