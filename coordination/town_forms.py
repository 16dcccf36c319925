"""Forms of the town pages (R-1.1, R-1.2): a town's attributes, a lifecycle step, an annual list decision
and the list's filters. They parse; coordination.services.towns checks the lifecycle."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tianjin_towns.lib import dates
from tianjin_towns.lib.fields import text_area

from . import services
from .forms import DateInput
from .models import OrgUnit, Town, TownListDecision, TownStatus


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class MonthField(forms.DateField):
    """A month (YYYY-MM) as the first day of that month."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_error_messages = {"invalid": _("请按“年-月”填写月份，例如 2026-01。")}

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class TownFilterForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("所属区"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("全部区")
    )
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *TownStatus.choices])
    level = forms.ChoiceField(label=_("级别"), required=False, choices=[("", _("全部级别")), *Town.Level.choices])
    batch = forms.IntegerField(label=_("批次"), required=False, min_value=1, max_value=99)
    q = forms.CharField(label=_("名称或编码"), required=False, max_length=100)

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts


class TownForm(forms.Form):
    """All R-1.1 attributes, named as services.town_create and town_update name them. Editing leaves out
    the district, code, status and first month (fixed at creation; the status moves by lifecycle steps)
    and asks why when the name changes."""

    district = forms.ModelChoiceField(label=_("所属区"), queryset=OrgUnit.objects.none(), empty_label=None)
    code = forms.CharField(label=_("编码"), max_length=32, help_text=_("例如 12011004，创建后不能修改"))
    name = forms.CharField(label=_("小镇名称"), max_length=100)
    host_township = forms.CharField(label=_("所在街镇"), max_length=50)
    lead_industry = forms.CharField(label=_("主导产业"), max_length=100)
    planning_area_km2 = forms.DecimalField(
        label=_("规划面积（平方公里）"), required=False, min_value=0, max_digits=8, decimal_places=2
    )
    construction_land_mu = forms.DecimalField(
        label=_("建设用地（亩）"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    level = forms.ChoiceField(label=_("级别"), choices=Town.Level.choices, initial=Town.Level.MUNICIPAL)
    national_list = forms.BooleanField(label=_("列入国家级特色小镇名单"), required=False)
    batch = forms.IntegerField(label=_("批次"), min_value=1, max_value=99, initial=1)
    named_on = forms.DateField(label=_("命名日期"), required=False, widget=DateInput())
    creation_subject = forms.CharField(label=_("创建主体"), max_length=100, required=False)
    chief_leader = forms.CharField(label=_("主要领导（负总责）"), max_length=50, required=False)
    leader_in_charge = forms.CharField(label=_("分管领导（具体抓）"), max_length=50, required=False)
    status = forms.ChoiceField(
        label=_("初始状态"),
        choices=[(status.value, status.label) for status in services.INITIAL_STATUSES],
        initial=TownStatus.RESERVE,
    )
    reporting_from = MonthField(label=_("起报月份"), help_text=_("从该月起按月填报统计数据"))
    document_no = forms.CharField(label=_("列入名单文号"), max_length=100, required=False)
    decided_on = forms.DateField(
        label=_("列入名单日期"), required=False, widget=DateInput(), help_text=_("不填时以起报月份第一天记录")
    )
    reason = text_area(
        _("修改原因"), max_length=500, rows=2, required=False, help_text=_("更名时必填，名称变更记录将保留原名称")
    )

    CREATE_ONLY = ("district", "code", "status", "reporting_from", "document_no", "decided_on")

    def __init__(self, *args, districts=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            for name in self.CREATE_ONLY:
                del self.fields[name]
        else:
            self.fields["district"].queryset = districts
            self.fields["reporting_from"].initial = dates.month_start(dates.today())
            del self.fields["reason"]


class TownStatusForm(forms.Form):
    """One lifecycle step: only the steps allowed from the town's current status are offered."""

    status = forms.ChoiceField(label=_("变更为"), widget=forms.RadioSelect)
    decided_on = forms.DateField(label=_("决定日期"), widget=DateInput())
    document_no = forms.CharField(label=_("文号"), max_length=100, help_text=_("例如 津特镇办〔2026〕5号"))
    batch = forms.IntegerField(label=_("批次"), required=False, min_value=1, max_value=99)
    reason = text_area(_("依据"), max_length=2000, rows=3)

    def __init__(self, *args, town: Town, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, TownStatus(s).label) for s in services.town_next_statuses(town)]
        self.fields["decided_on"].initial = dates.today()


class TownListDecisionForm(forms.Form):
    """An annual list decision: its document, then one select per town (`status_<id>`, blank = unchanged).

    Each select accepts any status: the service refuses a step the lifecycle does not allow and names the
    town, and nothing is saved. The page offers only the allowed steps."""

    title = forms.CharField(label=_("决定名称"), max_length=200, help_text=_("例如 2026年度市级特色小镇创建名单"))
    kind = forms.ChoiceField(label=_("名单类别"), choices=TownListDecision.Kind.choices)
    document_no = forms.CharField(label=_("文号"), max_length=100)
    decided_on = forms.DateField(label=_("决定日期"), widget=DateInput())
    batch = forms.IntegerField(label=_("批次"), required=False, min_value=1, max_value=99)
    reason = text_area(_("依据"), max_length=2000, rows=2, required=False, help_text=_("不填时以决定名称作为每个小镇状态变更的依据"))  # fmt: skip

    def __init__(self, *args, towns: list[Town], **kwargs):
        super().__init__(*args, **kwargs)
        self.towns = towns
        self.fields["decided_on"].initial = dates.today()
        choices = [("", _("不变")), *TownStatus.choices]
        for town in towns:
            self.fields[f"status_{town.pk}"] = forms.ChoiceField(label=town.name, choices=choices, required=False)

    def rows(self) -> list[dict]:
        """One row per town for the table: the town, its select, the steps offered (and the one chosen, even
        if refused) and whether the service's error names it."""
        refused = [str(error) for error in self.non_field_errors()] if self.is_bound else []
        rows = []
        for town in self.towns:
            field = self[f"status_{town.pk}"]
            options = [(s, TownStatus(s).label) for s in services.town_next_statuses(town)]
            chosen = field.value()
            if chosen in TownStatus.values and chosen not in dict(options):
                options.append((chosen, TownStatus(chosen).label))
            named = any(message.startswith(f"{town.name}：") for message in refused)
            rows.append({"town": town, "field": field, "options": options, "refused": named})
        return rows

    def decision(self) -> dict:
        """services.town_list_decide's arguments: the decision's own fields and the towns' steps."""
        fields = {name: value for name, value in self.cleaned_data.items() if not name.startswith("status_")}
        return {**fields, "entries": self.entries()}

    def entries(self) -> list[tuple[Town, str]]:
        data = self.cleaned_data
        return [(town, data[f"status_{town.pk}"]) for town in self.towns if data.get(f"status_{town.pk}")]

    def clean(self):
        data = super().clean()
        if not self.errors and not self.entries():
            raise forms.ValidationError(_("请至少为一个小镇选择新状态。"))
        return data
