"""Forms of the opinions of member units on a plan (会签, issue 18) and of approving without them. They parse
and render; the services check again (coordination/services/plans.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tianjin_towns.lib.fields import text_area

from .forms import DateInput, UploadField
from .models import MemberUnit


class PlanOpinionRequestForm(forms.Form):
    """规划编制组 asks member units for their opinion on the version under review."""

    member_units = forms.ModelMultipleChoiceField(
        label=_("征求意见的成员单位"),
        queryset=MemberUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请选择要征求意见的成员单位。")},
    )
    due_on = forms.DateField(
        label=_("反馈时限"), widget=DateInput(), error_messages={"required": _("请填写反馈时限。")}
    )

    def __init__(self, *args, member_units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_units"].queryset = member_units


class PlanOpinionForm(forms.Form):
    """The asked member unit's liaison gives its opinion: agreed, or changes asked for in writing."""

    AGREE, CHANGES = "agree", "changes"
    decision = forms.ChoiceField(
        label=_("意见"),
        choices=[(AGREE, _("同意")), (CHANGES, _("修改意见"))],
        widget=forms.RadioSelect,
        initial=AGREE,
    )
    text = text_area(_("意见内容"), max_length=5000, rows=4, required=False, help_text=_("提出修改意见时必填"))
    file = UploadField(label=_("附件"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.CHANGES and not data.get("text", "").strip():
            self.add_error("text", _("提出修改意见须填写意见内容。"))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {"agrees": data["decision"] == self.AGREE, "text": data["text"], "file": data["file"]}


class PlanApprovalForm(forms.Form):
    """What the approval adds to the review's comments: the reason to approve while opinions are missing."""

    override_reason = text_area(_("未收齐意见即通过的理由"), max_length=2000, rows=3, required=False)
