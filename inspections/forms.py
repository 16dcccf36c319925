"""Forms of the inspection pages. They parse and render (large touch targets on a phone); files are
checked here for a message on the field and again by the services, which own the invariants."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coordination.models import MemberUnit, OrgUnit, Town
from tianjin_towns.lib import dates
from tianjin_towns.lib.fields import text_area, written_text

from .models import Problem, ProblemCategory, ProblemStatus, Visit
from .services import NO_EVIDENCE_MESSAGE
from .uploads import DOCUMENT_ACCEPT, PHOTO_ACCEPT, check_uploads, max_upload_bytes


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files, each checked for type and size (uploads.check_upload)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        for file in files:
            super().clean(file, initial)
        check_uploads(files)
        return files


def photo_field(label=_("现场照片")) -> MultipleFileField:
    # capture="environment": a phone opens its back camera straight into the upload.
    return MultipleFileField(
        label=label,
        widget=MultipleFileInput(
            attrs={"accept": PHOTO_ACCEPT, "capture": "environment", "class": "form-control", "data-file-list": ""}
        ),
        help_text=_("可直接用手机拍照；支持 JPEG、PNG、WebP、HEIC，每个文件不超过 %(mb)s MB。")
        % {"mb": max_upload_bytes() // (1024 * 1024)},
    )


def document_field(label=_("相关文件")) -> MultipleFileField:
    return MultipleFileField(
        label=label,
        widget=MultipleFileInput(attrs={"accept": DOCUMENT_ACCEPT, "class": "form-control", "data-file-list": ""}),
        help_text=_("支持 PDF、Word（.docx）、Excel（.xlsx），每个文件不超过 %(mb)s MB。")
        % {"mb": max_upload_bytes() // (1024 * 1024)},
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "form-control", **(attrs or {})}, format="%Y-%m-%d")


class TownChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, town: Town) -> str:
        return town.unit.name


class TownMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, town: Town) -> str:
        return town.unit.name


class UploadsMixin:
    """Forms with photo and document fields: what was uploaded, photos first, for the service's `files`."""

    def uploads(self) -> list:
        return [*(self.cleaned_data.get("photos") or []), *(self.cleaned_data.get("documents") or [])]


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


# --- Visits ------------------------------------------------------------------------------------------


class VisitFilterForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("区"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("全部区")
    )
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *Visit.Kind.choices])
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DateInput())
    town = TownChoiceField(label=_("小镇"), queryset=Town.objects.none(), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, districts, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.fields["town"].queryset = towns
        _style(self)


class VisitForm(UploadsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Visit.Kind.choices, widget=forms.RadioSelect)
    district = forms.ModelChoiceField(label=_("区"), queryset=OrgUnit.objects.none(), empty_label=_("请选择区"))
    held_on = forms.DateField(label=_("督办日期"), widget=DateInput())
    title = forms.CharField(
        label=_("主题"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("例如：第三季度现场督办服务（东丽区）")}),
    )
    towns = TownMultipleChoiceField(
        label=_("走访小镇"), queryset=Town.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    member_units = forms.ModelMultipleChoiceField(
        label=_("参加成员单位"), queryset=MemberUnit.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    participants = text_area(
        _("参加人员"), max_length=2000, rows=2, placeholder=_("带队领导、各单位参加人员"), required=False
    )
    summary = text_area(
        _("听取情况"), max_length=10000, rows=5, placeholder=_("听取的工作进展、存在的困难和意见建议"), required=False
    )

    def __init__(self, *args, districts, with_files: bool = True, district_fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        if district_fixed:
            del self.fields["district"]
        towns = Town.objects.filter(district__in=districts).select_related("unit", "district")
        self.fields["towns"].queryset = towns.order_by("district__order", "unit__order", "unit__code")
        self.fields["member_units"].queryset = MemberUnit.objects.order_by("order", "code")
        if with_files:
            self.fields["photos"] = photo_field()
            self.fields["documents"] = document_field()
        _style(self)

    def clean_held_on(self) -> datetime.date:
        held_on = self.cleaned_data["held_on"]
        if held_on > dates.today():
            raise ValidationError(_("督办日期不能晚于今天：请在督办检查举行后登记。"))
        return held_on

    def clean(self):
        cleaned = super().clean()
        district = cleaned.get("district")
        strays = [t.unit.name for t in cleaned.get("towns") or [] if district and t.district_id != district.pk]
        if strays:
            self.add_error("towns", _("以下小镇不属于所选的区：%(towns)s。") % {"towns": "、".join(strays)})
        return cleaned

    def town_groups(self) -> list[tuple[OrgUnit, list]]:
        """The town checkboxes grouped by district, so the page can show only the chosen district's."""
        towns = {t.pk: t for t in self.fields["towns"].queryset}
        groups: dict[int, tuple[OrgUnit, list]] = {}
        for widget in self["towns"]:
            town = towns[int(str(widget.data["value"]))]
            groups.setdefault(town.district_id, (town.district, []))[1].append(widget)
        return list(groups.values())

    def service_kwargs(self) -> dict:
        """The arguments of visit_create or visit_update: the fields (the district unless fixed) and, when the
        form takes files, the uploads as `files`."""
        kwargs = {name: value for name, value in self.cleaned_data.items() if name not in ("photos", "documents")}
        if "photos" in self.fields:
            kwargs["files"] = self.uploads()
        return kwargs


class UploadForm(UploadsMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"] = photo_field()
        self.fields["documents"] = document_field()

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("photos") and not cleaned.get("documents"):
            raise ValidationError(_("请选择要上传的照片或文件。"))
        return cleaned


# --- Problems ----------------------------------------------------------------------------------------


def responsible_choices(district: OrgUnit) -> list:
    """The district and its towns, then the member units: one select, values "unit-ID" or "member-ID"."""
    towns = OrgUnit.objects.filter(parent=district, level=OrgUnit.Level.TOWN).order_by("order", "code")
    members = MemberUnit.objects.order_by("order", "code")
    return [
        ("", _("请选择责任单位")),
        (_("区和小镇"), [(f"unit-{district.pk}", district.name), *((f"unit-{t.pk}", t.name) for t in towns)]),
        (_("市级成员单位"), [(f"member-{m.pk}", m.name) for m in members]),
    ]


def parse_responsible(value: str) -> tuple[OrgUnit | None, MemberUnit | None]:
    kind, _sep, pk = (value or "").partition("-")
    if kind == "unit" and pk.isdigit():
        return OrgUnit.objects.filter(pk=int(pk)).first(), None
    if kind == "member" and pk.isdigit():
        return None, MemberUnit.objects.filter(pk=int(pk)).first()
    return None, None


def responsible_value(problem: Problem) -> str:
    if problem.responsible_member_unit_id:
        return f"member-{problem.responsible_member_unit_id}"
    return f"unit-{problem.responsible_unit_id}" if problem.responsible_unit_id else ""


class ProblemForm(forms.Form):
    OUTCOMES = [
        ("open", _("限期整改")),
        ("on_site", _("现场解决")),
        ("same_day", _("当日解决")),
    ]

    town = TownChoiceField(label=_("小镇"), queryset=Town.objects.none(), required=False, empty_label=_("全区性问题"))
    category = forms.ChoiceField(label=_("问题类别"), choices=[("", _("请选择")), *ProblemCategory.choices])
    description = text_area(_("问题描述"), max_length=4000, rows=4, placeholder=_("问题的具体情况、涉及项目和诉求"))
    responsible = forms.ChoiceField(label=_("责任单位"))
    outcome = forms.ChoiceField(label=_("解决情况"), choices=OUTCOMES, initial="open", widget=forms.RadioSelect)
    due_on = forms.DateField(label=_("整改期限"), required=False, widget=DateInput())

    def __init__(self, *args, visit: Visit, with_outcome: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit = visit
        self.fields["town"].queryset = Town.objects.filter(district=visit.district).select_related("unit")
        self.fields["responsible"].choices = responsible_choices(visit.district)
        if with_outcome:
            self.fields["photos"] = photo_field(_("问题照片"))
        else:
            del self.fields["outcome"]
        _style(self)

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome", "open")
        if outcome == "open" and not cleaned.get("due_on") and "due_on" not in self.errors:
            self.add_error("due_on", _("限期整改的问题请填写整改期限。"))
        due_on = cleaned.get("due_on")
        if due_on and due_on < self.visit.held_on:
            self.add_error(
                "due_on", _("整改期限不能早于督办日期 %(date)s。") % {"date": self.visit.held_on.isoformat()}
            )
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        unit, member = parse_responsible(data["responsible"])
        kwargs = {
            "town": data.get("town"),
            "category": data["category"],
            "description": data["description"],
            "responsible_unit": unit,
            "responsible_member_unit": member,
            "due_on": data.get("due_on"),
        }
        if "outcome" in self.fields:
            outcome = data.get("outcome", "open")
            kwargs.update(
                solved_on_site=outcome == "on_site",
                solved_same_day=outcome in ("on_site", "same_day"),
                files=data.get("photos") or [],
            )
            if outcome != "open":
                kwargs["due_on"] = None  # closed on the visit's day
        return kwargs


class FollowUpForm(UploadsMixin, forms.Form):
    """Progress or rectification reported by the responsible unit, with evidence. `evidence_needed` (a
    rectification, evidence required and none since the problem was last sent back): a photo or document, or the
    unit's reason why it has none (`no_evidence_reason`, offered only then)."""

    note = written_text(_("整改情况"), _("请填写整改情况。"), max_length=4000, placeholder=_("采取的措施、完成情况"))

    def __init__(self, *args, evidence_needed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"] = photo_field(_("整改照片"))
        self.fields["documents"] = document_field(_("佐证材料"))
        self.evidence_needed = evidence_needed
        if evidence_needed:
            self.fields["no_evidence_reason"] = text_area(
                _("无佐证材料的说明"),
                max_length=2000,
                rows=2,
                required=False,
                help_text=_("确无照片和佐证材料的，请说明理由，由市特镇办核验时决定是否免交"),
            )
        _style(self)

    def clean(self):
        data = super().clean()
        unexplained = not self.uploads() and not data.get("no_evidence_reason", "").strip()
        if self.evidence_needed and unexplained and not self.has_error("photos") and not self.has_error("documents"):
            self.add_error("photos", NO_EVIDENCE_MESSAGE)
        return data


class VerifyForm(forms.Form):
    """The office's verification; the service requires `evidence_waiver` for a rectification without evidence."""

    note = text_area(_("核验意见"), max_length=2000, rows=3, required=False)
    evidence_waiver = text_area(_("免交佐证的理由"), max_length=2000, rows=3, required=False)


class RejectForm(forms.Form):
    reason = written_text(
        _("退回原因"), _("退回整改时必须填写原因。"), placeholder=_("请写明整改不到位之处，责任单位将看到这段说明。")
    )


class ProblemFilterForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("区"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("全部区")
    )
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *ProblemStatus.choices])
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部类别")), *ProblemCategory.choices]
    )
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)
    mine = forms.BooleanField(label=_("只看本单位承办"), required=False)

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        _style(self)


# --- Measures and circular ---------------------------------------------------------------------------


class PeriodForm(forms.Form):
    """A year and a quarter (or the whole year); the default is the current quarter."""

    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", _("全年")), (1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))],
    )

    def __init__(self, data=None, *args, **kwargs):
        today = dates.today()
        if not data or "year" not in data:
            data = {"year": today.year, "quarter": (today.month - 1) // 3 + 1}
        super().__init__(data, *args, **kwargs)
        self.fields["year"].choices = [
            (y, _("%(year)s年") % {"year": y}) for y in range(today.year, today.year - 6, -1)
        ]
        _style(self)
