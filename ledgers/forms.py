"""Forms of the report pages. They parse and render; the figures themselves are checked by the services."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coordination.models import OrgUnit, SharedKind, Town
from coordination.search_selectors import KEYWORD_MAX_LENGTH
from tianjin_towns.lib import dates
from tianjin_towns.lib.fields import figure_field, text_area, written_text

from .models import Indicator, MonthlyReport, Project, ProjectProgress, ReportStatus, WorkInfo
from .selectors import UNFILED

# How the entry form groups the catalogue; indicators added later by an administrator land in "其他指标".
INDICATOR_GROUPS: list[tuple[str, tuple[str, ...]]] = [
    (_("投资建设"), ("fixed_asset_investment", "industry_investment", "private_investment")),
    (_("税收与营收"), ("tax_revenue", "main_business_revenue")),
    (_("土地与项目"), ("land_quota_granted", "land_supplied", "projects_started", "projects_completed")),
    (_("产业与人气"), ("new_enterprises", "employment", "tourists")),
]
OTHER_GROUP = _("其他指标")


class TownChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, town: Town) -> str:
        return town.unit.name


class MonthField(forms.CharField):
    """A month picked from a list (the form fills the choices), as "YYYY-MM"; cleaned to the month's first day,
    or None when left empty."""

    widget = forms.Select

    def __init__(self, *, invalid: str, **kwargs):
        super().__init__(**kwargs)
        self.invalid = invalid

    def clean(self, value) -> datetime.date | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return dates.parse_period(text)
        except ValueError:
            raise ValidationError(self.invalid) from None


TYPED_MONTH = _("请按“年-月”格式填写月份，例如 2026-03。")
PICKED_MONTH = _("请按“年-月”格式选择月份，例如 2026-03。")


class ReportFilterForm(forms.Form):
    """The report list's GET filter; every select offers only what the user sees. With a month chosen the list
    has a line for each town that owes it, so the status offers 未填报 (the towns without a report) too."""

    month = MonthField(label=_("月份"), required=False, invalid=TYPED_MONTH)
    district = forms.ModelChoiceField(
        label=_("区"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("全部区")
    )
    town = TownChoiceField(label=_("小镇"), queryset=Town.objects.none(), required=False, empty_label=_("全部小镇"))
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *ReportStatus.choices, (UNFILED, _("未填报（须选月份）"))],
    )
    # What the keyword matches is selectors.reports_matching's (the search across the platform links here).
    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=KEYWORD_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": _("小镇、区、月份或状态"), "type": "search"}),
    )

    def __init__(self, *args, districts, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["town"].queryset = towns.select_related("unit")
        self.fields["month"].widget.choices = [("", _("全部月份")), *_month_choices(self.data.get("month"))]
        _style(self)


class _ReadOnce(forms.ChoiceField):
    """A choice among a few objects read once per form (the districts, the indicators): the options and the
    validation both come from that list. A ModelChoiceField runs its queryset again on every render (through a
    server-side cursor) and once more to validate; on the ledger page, a third of the request."""

    def __init__(self, *, objects, key, label_of, empty_label=None, **kwargs):
        self.objects = {str(key(o)): o for o in objects}
        empty = [("", empty_label)] if empty_label is not None else []
        super().__init__(choices=[*empty, *((k, label_of(o)) for k, o in self.objects.items())], **kwargs)

    def clean(self, value):
        value = super().clean(value)  # required, and one of the choices
        return self.objects.get(value) if value not in (None, "") else None


class LedgerFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())

    def __init__(self, *args, districts, indicators, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, _("%(year)s年") % {"year": y}) for y in years]
        self.fields["district"] = _ReadOnce(
            label=_("区"),
            objects=list(districts),
            key=lambda d: d.pk,
            label_of=lambda d: d.name,
            required=False,
            empty_label=_("全部区"),
        )
        self.fields["indicator"] = _ReadOnce(
            label=_("指标"), objects=list(indicators), key=lambda i: i.code, label_of=lambda i: f"{i.name}（{i.unit}）"
        )
        _style(self)


class ReturnForm(forms.Form):
    reason = written_text(
        _("退回原因"),
        _("退回时必须填写退回原因。"),
        placeholder=_("请写明需要修改的指标和原因，填报人将看到这段说明。"),
    )


class AcceptForm(forms.Form):
    """The accept dialog: a waiver reason (豁免理由) for each open flag the district has not explained.

    The fields are optional here: the service refuses an acceptance that leaves such a flag without one,
    naming the flags, so the page and the API say the same thing.
    """

    def __init__(self, *args, flags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.flags = list(flags)
        for flag in self.flags:
            self.fields[f"waiver-{flag.pk}"] = text_area(
                _("「%(field)s」豁免理由") % {"field": flag.indicator.name},
                max_length=2000,
                rows=2,
                placeholder=_("为什么无需区里说明即可验收"),
                required=False,
            )
            self.fields[f"waiver-{flag.pk}"].flag = flag

    def waivers(self) -> dict[str, str]:
        """flag id → reason, for the reasons filled in."""
        return {
            str(flag.pk): self.cleaned_data[f"waiver-{flag.pk}"]
            for flag in self.flags
            if self.cleaned_data.get(f"waiver-{flag.pk}")
        }


class ReportEntryForm(forms.Form):
    """The monthly figures (one field per active indicator, named by its code) and the project progress rows.

    Fields are text: the service parses the figures and its errors are attached back to the fields.
    """

    PROGRESS_FIELDS = ("investment_month", "physical_progress", "problems")

    def __init__(
        self,
        *args,
        indicators: list[Indicator],
        project_rows: list[tuple[Project, ProjectProgress | None]],
        report: MonthlyReport,
        values: dict,
        flags: dict[str, list[str]] | None = None,
        notes: dict[str, str] | None = None,
        **kwargs,
    ):
        initial = {code: _plain(value) for code, value in values.items()}
        initial.update({f"note-{code}": text for code, text in (notes or {}).items()})
        for project, progress in project_rows:
            if progress is not None:
                initial[f"p{project.pk}-investment_month"] = _plain(progress.investment_month)
                initial[f"p{project.pk}-physical_progress"] = progress.physical_progress
                initial[f"p{project.pk}-problems"] = progress.problems
        super().__init__(*args, initial=initial, **kwargs)
        self.report = report
        self.indicators = indicators
        self.project_rows = project_rows
        self.flags = flags or {}  # indicator code → the soft rules' messages (R-3.5)
        for indicator in indicators:
            # A flagged figure is explained by a comment or an evidence file (原始记录); see issue 3.
            self.fields[f"note-{indicator.code}"] = text_area(_("情况说明"), max_length=2000, rows=2, required=False)
            self.fields[f"evidence-{indicator.code}"] = forms.FileField(label=_("原始记录"), required=False)
            self.fields[indicator.code] = figure_field(indicator.name)
        self.fields["evidence-report"] = forms.FileField(label=_("原始记录"), required=False)
        for project, _progress in project_rows:
            self.fields[f"p{project.pk}-investment_month"] = forms.CharField(
                label=_("本月完成投资"),
                required=False,
                max_length=32,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "autocomplete": "off", "class": "form-control text-end"}
                ),
            )
            self.fields[f"p{project.pk}-physical_progress"] = forms.CharField(
                label=_("形象进度"),
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
            self.fields[f"p{project.pk}-problems"] = forms.CharField(
                label=_("存在问题"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"class": "form-control", "rows": 1}),
            )

    # --- what the view hands to the services -------------------------------------------------------

    def values(self) -> dict[str, str]:
        return {i.code: self.cleaned_data.get(i.code, "") for i in self.indicators}

    def progress(self) -> list[dict]:
        """Rows for projects the user touched, or that already have a row in this report."""
        self._progress_projects = []
        rows = []
        for project, stored in self.project_rows:
            row = {name: self.cleaned_data.get(f"p{project.pk}-{name}", "") for name in self.PROGRESS_FIELDS}
            if stored is None and not any(row.values()):
                continue
            rows.append({"project": project.pk, **row})
            self._progress_projects.append(project)
        return rows

    def explanations(self) -> dict[str, str]:
        """The comments on flagged figures that were on the page (a cleared box clears the comment)."""
        return {
            i.code: self.cleaned_data.get(f"note-{i.code}", "")
            for i in self.indicators
            if f"note-{i.code}" in self.data
        }

    def evidence_files(self) -> list[tuple[Indicator | None, object]]:
        """Uploaded evidence: (indicator, file) per flagged figure, and (None, file) for the whole report."""
        uploads = [(i, self.cleaned_data.get(f"evidence-{i.code}")) for i in self.indicators]
        uploads.append((None, self.cleaned_data.get("evidence-report")))
        return [(indicator, upload) for indicator, upload in uploads if upload]

    def add_service_errors(self, error: ValidationError) -> None:
        """Attach a service's ValidationError: keys are indicator codes or `progress[<index>].<field>`."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.add_error(None, message)
            return
        projects = getattr(self, "_progress_projects", [])
        for key, errors in error.message_dict.items():
            field = key if key in self.fields else None
            if key.startswith("progress[") and "]." in key:
                index_text, name = key[len("progress[") :].split("].", 1)
                index = int(index_text) if index_text.isdigit() else -1
                if 0 <= index < len(projects):
                    candidate = f"p{projects[index].pk}-{name}"
                    field = candidate if candidate in self.fields else None
            for message in errors:
                self.add_error(field, message)

    # --- what the template renders -----------------------------------------------------------------

    def indicator_groups(self) -> list[tuple[str, list[dict]]]:
        by_code = {i.code: i for i in self.indicators}
        by_pk = {i.pk: i for i in self.indicators}
        placed: set[str] = set()
        groups = []
        for label, codes in INDICATOR_GROUPS:
            members = [by_code[c] for c in codes if c in by_code]
            if members:
                groups.append((label, members))
                placed.update(i.code for i in members)
        rest = [i for i in self.indicators if i.code not in placed]
        if rest:
            groups.append((OTHER_GROUP, rest))
        return [
            (
                label,
                [
                    {
                        "indicator": i,
                        "field": self[i.code],
                        "help": indicator_help(i, by_pk.get(i.part_of_id)),
                        "flags": self.flags.get(i.code),
                        "note": self[f"note-{i.code}"],
                        "evidence": self[f"evidence-{i.code}"],
                    }
                    for i in members
                ],
            )
            for label, members in groups
        ]

    def project_fields(self) -> list[dict]:
        return [
            {
                "project": project,
                "progress": progress,
                "investment_month": self[f"p{project.pk}-investment_month"],
                "physical_progress": self[f"p{project.pk}-physical_progress"],
                "problems": self[f"p{project.pk}-problems"],
            }
            for project, progress in self.project_rows
        ]


