"""API login and the caller's API tokens (API.md, Auth).

POST /api/v1/auth/token/ {username, password[, otp]} → {token}: a new token at each login, its key shown once; `otp`,
the authenticator app's code, for an account that signs in with two factors (coordination.two_factor).
DELETE /api/v1/auth/token/ revokes the token the call presents. GET /api/v1/auth/tokens/ lists the
caller's tokens in force (never a key or its digest); DELETE /api/v1/auth/tokens/{id}/ revokes one.
"""

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tianjin_towns import security

from . import token_selectors, two_factor
from .authentication import ApiTokenAuthentication
from .models import ApiToken
from .password_validation import password_change_first_message
from .services import tokens as token_services


class LoginLockedOut(exceptions.APIException):
    """django-axes locked this username out at this address: 429, as the login page answers."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=32, required=False, allow_blank=True,
        help_text=_("动态验证码：启用或须使用双因素认证的账号（coordination.two_factor）必填，认证应用当前显示的6位数字。"),
    )  # fmt: skip

    def validate(self, attrs):
        request = self.context["request"]
        user = authenticate(request, username=attrs["username"], password=attrs["password"])
        if user is None and security.is_locked_out(request):
            raise LoginLockedOut(security.lockout_message())
        if user is None or not user.is_active:
            raise serializers.ValidationError(_("用户名或密码不正确。"), code="authorization")
        attrs["user"] = user
        return attrs


def _user_agent(request) -> str:
    """The User-Agent as the client wrote it: WSGI hands headers over decoded as Latin-1, so a script that
    names itself in Chinese (UTF-8) would be stored as mojibake."""
    raw = request.META.get("HTTP_USER_AGENT", "")
    try:
        return raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return raw


@extend_schema(tags=["auth"])
class TokenView(APIView):
    """POST {username, password} → {token}; later calls send `Authorization: Token <token>`.
    DELETE with that header revokes the token."""

    permission_classes = [AllowAny]

    def _logging_in(self) -> bool:
        return getattr(self.request, "method", None) == "POST"  # the schema generator may have no request

    def get_authenticators(self):
        # Logging in needs no credential (a stale token in the header must not stop it); revoking needs the
        # token itself, not a browser session.
        return [] if self._logging_in() else [ApiTokenAuthentication()]

    def get_permissions(self):
        return super().get_permissions() if self._logging_in() else [IsAuthenticated()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if token_selectors.must_change_password_first(user):
            # A one-time password, or one past its age, is changed in the browser first.
            detail = password_change_first_message(user.profile)
            return Response({"detail": detail}, status=status.HTTP_403_FORBIDDEN)
        if two_factor.owed_at_login(user):
            try:
                two_factor.two_factor_check(user=user, token=serializer.validated_data.get("otp", ""))
            except ValidationError:
                detail = _("该账号使用双因素认证：请在 otp 字段中提供认证应用当前显示的动态验证码。")
                return Response({"detail": detail}, status=status.HTTP_403_FORBIDDEN)
        token = token_services.api_token_issue(user=user, name=_user_agent(request), ip=security.client_ip(request))
        return Response({"token": token.key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        token_services.api_token_revoke(actor=request.user, token=request.auth, audit=False)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="true: the token this request presents")

    class Meta:
        model = ApiToken
        fields = ["id", "prefix", "name", "created_at", "last_used_at", "expires_at", "current"]
        read_only_fields = fields

    def get_current(self, token: ApiToken) -> bool:
        presented = getattr(self.context["request"], "auth", None)
        return isinstance(presented, ApiToken) and presented.pk == token.pk


@extend_schema(tags=["auth"])
class ApiTokenViewSet(viewsets.GenericViewSet):
    """The caller's own API tokens in force, newest first. Anyone else's, or an ended one, answers 404."""

    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()  # for the schema; requests use the selector
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return token_selectors.api_tokens_in_force(self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(token_selectors.get_api_token_for_user(request.user, pk)).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        token = token_selectors.get_api_token_for_user(request.user, pk)
        token_services.api_token_revoke(actor=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
