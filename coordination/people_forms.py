"""Forms of 系统管理 → 用户与角色: a person, the list's filters, the import upload. They parse and render;
the services check the invariants (their errors come back onto the fields)."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .forms import UploadField
from .models import MemberUnit, OrgUnit, Role, WorkingGroup
from .people_permissions import GRANT_FIELDS, PERSON_FIELDS
from .services.people import MUNICIPAL_ROLES

UNIT_ROLES = (Role.OFFICER, Role.REVIEWER)  # the roles that belong to a district or a town
ALL, GRANT, PERSON = "all", "grant", "person"  # which fields UserForm shows when editing


class UnitField(forms.ModelChoiceField):
    """A district or a town, the town shown under its district."""

    def label_from_instance(self, unit: OrgUnit) -> str:
        if unit.level == OrgUnit.Level.TOWN and unit.parent_id:
            return f"{unit.parent.name} · {unit.name}"
        return unit.name


def district_and_town_units():
    return (
        OrgUnit.objects.filter(level__in=(OrgUnit.Level.DISTRICT, OrgUnit.Level.TOWN))
        .select_related("parent")
        .order_by("level", "order", "code")
    )


class UserForm(forms.Form):
    """A person with one role and the unit that role needs (the municipality for the municipal roles)."""

    full_name = forms.CharField(label=_("姓名"), max_length=50)
    username = forms.CharField(
        label=_("用户名"), max_length=150, help_text=_("登录用，建议用姓名拼音；字母、数字和 @ . + - _。")
    )
    phone = forms.CharField(label=_("手机"), max_length=30, required=False)
    email = forms.EmailField(label=_("电子邮箱"), max_length=254, required=False)
    role = forms.ChoiceField(label=_("角色"))
    org_unit = UnitField(
        label=_("所属区/小镇"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("请选择区或小镇")
    )
    working_group = forms.ModelChoiceField(
        label=_("工作组"), queryset=WorkingGroup.objects.none(), required=False, empty_label=_("请选择工作组")
    )
    member_unit = forms.ModelChoiceField(
        label=_("成员单位"), queryset=MemberUnit.objects.none(), required=False, empty_label=_("请选择成员单位")
    )
    reason = forms.CharField(
        label=_("变更说明"), max_length=200, required=False, help_text=_("如：工作调动，记入变更历史。")
    )

    def __init__(self, *args, roles: list[str], working_groups, editing: bool = False, shows=ALL, **kwargs):
        """`shows` (editing): ALL the fields, GRANT only the role and units (the security administrator), PERSON
        only the name, phone and e-mail (a person's own account)."""
        super().__init__(*args, **kwargs)
        for name in {GRANT: PERSON_FIELDS, PERSON: GRANT_FIELDS}.get(shows, ()):
            del self.fields[name]
        if "role" in self.fields:
            choices = [(r, label) for r, label in Role.choices if r in roles]
            self.fields["role"].choices = [("", _("请选择角色"))] + choices
        if shows != PERSON:
            self.fields["org_unit"].queryset = district_and_town_units()
            self.fields["working_group"].queryset = working_groups
            # A retired member unit is offered to no new liaison, but stays selected for the one who has it.
            kept = self.initial.get("member_unit")
            member_units = Q(active=True) | Q(pk=kept.pk) if kept is not None else Q(active=True)
            self.fields["member_unit"].queryset = MemberUnit.objects.filter(member_units).order_by("order")
        if editing:
            del self.fields["username"]
        else:
            del self.fields["reason"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("用户名“%(name)s”已被使用。") % {"name": username})
        return username

    def clean(self):
        data = super().clean()
        if "role" not in self.fields:
            return data
        role = data.get("role")
        if role in UNIT_ROLES and not data.get("org_unit"):
            self.add_error("org_unit", _("信息员和主管领导须选择所属区或小镇。"))
        if role == Role.OFFICE and not data.get("working_group"):
            self.add_error("working_group", _("工作组成员须选择工作组。"))
        if role == Role.LIAISON and not data.get("member_unit"):
            self.add_error("member_unit", _("成员单位联络员须选择成员单位。"))
        # Only the unit the role needs is kept; the municipal roles belong to the municipality.
        if role in MUNICIPAL_ROLES:
            data["org_unit"] = OrgUnit.objects.filter(level=OrgUnit.Level.MUNICIPAL).order_by("pk").first()
        if role != Role.OFFICE:
            data["working_group"] = None
        if role != Role.LIAISON:
            data["member_unit"] = None
        return data


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名或用户名"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("角色"), required=False, choices=[("", _("全部角色")), *Role.choices])
    unit = UnitField(label=_("区/小镇"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("全部区和小镇"))
    working_group = forms.ModelChoiceField(
        label=_("工作组"), queryset=WorkingGroup.objects.none(), required=False, empty_label=_("全部工作组")
    )
    member_unit = forms.ModelChoiceField(
        label=_("成员单位"), queryset=MemberUnit.objects.none(), required=False, empty_label=_("全部成员单位")
    )
    active = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), ("1", _("在用")), ("0", _("已停用"))]
    )

    def __init__(self, *args, working_groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = district_and_town_units()
        self.fields["working_group"].queryset = working_groups
        self.fields["member_unit"].queryset = MemberUnit.objects.order_by("order")


class UserImportForm(forms.Form):
    file = UploadField(label=_("用户名单（.xlsx）"))


class RegistryFilterForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("区"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("全部区")
    )

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
