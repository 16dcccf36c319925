"""Who is granted what (R-1.5, R-1.7): the permissions each role holds on its org unit, those that come with
the kinds of work routed to a working group, and the routes themselves. `people.user_assign_role` grants by
these tables and `coordination.permissions.office_perms` reads them, so this module imports neither: the
permissions are named by their member of UnitPerm, the enum every grant derives from."""

from ..models import Role, SubmissionKind, SubmissionRoute, UnitPerm, WorkingGroup


def _codenames(*members: UnitPerm) -> tuple[str, ...]:
    return tuple(member.value for member in members)


# What each role may do on the org unit it belongs to. Office members also get the permissions of
# the kinds of work routed to their working group; see user_assign_role and ROUTE_PERMS.
ROLE_UNIT_PERMS: dict[str, tuple[str, ...]] = {
    Role.OFFICER: _codenames(
        UnitPerm.VIEW_UNIT_DATA,
        UnitPerm.FILL_REPORT,
        UnitPerm.MANAGE_MEETINGS,
        UnitPerm.HANDLE_ACTION_ITEMS,
        UnitPerm.SUBMIT_PLANS,
        UnitPerm.MANAGE_PROJECTS,
    ),
    Role.REVIEWER: _codenames(
        UnitPerm.VIEW_UNIT_DATA,
        UnitPerm.APPROVE_REPORT,
        UnitPerm.APPROVE_MINUTES,
        UnitPerm.HANDLE_ACTION_ITEMS,
        UnitPerm.MANAGE_PROJECTS,
    ),
    # An office member manages the people of its own working group (the services narrow it to that group).
    Role.OFFICE: _codenames(UnitPerm.VIEW_UNIT_DATA, UnitPerm.MANAGE_USERS),
    Role.LEADER: _codenames(UnitPerm.VIEW_UNIT_DATA),
    # A liaison reads, across every district, what the office has accepted (数据共享, issue 18), within what
    # the office shares with its member unit (MemberUnit.withheld_kinds, Indicator.withheld_from).
    Role.LIAISON: _codenames(UnitPerm.VIEW_SHARED_DATA),
    # An API client's service account reads the same, through the data-sharing feed (read-only).
    Role.CLIENT: _codenames(UnitPerm.VIEW_SHARED_DATA),
    # Towns and their lifecycle decisions are the work routed to a group (SubmissionKind.TOWNS, by default the
    # 创建考核组); the superuser, who installs the platform, may record them too.
    Role.ADMIN: _codenames(
        UnitPerm.VIEW_UNIT_DATA, UnitPerm.MANAGE_USERS, UnitPerm.MANAGE_ORGANISATION, UnitPerm.MANAGE_CATALOGUE
    ),
    # 三员分立 (issue 22): the security administrator sees no data and creates nobody; the audit administrator
    # only reads the security audit.
    Role.SECURITY: _codenames(UnitPerm.MANAGE_SECURITY),
    Role.AUDITOR: _codenames(UnitPerm.READ_SECURITY_AUDIT),
}
# The Django admin's pages the system administrator keeps (README: the schedules, the holiday calendar, the cadence
# and validation rules): model permissions (app_label.model, every action) of the role's group, and the admin's door
# (is_staff) for the role's holders. Everything else there is read-only or the superuser's.
ROLE_MODEL_PERMS: dict[str, tuple[str, ...]] = {
    Role.ADMIN: (
        "django_celery_beat.periodictask",
        "django_celery_beat.crontabschedule",
        "django_celery_beat.intervalschedule",
        "django_celery_beat.clockedschedule",
        "django_celery_beat.solarschedule",
        "coordination.calendarday",
        "coordination.cadencerule",
        "ledgers.validationrule",
    ),
}
STAFF_ROLES = frozenset(ROLE_MODEL_PERMS)
# What the working group that owns a kind of submission may do, on the municipality and so everywhere.
ROUTE_PERMS: dict[str, tuple[str, ...]] = {
    SubmissionKind.STATISTICS: _codenames(UnitPerm.ACCEPT_REPORT),
    SubmissionKind.PLANS: _codenames(UnitPerm.REVIEW_PLANS),
    SubmissionKind.MEETINGS: _codenames(
        UnitPerm.MANAGE_MEETINGS, UnitPerm.APPROVE_MINUTES, UnitPerm.VERIFY_ACTION_ITEMS
    ),
    SubmissionKind.INSPECTIONS: _codenames(UnitPerm.MANAGE_INSPECTIONS),
    SubmissionKind.ASSESSMENTS: _codenames(UnitPerm.MANAGE_ASSESSMENTS),
    SubmissionKind.POLICIES: _codenames(UnitPerm.MANAGE_POLICIES),
    SubmissionKind.TOWNS: _codenames(UnitPerm.MANAGE_TOWNS),
}
# The notice's division of work, used until an administrator routes a kind elsewhere.
DEFAULT_ROUTES: dict[str, str] = {
    SubmissionKind.STATISTICS: "policy",
    SubmissionKind.PLANS: "planning",
    SubmissionKind.MEETINGS: "coord",
    SubmissionKind.INSPECTIONS: "coord",
    SubmissionKind.ASSESSMENTS: "assess",
    SubmissionKind.POLICIES: "policy",
    SubmissionKind.TOWNS: "assess",
}
ALL_UNIT_PERMS = tuple(UnitPerm.values)


def submission_routes() -> dict[str, str]:
    """Kind of submission → code of the working group that owns it (administrator's routes over the defaults)."""
    routes = dict(DEFAULT_ROUTES)
    routes.update(SubmissionRoute.objects.values_list("kind", "working_group__code"))
    return routes


def working_group_perms(working_group: WorkingGroup) -> list[str]:
    routes = submission_routes()
    granted: list[str] = []
    for kind, group_code in routes.items():
        if group_code == working_group.code:
            granted += [perm for perm in ROUTE_PERMS.get(kind, ()) if perm not in granted]
    return granted