def indicator_help(indicator: Indicator, whole: Indicator | None = None) -> str:
    """What the entry form says under an indicator's field, from its catalogue row: what is counted (a flow
    summed over the months, or a stock at month end), its unit and decimals, and the whole it is part of."""
    if indicator.kind == Indicator.Kind.STOCK:
        parts = [_("存量指标，填本月末的数")]
    else:
        parts = [_("流量指标，填本月发生数，各月相加为全年数")]
    parts.append(_("单位：%(unit)s") % {"unit": indicator.unit})
    if indicator.decimal_places:
        parts.append(_("最多保留%(places)s位小数") % {"places": indicator.decimal_places})
    else:
        parts.append(_("填整数"))
    text = "，".join(str(part) for part in parts) + "。"
    if whole is not None:
        text += str(_("是「%(whole)s」的其中项，不能大于「%(whole)s」。") % {"whole": whole.name})
    return text


def _month_choices(selected: str | None, count: int = 36) -> list[tuple[str, str]]:
    """The last `count` ended months, newest first (plus an older month chosen through the URL)."""
    latest = dates.last_ended_period()
    months = [dates.add_months(latest, -offset) for offset in range(count)]
    try:
        chosen = dates.parse_period(selected) if selected else None
    except ValueError:
        chosen = None
    if chosen and chosen not in months:
        months.append(chosen)
    return [(dates.format_period(m), _("%(year)s年%(month)s月") % {"year": m.year, "month": m.month}) for m in months]


