"""DRF authentication by API token (API.md): `Authorization: Token <key>`.

The key is looked up by its digest (coordination.models.tokens); an unknown, expired or revoked token, or
one whose user is deactivated, answers 401 with the reason in Chinese.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .permissions import is_api_client
from .services import tokens as token_services

KEYWORD = "Token"


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None  # another scheme, or none: the next authentication class decides
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确，应为“Authorization: Token 令牌”。"))
        try:
            key = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from None
        try:
            token = token_services.api_token_use(key)
        except token_services.TokenRefused as refused:
            raise exceptions.AuthenticationFailed(refused.message) from None
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Named in the WWW-Authenticate header, which makes DRF answer 401 rather than 403.
        return KEYWORD


class ApiClientsReadOnly(BasePermission):
    """An API client of the data-sharing feed (接口客户端) reads and never writes: 403 for any other method,
    whatever its member unit's liaison may do (a default permission of every API view)."""

    message = gettext_lazy("接口客户端只能读取数据。")

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or not is_api_client(request.user)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The scheme in /api/schema/ (drf-spectacular knows only DRF's own token class)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix=KEYWORD)
