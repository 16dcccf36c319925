"""A user's grants on org units, read once per request and remembered until it ends (coordination.permissions
asks here first): the navigation bar's counters and the page ask for several scopes, and each would otherwise
embed guardian's lookup as a subquery of its own. Outside a request (tasks, commands, tests calling the
selectors) nothing is remembered. A service that changes a user's grants calls `forget_unit_grants`, so a later
question in the same request sees the new role."""

import contextlib
import contextvars
from collections.abc import Iterator

from django.contrib.auth.models import AbstractBaseUser, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.signals import request_finished, request_started
from django.db import connection
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from .models import OrgUnit

# user id → {permission codename → ids of the org units granted it}; None outside a request.
_remembered: contextvars.ContextVar[dict[int, dict[str, frozenset[int]]] | None] = contextvars.ContextVar(
    "remembered_unit_grants", default=None
)


@contextlib.contextmanager
def remembered_unit_grants() -> Iterator[None]:
    """Remember grants while the block runs, as during a request (the benchmark renders a page fragment so)."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def _request_started(**_kwargs) -> None:
    _remembered.set({})


def _request_finished(**_kwargs) -> None:
    _remembered.set(None)


request_started.connect(_request_started, dispatch_uid="coordination.grants.remember")
request_finished.connect(_request_finished, dispatch_uid="coordination.grants.forget")


def forget_unit_grants(user: AbstractBaseUser | None = None) -> None:
    """Drop what this request remembered of `user`'s grants (of everybody's without a user)."""
    remembered = _remembered.get()
    if remembered is None:
        return
    if user is None:
        remembered.clear()
    else:
        remembered.pop(user.pk, None)


class _Grants(dict):
    """{permission codename: ids of the org units granted it}, and `town_ids`: which of those units are towns'."""

    town_ids: frozenset[int] = frozenset()


def grant_rows(user: AbstractBaseUser, user_model, group_model) -> list[tuple[str, str, str | None]]:
    """(codename, org unit pk, the unit's level) of every grant on org units: the user's own and their groups', the
    rows guardian's get_objects_for_user reads for one codename. Plain SQL: it runs on every page, and building
    the two-table union through the ORM took longer than running it."""
    ctype = ContentType.objects.get_for_model(OrgUnit)  # cached by Django after the first call
    permission = Permission._meta.db_table
    memberships = user._meta.get_field("groups").remote_field.through._meta.db_table
    # Evaluated for the rows the WHERE keeps, whose object_pk is an org unit's id.
    level = f"(SELECT o.level FROM {OrgUnit._meta.db_table} o WHERE o.id = CAST(g.object_pk AS integer))"
    sql = f"""
        SELECT p.codename, g.object_pk, {level} FROM {user_model._meta.db_table} g
        JOIN {permission} p ON p.id = g.permission_id
        WHERE g.user_id = %(user)s AND p.content_type_id = %(ctype)s
        UNION ALL
        SELECT p.codename, g.object_pk, {level} FROM {group_model._meta.db_table} g
        JOIN {permission} p ON p.id = g.permission_id
        WHERE g.group_id IN (SELECT m.group_id FROM {memberships} m WHERE m.user_id = %(user)s)
          AND p.content_type_id = %(ctype)s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user.pk, "ctype": ctype.pk})
        return cursor.fetchall()


def unit_grants(user: AbstractBaseUser) -> _Grants | None:
    """{codename: granted org-unit ids} of an active, non-superuser user, read once per request; None when
    not in a request (the caller then asks guardian as a subquery)."""
    remembered = _remembered.get()
    if remembered is None:
        return None
    grants = remembered.get(user.pk)
    if grants is None:
        user_model, group_model = get_user_obj_perms_model(OrgUnit), get_group_obj_perms_model(OrgUnit)
        if not (user_model.objects.is_generic() and group_model.objects.is_generic()):
            return None  # direct foreign-key grant tables: not used here; ask guardian each time
        collected: dict[str, set[int]] = {}
        towns: set[int] = set()
        for codename, object_pk, level in grant_rows(user, user_model, group_model):
            collected.setdefault(codename, set()).add(int(object_pk))
            if level == OrgUnit.Level.TOWN:
                towns.add(int(object_pk))
        grants = remembered[user.pk] = _Grants({codename: frozenset(ids) for codename, ids in collected.items()})
        grants.town_ids = frozenset(towns)
    return grants


def holds_on_towns_only(user: AbstractBaseUser, perm: str) -> bool:
    """Whether every org unit on which `user` holds `perm` is a town's, known without a query in a request from
    the remembered grants (False when it is not known so, or the user holds `perm` nowhere). No district lies
    under a town: such a user reaches no district with `perm` (the navigation bar asks for the Excel import)."""
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return False
    grants = unit_grants(user)
    if grants is None:
        return False
    granted = grants.get(perm)
    return bool(granted) and granted <= grants.town_ids
