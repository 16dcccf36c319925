"""REST API v1 for people and roles (API.md): `/api/v1/users/`, its reset and import. The same services and
permission door as the pages: a user outside the caller's scope is 404, an action the caller may see but not
perform 403 (giving a role the caller may not give, stopping one's own account, changing a superuser)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from tianjin_towns.lib.api import parse_body

from . import contact_permissions, people_imports, people_selectors
from . import people_permissions as people_perms
from .models import MemberUnit, OrgUnit, Role, WorkingGroup
from .services import people as services
from .services.people import MUNICIPAL_ROLES

MASKED_HELP = _("本人、系统管理员和安全管理员读取原值，其他调用者读取脱敏值（如 138****5678、z***@example.gov.cn）。")


class UserSerializer(serializers.Serializer):
    """A user as the caller (context["request"].user) may read them: the phone and e-mail masked unless the caller
    reads the person's contact details in full (coordination.contact_permissions)."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField(source="profile.full_name", default="")
    phone = serializers.CharField(source="profile.phone", default="", help_text=MASKED_HELP)
    email = serializers.CharField(help_text=MASKED_HELP)
    role = serializers.ChoiceField(choices=Role.choices, source="profile.role", default=None, allow_null=True)
    org_unit = serializers.IntegerField(source="profile.org_unit_id", default=None, allow_null=True)
    working_group = serializers.IntegerField(source="profile.working_group_id", default=None, allow_null=True)
    member_unit = serializers.IntegerField(source="profile.member_unit_id", default=None, allow_null=True)
    is_active = serializers.BooleanField()
    last_login = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        viewer = request.user if request is not None else None
        data["phone"] = contact_permissions.contact_phone(viewer, instance, data["phone"])
        data["email"] = contact_permissions.contact_email(viewer, instance, data["email"])
        return data


class UserCreatedSerializer(UserSerializer):
    one_time_password = serializers.CharField(
        required=False, help_text=_("只在未提供 password 时返回，且只返回这一次；首次登录须修改。")
    )


class _UserInput(serializers.Serializer):
    full_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    org_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False, allow_null=True)
    working_group = serializers.PrimaryKeyRelatedField(
        queryset=WorkingGroup.objects.all(), required=False, allow_null=True
    )
    member_unit = serializers.PrimaryKeyRelatedField(queryset=MemberUnit.objects.all(), required=False, allow_null=True)


class UserCreateSerializer(_UserInput):
    username = serializers.CharField(max_length=150)
    full_name = serializers.CharField(max_length=50)
    role = serializers.ChoiceField(choices=Role.choices)
    password = serializers.CharField(
        required=False, allow_blank=True, write_only=True, trim_whitespace=False, max_length=128,
        help_text=_("不填则生成一次性密码，在响应的 one_time_password 中返回一次，首次登录须修改。"),
    )  # fmt: skip


class UserUpdateSerializer(_UserInput):
    is_active = serializers.BooleanField(required=False)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class UserImportSerializer(serializers.Serializer):
    file = serializers.FileField()


def _check_password(password: str, username: str) -> None:
    """A password the caller chose meets the password policy (coordination.password_validation), as one chosen on
    the password page does: 400 with the policy's messages otherwise. None chosen: a one-time password is made."""
    if not password:
        return
    try:
        validate_password(password, user=get_user_model()(username=username))
    except DjangoValidationError as refused:
        raise serializers.ValidationError({"password": list(refused.messages)}) from refused


class UserViewSet(viewsets.GenericViewSet):
    """Users and their one role (the system administrator; the security administrator for the role and unit;
    the office for its own working group)."""

    serializer_class = UserSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return people_selectors.user_list(people_perms.users_for_user(self.request.user))

    def list(self, request):
        people_perms.check_list_users(request.user)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(people_perms.get_managed_user_for_user(request.user, pk)).data)

    @extend_schema(
        request=UserCreateSerializer,
        responses={201: UserCreatedSerializer},
    )
    def create(self, request):
        people_perms.check_manage_users(request.user)
        data = parse_body(UserCreateSerializer, request)
        org_unit = people_selectors.municipality() if data["role"] in MUNICIPAL_ROLES else data.get("org_unit")
        people_perms.check_may_assign(request.user, data["role"], data.get("working_group"))
        _check_password(data.get("password", ""), data["username"])
        user = services.user_create(
            actor=request.user,
            username=data["username"],
            password=data.get("password", ""),
            full_name=data["full_name"],
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            role=data["role"],
            org_unit=org_unit,
            working_group=data.get("working_group"),
            member_unit=data.get("member_unit"),
        )
        body = dict(self.get_serializer(people_selectors.user_row(user.pk)).data)
        if user.one_time_password:
            body["one_time_password"] = user.one_time_password
        return Response(body, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})

    @extend_schema(request=UserUpdateSerializer, responses={200: UserSerializer})
    def partial_update(self, request, pk=None):
        person = people_perms.get_managed_user_for_user(request.user, pk)
        data = parse_body(UserUpdateSerializer, request)
        people_perms.check_edit(request.user, person, data)
        if data.get("is_active") is False and person.is_active:
            person = people_perms.get_managed_user_for_user(request.user, pk, people_perms.DEACTIVATE)
        elif data.get("is_active") is True and not person.is_active:
            person = people_perms.get_managed_user_for_user(request.user, pk, people_perms.CHANGE)
        assignment = services.assignment_of(person, data)
        if assignment is not None:
            people_perms.check_may_assign(request.user, assignment.role, assignment.working_group)
        services.user_change(
            actor=request.user,
            user=person,
            assignment=assignment,
            changes=data,
            active=data.get("is_active"),
            reason=data.get("reason", ""),
        )
        return Response(self.get_serializer(people_selectors.user_row(person.pk)).data)

    @extend_schema(
        request=None,
        responses={200: inline_serializer("OneTimePassword", {"one_time_password": serializers.CharField()})},
    )
    @action(detail=True, methods=["post"], url_path="reset-password", url_name="reset-password")
    def reset_password(self, request, pk=None):
        person = people_perms.get_managed_user_for_user(request.user, pk, people_perms.RESET_PASSWORD)
        password = services.user_reset_password(actor=request.user, user=person)
        return Response({"one_time_password": password}, headers={"Cache-Control": "no-store"})

    @extend_schema(
        request={"multipart/form-data": UserImportSerializer},
        responses={
            201: OpenApiResponse(OpenApiTypes.OBJECT, description=_("created：每人的 id、用户名和一次性密码")),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description=_("errors：每个问题的行、列和说明")),
        },
    )
    @action(detail=False, methods=["post"], url_path="import", url_name="import",
            parser_classes=[MultiPartParser, FormParser])  # fmt: skip
    def import_users(self, request):
        people_perms.check_manage_users(request.user)
        upload = parse_body(UserImportSerializer, request)["file"]
        try:
            imported = services.users_import(actor=request.user, data=upload.read())
        except people_imports.ImportRejected as rejected:
            return Response(
                {
                    "detail": _("文件未导入：发现 %(n)s 处问题，请修改后重新导入。") % {"n": len(rejected.problems)},
                    "errors": [problem.as_dict() for problem in rejected.problems],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        created = [
            {"row": item.row, "id": item.user.pk, "username": item.user.username,
             "one_time_password": item.one_time_password}
            for item in imported
        ]  # fmt: skip
        return Response({"created": created}, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})
