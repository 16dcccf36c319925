"""Forms of the coordination pages: meetings, decisions, action items, plans, policies and filters.

They parse and render; the services check the invariants and their errors are attached back to the fields.
"""

from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tianjin_towns.lib.fields import text_area, written_text

from .models import (
    ActionItemStatus,
    MeetingKind,
    MeetingState,
    MemberUnit,
    OrgUnit,
    PlanKind,
    PlanStatus,
)
from .services.action_items import NO_EVIDENCE_MESSAGE

MAX_UPLOAD_MB = 20
UPLOAD_EXTENSIONS = {
    ".pdf", ".ofd", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ppt", ".pptx",
    ".jpg", ".jpeg", ".png", ".txt", ".zip", ".rar",
}  # fmt: skip


def check_upload(upload) -> None:
    if upload is None:
        return
    if Path(upload.name).suffix.lower() not in UPLOAD_EXTENSIONS:
        raise ValidationError(
            _("不支持的文件类型“%(name)s”。请上传 PDF、Word、Excel、图片或压缩包。") % {"name": upload.name}
        )
    if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
        raise ValidationError(_("文件“%(name)s”超过 %(mb)s MB。") % {"name": upload.name, "mb": MAX_UPLOAD_MB})


class UploadField(forms.FileField):
    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        check_upload(upload)
        return upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleUploadField(forms.FileField):
    """Several files in one input (Django's documented recipe), each checked like UploadField."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned = [super(MultipleUploadField, self).clean(upload, initial) for upload in uploads]
        for upload in cleaned:
            check_upload(upload)
        return [upload for upload in cleaned if upload]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _unit_label(unit: OrgUnit) -> str:
    return unit.name


class OrgUnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit: OrgUnit) -> str:
        return _unit_label(unit)


class ResponsibleUnitField(forms.ChoiceField):
    """One select over districts/towns ("u<id>") and member units ("m<id>"), grouped."""

    def __init__(self, *args, units=(), member_units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_units(units, member_units)

    def set_units(self, units, member_units) -> None:
        self._units = {f"u{u.pk}": u for u in units}
        self._member_units = {f"m{m.pk}": m for m in member_units}
        choices: list = [("", _("请选择责任单位"))]
        if self._units:
            choices.append((_("区和小镇"), [(key, _indent(unit)) for key, unit in self._units.items()]))
        if self._member_units:
            choices.append((_("成员单位"), [(key, unit.name) for key, unit in self._member_units.items()]))
        self.choices = choices

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        return self._units.get(value) or self._member_units.get(value)


def _indent(unit: OrgUnit) -> str:
    return f"　{unit.name}" if unit.level == OrgUnit.Level.TOWN else unit.name


# --- Filters ----------------------------------------------------------------------------------------


class MeetingFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部类别")), *MeetingKind.choices])
    org_unit = OrgUnitChoiceField(
        label=_("主办单位"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("全部单位")
    )
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *MeetingState.choices])
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DateInput())

    def __init__(self, *args, hosts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = hosts


class ActionItemFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *ActionItemStatus.choices]
    )
    unit = ResponsibleUnitField(label=_("责任单位"), required=False)
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)

    def __init__(self, *args, units, member_units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].set_units(units, member_units)
        self.fields["unit"].choices = [("", _("全部责任单位")), *self.fields["unit"].choices[1:]]

    def unit_key(self) -> str | None:
        value = self.data.get("unit") if self.is_bound else None
        return value if value and self.cleaned_data.get("unit") is not None else None


class PlanFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部类别")), *PlanKind.choices])
    status = forms.ChoiceField(label=_("审查状态"), required=False, choices=[("", _("全部状态")), *PlanStatus.choices])
    org_unit = OrgUnitChoiceField(
        label=_("报审单位"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("全部单位")
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units


class CadenceYearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, _("%(year)s年") % {"year": y}) for y in years]


# --- Meetings ---------------------------------------------------------------------------------------


class MeetingForm(forms.Form):
    """Create or edit a meeting. `held` and `decisions` are offered when creating only."""

    kind = forms.ChoiceField(label=_("类别"), choices=MeetingKind.choices)
    org_unit = OrgUnitChoiceField(label=_("主办单位"), queryset=OrgUnit.objects.none(), empty_label=None)
    title = forms.CharField(label=_("会议名称"), max_length=200, error_messages={"required": _("请填写会议名称。")})
    held_on = forms.DateField(label=_("日期"), widget=DateInput(), error_messages={"required": _("请填写会议日期。")})
    held = forms.BooleanField(
        label=_("会议已召开（补录）"), required=False, help_text=_("勾选后可同时录入纪要和决定事项")
    )
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    convener = forms.CharField(label=_("召集人（主持人）"), max_length=100, required=False)
    attendee_units = forms.ModelMultipleChoiceField(
        label=_("参会区和小镇"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    attendee_member_units = forms.ModelMultipleChoiceField(
        label=_("参会成员单位"),
        queryset=MemberUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    attendees = text_area(
        _("参会人员"),
        max_length=5000,
        rows=4,
        placeholder=_("每行一人，例如：张三（区发展改革委主任）"),
        required=False,
    )
    agenda = text_area(_("会议议程"), max_length=10000, rows=6, placeholder=_("每行一项议程"), required=False)
    minutes = text_area(
        _("会议纪要"), max_length=50000, rows=10, required=False, help_text=_("学习交流活动在此填写活动报告")
    )
    decisions = text_area(_("决定事项"), max_length=20000, rows=4, placeholder=_("每行一条决定事项"), required=False)

    def __init__(self, *args, hosts, units, member_units, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = hosts
        self.fields["attendee_units"].queryset = units
        self.fields["attendee_member_units"].queryset = member_units
        self.creating = creating
        if not creating:
            for name in ("held", "decisions", "org_unit"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if self.creating and data.get("decisions", "").strip() and not data.get("held"):
            self.add_error("decisions", _("会议召开后才能登记决定事项；请勾选“会议已召开”。"))
        return data

    def decision_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("decisions", "").splitlines() if line.strip()]

    def service_fields(self) -> dict:
        names = ("kind", "title", "held_on", "place", "convener", "attendees", "agenda", "minutes")
        return {name: self.cleaned_data[name] for name in names}


class DecisionForm(forms.Form):
    text = written_text(_("决定事项"), _("请填写决定事项内容。"), max_length=5000, rows=2)


class AttachmentForm(forms.Form):
    file = UploadField(label=_("附件"), error_messages={"required": _("请选择要上传的文件。")})


class ActionItemForm(forms.Form):
    title = forms.CharField(label=_("督办事项"), max_length=300, required=False, help_text=_("留空则使用决定事项原文"))
    responsible = ResponsibleUnitField(label=_("责任单位"), error_messages={"required": _("请选择责任单位。")})
    owner = forms.CharField(label=_("责任人"), max_length=100, error_messages={"required": _("请填写责任人。")})
    due_on = forms.DateField(
        label=_("办结时限"), widget=DateInput(), error_messages={"required": _("请填写办结时限。")}
    )

    def __init__(self, *args, units, member_units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].set_units(units, member_units)

    def service_fields(self) -> dict:
        unit = self.cleaned_data["responsible"]
        return {
            "title": self.cleaned_data["title"],
            "owner": self.cleaned_data["owner"],
            "due_on": self.cleaned_data["due_on"],
            "responsible_unit": unit if isinstance(unit, OrgUnit) else None,
            "responsible_member_unit": unit if isinstance(unit, MemberUnit) else None,
        }


class ProgressForm(forms.Form):
    """Progress, or completion with its result; `evidence_needed`: completion needs a file with this report
    (none of the reports since the item was last sent back had one, and evidence is required), or the unit's
    reason why it has none (`no_evidence_reason`, offered only then)."""

    note = text_area(_("进展情况"), max_length=5000, rows=3, required=False)
    done = forms.BooleanField(label=_("已办结，提请核验"), required=False)
    resolution = text_area(_("办理结果"), max_length=5000, rows=3, required=False, help_text=_("报告办结时必填"))
    evidence = UploadField(label=_("佐证材料"), required=False)
    no_evidence_reason = text_area(
        _("无佐证材料的说明"),
        max_length=2000,
        rows=2,
        required=False,
        help_text=_("确无佐证材料的（如电话协调办结），请说明理由，由市特镇办核验时决定是否免交"),
    )

    def __init__(self, *args, evidence_needed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.evidence_needed = evidence_needed
        if evidence_needed:
            self.fields["evidence"].help_text = _(
                "报告办结时必须上传（批复、纪要、照片等）；确无材料的，请在下方说明理由"
            )
        else:
            del self.fields["no_evidence_reason"]

    def clean(self):
        data = super().clean()
        if data.get("done") and not data.get("resolution", "").strip():
            self.add_error("resolution", _("报告办结须填写办理结果。"))
        unexplained = not data.get("evidence") and not data.get("no_evidence_reason", "").strip()
        if data.get("done") and self.evidence_needed and unexplained and "evidence" not in self.errors:
            self.add_error("evidence", NO_EVIDENCE_MESSAGE)
        if not data.get("done") and not data.get("note", "").strip():
            self.add_error("note", _("请填写进展情况。"))
        return data


class ReasonForm(forms.Form):
    reason = written_text(_("退回原因"), _("请填写退回原因。"), rows=3)


class ItemVerifyForm(forms.Form):
    """The office's verification; `evidence_waiver` is required by the service for an item without evidence."""

    note = text_area(_("核验意见"), max_length=2000, rows=3, required=False)
    evidence_waiver = text_area(_("免交佐证材料的理由"), max_length=2000, rows=3, required=False)


