"""The forms of the documents issued (issue 20): the list's filters and the issue dialogs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import DateInput
from .models import DocumentKind


class DocumentFilterForm(forms.Form):
    q = forms.CharField(label=_("文号或标题"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("文种"), required=False, choices=[("", _("全部文种")), *DocumentKind.choices])
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2016, max_value=2100)
    since = forms.DateField(label=_("印发日期起"), required=False, widget=DateInput())
    until = forms.DateField(label=_("印发日期止"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("如 津特镇办〔2026〕3号")
        self.fields["year"].widget.attrs["placeholder"] = _("如 2026")

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("截止日期不能早于起始日期。"))
        return data


class DocumentIssueForm(forms.Form):
    """印发 posts nothing; 更正重发 the document it replaces and why."""

    corrects = forms.IntegerField(required=False, min_value=1)
    reason = forms.CharField(label=_("更正原因"), max_length=500, required=False)
