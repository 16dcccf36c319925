"""The routes of an entity's pages by one naming rule, so that an app's urls.py lists actions rather than
repeating each one's route, view and name: the page `review` of the entity `plan` is at
"plans/<int:pk>/review/", served by the view `plan_review` and named "plan-review". Pages outside the rule
are written with `path()`."""

import functools
from types import ModuleType

from django.conf import settings
from django.urls import URLPattern, get_script_prefix, get_urlconf, path, reverse

# The routes of the standard pages after the entity's prefix; any other action is a page of one object.
STANDARD_ROUTES = {"list": "", "create": "new/", "detail": "<int:pk>/"}


def _hyphenated(action: str) -> str:
    return action.replace("_", "-")


def entity_pages(
    prefix: str, views: ModuleType, entity: str, *actions: str, routes: dict[str, str] | None = None, name: str = ""
) -> list[URLPattern]:
    """The pages of `entity` at `prefix`, each served by the view `<entity>_<action>` of `views` and named
    `<name>-<action>` (`name`: the entity's unless given; underscores become hyphens in names and routes).
    An action's route is STANDARD_ROUTES' or "<int:pk>/<action>/"; `routes` maps other routes to actions."""
    name = name or _hyphenated(entity)
    table = {STANDARD_ROUTES.get(action, f"<int:pk>/{_hyphenated(action)}/"): action for action in actions}
    table.update(routes or {})
    return [
        path(prefix + route, getattr(views, f"{entity}_{action}"), name=f"{name}-{_hyphenated(action)}")
        for route, action in table.items()
    ]


def named_url(name: str) -> str:
    """reverse(name) of a page without arguments, remembered for the deployment's script prefix and URLconf: the
    navigation bar and a dashboard link some forty pages on every request, each reverse() a walk of the URLconf.
    Raises NoReverseMatch as reverse() does."""
    return _named_url(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=1024)
def _named_url(name: str, prefix: str, urlconf: str) -> str:
    return reverse(name, urlconf=urlconf)  # reverse() reads the prefix itself; it is in the key for that