# --- Plans ------------------------------------------------------------------------------------------


class PlanContentForm(forms.Form):
    """The content of one version (R-1.6); creating a plan adds its unit, kind and title."""

    org_unit = OrgUnitChoiceField(label=_("报审单位"), queryset=OrgUnit.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("方案类别"), choices=PlanKind.choices)
    title = forms.CharField(label=_("方案名称"), max_length=200)
    scope = text_area(_("规划范围"), max_length=5000, rows=3)
    sites = text_area(_("创建点位"), max_length=5000, rows=2, required=False)
    positioning = text_area(_("发展定位"), max_length=5000, rows=3)
    layout = text_area(_("功能布局"), max_length=10000, rows=4, required=False)
    path = text_area(_("实施路径"), max_length=10000, rows=4, required=False)
    note = text_area(_("报审说明"), max_length=5000, rows=2, required=False)
    attachments = MultipleUploadField(label=_("附件"), required=False)

    def __init__(self, *args, units=None, resubmitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if resubmitting:
            for name in ("org_unit", "kind", "title"):
                del self.fields[name]
        else:
            self.fields["org_unit"].queryset = units

    def content(self) -> dict:
        return {
            name: self.cleaned_data.get(name, "")
            for name in ("scope", "sites", "positioning", "layout", "path", "note")
        }


class SubItemForm(forms.Form):
    name = forms.CharField(label=_("分项名称"), max_length=200, required=False)
    content = forms.CharField(label=_("主要内容"), max_length=2000, required=False)
    responsible_unit = forms.CharField(label=_("主管单位"), max_length=100, required=False)


def sub_item_formset(data=None, initial=None, spare: int = 3):
    initial = list(initial or [])
    formset_class = forms.formset_factory(SubItemForm, extra=spare, max_num=50, absolute_max=50)
    return formset_class(data, initial=initial, prefix="sub")


class PlanReviewForm(forms.Form):
    comments = text_area(
        _("审查意见"), max_length=5000, rows=4, placeholder=_("退回时必填：请写明需要修改的内容"), required=False
    )


# --- Policies ---------------------------------------------------------------------------------------


class PolicyForm(forms.Form):
    member_unit = forms.ModelChoiceField(label=_("成员单位"), queryset=MemberUnit.objects.none(), empty_label=None)
    title = forms.CharField(label=_("政策名称"), max_length=200)
    document_number = forms.CharField(label=_("文号"), max_length=100, required=False)
    issued_on = forms.DateField(label=_("发布日期"), widget=DateInput())
    summary = text_area(_("主要内容"), max_length=10000, rows=5, required=False)
    file = UploadField(label=_("政策文件"), required=False)

    def __init__(self, *args, member_units, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_unit"].queryset = member_units
        if editing:
            del self.fields["member_unit"]