def _style(form: forms.Form) -> None:
    """Bootstrap classes on every widget, and is-invalid on fields with errors."""
    for name, field in form.fields.items():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        if form.is_bound and name in form.errors:
            css += " is-invalid"
        field.widget.attrs["class"] = css


def _plain(value) -> str:
    """A stored Decimal as the user typed it: 800.00 → '800', 8.50 → '8.5'."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- Data quality (issue 3) ------------------------------------------------------------------------


class ReasonForm(forms.Form):
    """A required reason: asking for a correction of accepted data, or refusing one."""

    reason = written_text(_("原因"), _("请填写原因。"))


class FlagResolveForm(forms.Form):
    note = forms.CharField(label=_("核实意见"), max_length=2000, required=False)


class GapsFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())
    district = forms.ModelChoiceField(
        label=_("区"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("全部区")
    )

    def __init__(self, *args, districts, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, _("%(year)s年") % {"year": y}) for y in years]
        self.fields["district"].queryset = districts
        _style(self)


class ImportForm(forms.Form):
    """Which district and month the uploaded template holds; the file itself is checked by the import."""

    district = forms.ModelChoiceField(label=_("区"), queryset=OrgUnit.objects.none(), empty_label=None)
    month = MonthField(label=_("月份"), invalid=PICKED_MONTH)
    file = forms.FileField(
        label=_("Excel文件"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"required": _("请选择要导入的 Excel 文件（.xlsx）。")},
    )

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["month"].widget.choices = _month_choices(self.data.get("month"), count=24)
        _style(self)


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("用户名"), required=False, max_length=150)
    town = TownChoiceField(label=_("小镇"), queryset=Town.objects.none(), required=False, empty_label=_("全部小镇"))
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns.select_related("unit")
        _style(self)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data


class EntryExceptionForm(forms.Form):
    town = TownChoiceField(label=_("小镇"), queryset=Town.objects.none(), empty_label=None)
    month = MonthField(label=_("月份"), invalid=PICKED_MONTH)
    expires_on = forms.DateField(label=_("有效期至"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = text_area(_("原因"), max_length=2000, rows=3)

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns.select_related("unit", "district").order_by(
            "district__order", "unit__order", "unit__code"
        )
        self.fields["town"].label_from_instance = lambda town: f"{town.district.name} · {town.unit.name}"
        self.fields["month"].widget.choices = _month_choices(self.data.get("month"), count=24)
        _style(self)


# --- Work information (R-3.2) ------------------------------------------------------------------------


class WorkInfoForm(forms.Form):
    """The officer's form; the service checks the content (so the API and the page say the same)."""

    org_unit = forms.ModelChoiceField(label=_("报送单位"), queryset=OrgUnit.objects.none(), empty_label=None)
    category = forms.ChoiceField(label=_("信息类别"), choices=WorkInfo.Category.choices)
    happened_on = forms.DateField(
        label=_("发生日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("请按“年-月-日”格式填写日期。")},
    )
    title = forms.CharField(label=_("标题"), max_length=120, widget=forms.TextInput(attrs={"maxlength": 120}))
    body = text_area(
        _("正文"),
        max_length=5000,
        rows=10,
        placeholder=_("写明时间、地点、参加人员、主要内容和取得的成效，500字以内为宜。"),
    )

    def __init__(self, *args, units, lock_unit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units
        self.fields["org_unit"].disabled = lock_unit  # a correction keeps its unit
        self.fields["org_unit"].label_from_instance = lambda unit: (
            f"{unit.parent.name} · {unit.name}" if unit.level == OrgUnit.Level.TOWN and unit.parent else unit.name
        )
        _style(self)


class WorkInfoFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=50)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *WorkInfo.Status.choices])
    category = forms.ChoiceField(
        label=_("信息类别"), required=False, choices=[("", _("全部类别")), *WorkInfo.Category.choices]
    )
    org_unit = forms.ModelChoiceField(
        label=_("区"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("全部区")
    )
    month = MonthField(label=_("月份"), required=False, invalid=TYPED_MONTH)

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = districts
        this_month = dates.month_start(dates.today())
        self.fields["month"].widget.choices = [
            ("", _("全部月份")),
            (
                dates.format_period(this_month),
                _("%(year)s年%(month)s月") % {"year": this_month.year, "month": this_month.month},
            ),
            *_month_choices(self.data.get("month"), count=24),
        ]
        _style(self)


class SharingForm(forms.Form):
    """What the office shares with one member unit (数据共享): the kinds of accepted record and the indicators;
    a box left unticked withholds it."""

    shared_kinds = forms.MultipleChoiceField(
        label=_("共享的数据类别"),
        choices=SharedKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("只共享市特镇办已验收的数据；草稿、已报送和区级审核通过的月报以及操作记录均不共享。"),
    )
    shared_indicators = forms.ModelMultipleChoiceField(
        label=_("共享的统计指标"),
        queryset=Indicator.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("未勾选的指标不出现在该单位看到的统计台账和导出中。"),
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, member_unit, **kwargs):
        indicators = Indicator.objects.filter(active=True).order_by("order", "code")
        withheld = set(member_unit.withheld_indicators.values_list("pk", flat=True))
        kwargs.setdefault(
            "initial",
            {
                "shared_kinds": [kind for kind in SharedKind.values if kind not in (member_unit.withheld_kinds or [])],
                "shared_indicators": [indicator.pk for indicator in indicators if indicator.pk not in withheld],
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["shared_indicators"].queryset = indicators
        self.fields["shared_indicators"].label_from_instance = lambda i: f"{i.name}（{i.unit}）"
        self.fields["note"].widget.attrs["class"] = "form-control"
