"""Forms of the master-data pages (系统管理): member units, org unit renames and routing (R-1.4, R-1.5)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forms import DateInput
from .models import MemberUnit, OrgUnit, SubmissionKind, WorkingGroup


class MemberUnitForm(forms.ModelForm):
    # Bounded here: the model's range check runs in _post_clean, which this form skips (a larger number
    # would reach the database and fail there).
    order = forms.IntegerField(
        label=_("排列顺序"),
        required=False,
        min_value=0,
        max_value=9999,
        help_text=_("数字小的排在前面；新增单位默认排在最后"),
    )
    note = forms.CharField(
        label=_("变更说明"),
        max_length=200,
        required=False,
        help_text=_("例如：机构改革后更名的文件依据。更名时记入历史。"),
    )

    class Meta:
        model = MemberUnit
        fields = ["name", "short_name", "responsible_leader", "counterpart_division", "order"]
        labels = {"name": _("成员单位名称")}
        help_texts = {
            "short_name": _("用于表格和简报，例如：税务局"),
            "responsible_leader": _("成员单位负责联席会议工作的领导"),
        }
        error_messages = {"name": {"required": _("请填写成员单位名称。")}}

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["note"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if MemberUnit.objects.filter(name=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("已有同名的成员单位。"))
        return name

    def _post_clean(self) -> None:
        """Validate the fields only: the service writes the row, not ModelForm.save()."""


class OrgUnitRenameForm(forms.Form):
    name = forms.CharField(label=_("新名称"), max_length=100, error_messages={"required": _("请填写新名称。")})
    changed_on = forms.DateField(
        label=_("变更日期"),
        widget=DateInput(),
        error_messages={"required": _("请填写变更日期。"), "invalid": _("请填写有效的日期。")},
    )
    reason = forms.CharField(
        label=_("变更依据"),
        max_length=200,
        required=False,
        help_text=_("例如：区划调整的批复文号"),
    )

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        kwargs.setdefault("initial", {"name": unit.name, "changed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.unit = unit

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if name == self.unit.name:
            raise forms.ValidationError(_("新名称与现名称相同。"))
        return name

    def clean_changed_on(self) -> datetime.date:
        changed_on = self.cleaned_data["changed_on"]
        if changed_on > timezone.localdate():
            raise forms.ValidationError(_("变更日期不能晚于今天。"))
        return changed_on


class RoutingForm(forms.Form):
    """One choice of working group per kind of work, and why the division of work changes."""

    reason = forms.CharField(
        label=_("调整依据"),
        max_length=200,
        required=False,
        help_text=_("例如：市特镇办主任办公会议决定"),
    )

    def __init__(self, *args, routes: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        groups = WorkingGroup.objects.order_by("order", "pk")
        by_code = {group.code: group for group in groups}
        self.kind_fields = []
        for kind in SubmissionKind:
            self.fields[kind.value] = forms.ModelChoiceField(
                label=kind.label,
                queryset=groups,
                initial=by_code.get(routes.get(kind.value)),
                empty_label=None,
                error_messages={"required": _("请选择负责的工作组。"), "invalid_choice": _("请选择有效的工作组。")},
            )
            self.kind_fields.append(kind.value)

    def kinds(self):
        return [self[name] for name in self.kind_fields]

    def working_groups(self) -> dict[str, WorkingGroup]:
        """The group chosen for each kind of work (after is_valid), as services.submission_routes_update takes it."""
        return {name: self.cleaned_data[name] for name in self.kind_fields}
