"""The rule every permission door follows (docs/architecture.md): an object the user does not see is a 404,
one the user sees but may not act on as asked is a 403."""

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404

T = TypeVar("T")


def door(found: T | None, allowed: bool | Callable[[T], bool] = True) -> T:
    """`found` (None when the user's scope does not hold it: Http404) if the user may act on it as asked:
    `allowed`, or `allowed(found)` when it depends on the object (PermissionDenied otherwise)."""
    if found is None:
        raise Http404
    if not (allowed(found) if callable(allowed) else allowed):
        raise PermissionDenied
    return found
