"""Forms of the project ledger pages (重点项目台账, R-3.3). They parse; the services check the rest."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coordination.models import OrgUnit, Town
from tianjin_towns.lib import dates
from tianjin_towns.lib.fields import text_area
from tianjin_towns.lib.pages import add_service_errors

from .evidence import ACCEPT as ACCEPT_FILES
from .forms import TownChoiceField
from .models import Project

SEARCH_MAX = 100
BLANK_PLAN_ROWS = 3  # empty year rows offered under the stored plans


class ProjectFilterForm(forms.Form):
    """The list's GET filter; the selects offer only what the user sees."""

    district = forms.ModelChoiceField(
        label=_("区"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("全部区")
    )
    town = TownChoiceField(label=_("小镇"), queryset=Town.objects.none(), required=False, empty_label=_("全部小镇"))
    status = forms.ChoiceField(
        label=_("项目状态"), required=False, choices=[("", _("全部状态")), *Project.Status.choices]
    )
    category = forms.ChoiceField(
        label=_("项目类别"), required=False, choices=[("", _("全部类别")), *Project.Category.choices]
    )
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None, choices=())
    q = forms.CharField(label=_("编号、名称或业主"), required=False, max_length=SEARCH_MAX)

    def __init__(self, *args, districts, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["town"].queryset = towns.select_related("unit").order_by("district__order", "unit__order")
        this_year = dates.today().year
        self.fields["year"].choices = [("", _("全部年度"))] + [
            (year, _("%(year)s年") % {"year": year}) for year in range(this_year + 1, this_year - 6, -1)
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProjectForm(forms.Form):
    """A project's identity, dates and its plans by year (rows of year + amount).

    On creation the town is chosen among those the user manages; the code then stays as registered.
    """

    town = TownChoiceField(label=_("所属小镇"), queryset=Town.objects.none(), empty_label=_("请选择小镇"))
    code = forms.CharField(label=_("项目编号"), max_length=40)
    name = forms.CharField(label=_("项目名称"), max_length=200)
    category = forms.ChoiceField(label=_("项目类别"), choices=Project.Category.choices)
    owner = forms.CharField(label=_("项目业主"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("项目状态"), choices=Project.Status.choices)
    content = text_area(_("建设内容"), max_length=2000, rows=3, required=False)
    total_investment = forms.DecimalField(label=_("计划总投资（万元）"), max_digits=14, decimal_places=2, min_value=0)
    land_mu = forms.DecimalField(
        label=_("用地面积（亩）"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    planned_start = forms.DateField(label=_("计划开工日期"), required=False, widget=DateInput())
    planned_finish = forms.DateField(label=_("计划竣工日期"), required=False, widget=DateInput())
    actual_start = forms.DateField(label=_("实际开工日期"), required=False, widget=DateInput())
    actual_finish = forms.DateField(label=_("实际竣工日期"), required=False, widget=DateInput())

    IDENTITY = ("name", "category", "owner", "status", "content", "total_investment", "land_mu")
    DATES = ("planned_start", "planned_finish", "actual_start", "actual_finish")

    def __init__(self, *args, towns=None, project: Project | None = None, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        stored_plans = list(project.year_plans.all()) if project else []
        if project is not None:
            initial.update({name: getattr(project, name) for name in (*self.IDENTITY, *self.DATES)})
        for index, plan in enumerate(stored_plans):
            initial[f"plan_year_{index}"] = plan.year
            initial[f"plan_amount_{index}"] = plan.amount
        super().__init__(*args, initial=initial, **kwargs)
        self.project = project
        self.stored_years = [plan.year for plan in stored_plans]
        if project is not None:
            del self.fields["town"]
            del self.fields["code"]
        else:
            self.fields["town"].queryset = towns.select_related("unit").order_by("district__order", "unit__order")
        self.plan_count = len(stored_plans) + BLANK_PLAN_ROWS
        for index in range(self.plan_count):
            self.fields[f"plan_year_{index}"] = forms.IntegerField(
                label=_("年度"), required=False, min_value=2000, max_value=2100
            )
            self.fields[f"plan_amount_{index}"] = forms.DecimalField(
                label=_("计划投资（万元）"), required=False, max_digits=14, decimal_places=2, min_value=0
            )
        for field in self.fields.values():
            label = str(field.label).split("（")[0]
            field.error_messages["required"] = _("请填写「%(field)s」。") % {"field": label}
            if isinstance(field, forms.DecimalField):
                field.error_messages.update(
                    invalid=_("「%(field)s」请填写数字。") % {"field": label},
                    min_value=_("「%(field)s」不能为负数。") % {"field": label},
                    max_decimal_places=_("「%(field)s」最多保留2位小数。") % {"field": label},
                    max_digits=_("「%(field)s」数值过大。") % {"field": label},
                    max_whole_digits=_("「%(field)s」数值过大。") % {"field": label},
                )
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _("「%(field)s」请按“年-月-日”填写日期。") % {"field": label}
        if "town" in self.fields:
            self.fields["town"].error_messages["invalid_choice"] = _("请选择您负责的小镇。")
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if self.is_bound and name in self.errors:
                css += " is-invalid"
            field.widget.attrs["class"] = css
            if name.startswith("plan_"):
                field.widget.attrs["class"] += " form-control-sm"

    def plan_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"plan_year_{i}"], self[f"plan_amount_{i}"]) for i in range(self.plan_count)]

    def clean(self):
        cleaned = super().clean()
        seen: dict[int, str] = {}
        for index in range(self.plan_count):
            year, amount = cleaned.get(f"plan_year_{index}"), cleaned.get(f"plan_amount_{index}")
            if year is None and amount is None:
                continue
            if year is None:
                if f"plan_year_{index}" not in self.errors:  # an invalid year says so already
                    self.add_error(f"plan_year_{index}", _("请填写年度。"))
            elif year in seen:
                self.add_error(f"plan_year_{index}", _("%(year)s年已填写过计划。") % {"year": year})
            else:
                seen[year] = f"plan_year_{index}"
        return cleaned

    def year_plans(self) -> list[dict]:
        """[{"year", "amount"}] of the rows filled in, and amount None for stored years left empty (removed)."""
        plans = {}
        for index in range(self.plan_count):
            year, amount = self.cleaned_data.get(f"plan_year_{index}"), self.cleaned_data.get(f"plan_amount_{index}")
            if year is not None:
                plans[year] = amount
        for year in self.stored_years:
            plans.setdefault(year, None)
        return [{"year": year, "amount": amount} for year, amount in sorted(plans.items())]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data.get(name) for name in (*self.IDENTITY, *self.DATES)}
        fields["owner"] = fields["owner"] or ""
        fields["content"] = fields["content"] or ""
        fields["year_plans"] = self.year_plans()
        return fields

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("附件"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_FILES, "class": "form-control"}),
        error_messages={"required": _("请选择要上传的文件。")},
    )
    note = forms.CharField(
        label=_("说明"), max_length=200, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
