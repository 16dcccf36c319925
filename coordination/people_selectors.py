"""Reads of 系统管理 → 用户与角色: the user list with each person's open work, a person's grants in words and
history, the information-officer registry (R-3.1). Each is a fixed number of queries, whatever the rows."""

from collections import defaultdict

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from guardian.models import UserObjectPermission

from .models import MemberUnit, Notification, OrgUnit, Role, UnitPerm, UserRoleEvent


def user_list(users: QuerySet, *, q: str = "", role: str = "", unit=None, working_group=None, member_unit=None,
              active: str = "") -> QuerySet:  # fmt: skip
    """`users` filtered, with their profile and `open_work`: unread notifications, what waits for them."""
    if q:
        users = users.filter(Q(username__icontains=q) | Q(profile__full_name__icontains=q))
    if role:
        users = users.filter(profile__role=role)
    if unit is not None:
        users = users.filter(Q(profile__org_unit=unit) | Q(profile__org_unit__parent=unit))
    if working_group is not None:
        users = users.filter(profile__working_group=working_group)
    if member_unit is not None:
        users = users.filter(profile__member_unit=member_unit)
    if active in ("0", "1"):
        users = users.filter(is_active=active == "1")
    waiting = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        users.select_related("profile__org_unit__parent", "profile__working_group", "profile__member_unit")
        .annotate(open_work=Coalesce(Subquery(waiting, output_field=IntegerField()), Value(0)))
        .order_by("-is_active", "profile__org_unit__level", "profile__org_unit__order", "profile__role", "username")
    )


def active_member_unit_names() -> list[str]:
    """The names of the member units in use, in their order (the user import template's choices)."""
    return list(MemberUnit.objects.filter(active=True).order_by("order").values_list("name", flat=True))


def user_row(pk: int):
    """One user as `user_list` shows it (the API's answer after a change)."""
    return user_list(get_user_model().objects.filter(pk=pk)).get()


def municipality() -> OrgUnit | None:
    """The municipality, the unit of every municipal role (services.people.MUNICIPAL_ROLES)."""
    return OrgUnit.objects.filter(level=OrgUnit.Level.MUNICIPAL).order_by("pk").first()


def grants_in_words(user) -> list[tuple[OrgUnit, list[str]]]:
    """The user's own grants: each org unit with the names of what they may do there."""
    labels = dict(UnitPerm.choices)
    rows = UserObjectPermission.objects.filter(user=user).values_list("object_pk", "permission__codename")
    by_unit: dict[int, list[str]] = defaultdict(list)
    for object_pk, codename in rows:
        if codename in labels:
            by_unit[int(object_pk)].append(codename)
    units = OrgUnit.objects.in_bulk(list(by_unit))
    order = list(UnitPerm.values)
    return [
        (units[pk], [str(labels[c]) for c in sorted(codes, key=order.index)])
        for pk, codes in sorted(by_unit.items())
        if pk in units
    ]


def role_events(user) -> QuerySet:
    return UserRoleEvent.objects.filter(user=user).select_related("actor__profile").order_by("-at", "-pk")


def officer_registry(districts) -> list[tuple[OrgUnit, list]]:
    """Per district, its information officers and reviewing leaders (of the district or its towns), active ones."""
    from .models import UserProfile

    profiles = (
        UserProfile.objects.filter(role__in=(Role.OFFICER, Role.REVIEWER), user__is_active=True)
        .filter(Q(org_unit__in=districts) | Q(org_unit__parent__in=districts))
        .select_related("user", "org_unit")
        .order_by("org_unit__level", "org_unit__order", "-role", "full_name", "user__username")
    )
    by_district: dict[int, list] = defaultdict(list)
    for profile in profiles:
        district_id = (
            profile.org_unit_id if profile.org_unit.level == OrgUnit.Level.DISTRICT else profile.org_unit.parent_id
        )
        by_district[district_id].append(profile)
    return [(district, by_district.get(district.pk, [])) for district in districts]


def is_locked_out(user) -> bool:
    """Whether failed sign-ins have locked the account (django-axes, AXES_FAILURE_LIMIT within the cool-off)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        username=user.username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).exists()
