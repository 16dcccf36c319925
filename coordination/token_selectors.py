"""Reads of API tokens, and their one door: on the pages and in the API a token is its owner's alone.
(The technical administrator sees them in the admin site; an account's manager ends them all by a
deactivation or a password reset.)"""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from . import password_validation
from .models import ApiToken, UserProfile


def api_tokens_in_force(user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """The user's tokens that still authenticate (not revoked, not expired), newest first."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).order_by(
        "-created_at", "-pk"
    )


def must_change_password_first(user: AbstractBaseUser) -> bool:
    """Whether the user still holds a one-time password or one past its age (PASSWORD_MAX_AGE_DAYS): changed in
    the browser before any API token."""
    return password_validation.must_change_password_first(UserProfile.objects.filter(user=user).first())


def get_api_token_for_user(user: AbstractBaseUser, pk) -> ApiToken:
    """One of the user's tokens in force; anyone else's, an ended one or an unknown id is a 404."""
    try:
        return api_tokens_in_force(user).get(pk=int(pk))
    except (ApiToken.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
