"""Forms of the assessment pages. They parse and render; the services check the invariants."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coordination.models import OrgUnit
from ledgers.models import Indicator
from tianjin_towns.lib import dates
from tianjin_towns.lib.fields import figure_field, written_text
from tianjin_towns.lib.pages import add_service_errors

from .models import ItemKind, RunKind, Sanction, Scheme, SchemeItem, SelfEvaluationKind
from .services import SCHEME_FIELDS


def style(form: forms.Form) -> None:
    """Bootstrap classes on every widget."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def year_choices(around: int | None = None) -> list[tuple[int, str]]:
    this_year = around or dates.today().year
    return [(y, _("%(year)s年") % {"year": y}) for y in range(this_year + 1, this_year - 5, -1)]


class YearDistrictForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())
    district = forms.ModelChoiceField(
        label=_("区"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("全部区")
    )

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()
        self.fields["district"].queryset = districts
        style(self)


class TargetForm(forms.Form):
    """One text field per active indicator; the service parses the figures and names the bad ones."""

    def __init__(self, *args, indicators: list[Indicator], values: dict, **kwargs):
        initial = {code: format(value.normalize(), "f") for code, value in values.items()}
        super().__init__(*args, initial=initial, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[indicator.code] = figure_field(indicator.name)

    def values(self) -> dict[str, str]:
        return {i.code: self.cleaned_data.get(i.code, "") for i in self.indicators}

    def rows(self):
        return [(indicator, self[indicator.code]) for indicator in self.indicators]

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)


class TargetImportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())
    file = forms.FileField(
        label=_("年度计划表"),
        help_text=_("请使用本页下载的模板（.xlsx）；整份文件全部正确才会导入。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()
        style(self)


class SchemeForm(forms.ModelForm):
    class Meta:
        model = Scheme
        fields = list(SCHEME_FIELDS)  # what services.scheme_save takes
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class SchemeItemForm(forms.ModelForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = SchemeItem
        fields = ["name", "kind", "weight", "indicator", "cap", "floor", "late_credit", "guidance"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.filter(active=True).order_by("order", "code")
        self.fields["indicator"].empty_label = _("（不适用）")
        self.fields["indicator"].required = False
        self.fields["kind"].choices = [("", _("选择计分规则")), *ItemKind.choices]
        self.fields["weight"].widget.attrs.update({"data-weight": "1", "step": "0.5", "min": "0"})
        for name in ("cap", "floor", "late_credit"):
            self.fields[name].required = False
        style(self)
        for field in self.fields.values():
            field.widget.attrs["class"] += " form-control-sm" if "form-control" in field.widget.attrs["class"] else ""
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] += " form-select-sm"

    def data_for_service(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        data["id"] = self.cleaned_data.get("id")
        return data


class BaseSchemeItemFormSet(forms.BaseFormSet):
    def items(self) -> list[dict]:
        """The items kept in the form's order: filled rows that are not marked for deletion."""
        items = []
        for form in self.forms:
            data = form.cleaned_data
            if data.get("DELETE") or not data.get("kind"):
                continue  # an untouched blank row, or a row marked for deletion
            items.append(form.data_for_service())
        return items


SchemeItemFormSet = forms.formset_factory(
    SchemeItemForm, formset=BaseSchemeItemFormSet, extra=2, can_delete=True, max_num=30, validate_max=True
)


def item_initial(item: SchemeItem) -> dict:
    return {
        "id": item.pk,
        "name": item.name,
        "kind": item.kind,
        "weight": item.weight,
        "indicator": item.indicator_id,
        "cap": item.cap,
        "floor": item.floor,
        "late_credit": item.late_credit,
        "guidance": item.guidance,
    }


class RunCreateForm(forms.Form):
    scheme = forms.ModelChoiceField(label=_("考核方案"), queryset=Scheme.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("类别"), choices=RunKind.choices)
    title = forms.CharField(label=_("名称"), required=False, max_length=100, help_text=_("留空则自动命名"))

    def __init__(self, *args, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes
        style(self)


class ManualScoreForm(forms.Form):
    """The group's points and justification for every manual item and town of a run (one pair of fields each)."""

    def __init__(self, *args, items: list[SchemeItem], towns: list, scores: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.items, self.towns = items, towns
        for item in items:
            for town in towns:
                current = scores.get((item.pk, town.pk))
                self.fields[f"score-{item.pk}-{town.pk}"] = forms.CharField(
                    required=False,
                    max_length=8,
                    initial=format(current.score.normalize(), "f") if current else "",
                    widget=forms.TextInput(
                        attrs={
                            "class": "form-control form-control-sm text-end",
                            "inputmode": "decimal",
                            "aria-label": f"{town.name} {item.name}",
                        }
                    ),
                )
                self.fields[f"why-{item.pk}-{town.pk}"] = forms.CharField(
                    required=False,
                    max_length=2000,
                    initial=current.justification if current else "",
                    widget=forms.Textarea(
                        attrs={
                            "class": "form-control form-control-sm",
                            "rows": 1,
                            "placeholder": _("评分依据"),
                            "aria-label": f"{town.name} {item.name} {_('评分依据')}",
                        }
                    ),
                )

    def rows(self):
        return [
            {
                "town": town,
                "cells": [
                    (item, self[f"score-{item.pk}-{town.pk}"], self[f"why-{item.pk}-{town.pk}"]) for item in self.items
                ],
            }
            for town in self.towns
        ]

    def entries(self):
        return [
            (item, town, self.cleaned_data[f"score-{item.pk}-{town.pk}"], self.cleaned_data[f"why-{item.pk}-{town.pk}"])
            for item in self.items
            for town in self.towns
        ]

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error, aliases={key: f"score-{key}" for key in getattr(error, "error_dict", {})})


class SanctionDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("处理决定"), choices=Sanction.choices, widget=forms.RadioSelect)
    reason = written_text(
        _("理由"),
        _("请填写作出该决定的理由。"),
        rows=3,
        placeholder=_("确认或改变建议处理的理由，将记入小镇状态变更记录。"),
    )
    decided_on = forms.DateField(
        label=_("决定日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"


class SelfEvaluationForm(forms.Form):
    self_score = forms.CharField(
        label=_("自评得分"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": _("0–100")}),
    )
    summary = forms.CharField(
        label=_("目标完成情况"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("对照年度计划，简述本期各项目标的完成情况。")}),
    )
    problems_found = forms.CharField(
        label=_("自查发现的问题"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("逐条列出，没有问题请写“无”。")}),
    )
    corrections = forms.CharField(
        label=_("整改措施"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("针对上述问题的整改措施、责任人和时限。")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)


class SelfEvaluationFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())
    kind = forms.ChoiceField(label=_("类别"), choices=SelfEvaluationKind.choices)
    district = forms.ModelChoiceField(
        label=_("区"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("全部区")
    )
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("", _("全部")),
            ("overdue", _("逾期未交")),
            ("late", _("逾期提交")),
            ("submitted", _("按时提交")),
            ("open", _("未到期")),
        ],
    )

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()
        self.fields["district"].queryset = districts
        style(self)
