"""The one door for monthly reports and projects: what a user sees, and what it may do to what it sees."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from coordination import permissions as unit_perms
from coordination.models import MemberUnit, OrgUnit, SharedKind, Town, UserProfile
from coordination.permissions import districts_for_user, org_units_for_user, reading_towns_for_user, towns_for_user  # noqa: F401 (districts_for_user: for the pages)
from tianjin_towns.lib.doors import door
from tianjin_towns.lib.queries import attach, columns, joined_row

from .models import (
    DataFlag,
    EntryException,
    Evidence,
    FigureCheck,
    Indicator,
    IndicatorSource,
    MonthlyReport,
    Project,
    ProjectAttachment,
    ReportStatus,
    WorkInfo,
)

VIEW = unit_perms.VIEW
EDIT = unit_perms.FILL  # save figures and submit
APPROVE = unit_perms.APPROVE
ACCEPT = unit_perms.ACCEPT
RETURN = "return"  # resolved per status by perm_for_return
MANAGE_PROJECTS = unit_perms.MANAGE_PROJECTS  # register and edit the town's projects (officers, reviewers)
MANAGE_CATALOGUE = unit_perms.MANAGE_CATALOGUE  # on the municipality: the indicator catalogue (administrators)
FIGURES = SharedKind.FIGURES  # shared with the member units: the ledger, the accepted figures, the export
PROJECTS = SharedKind.PROJECTS  # shared with the member units: the project ledger


def monthly_reports_for_user(user: AbstractBaseUser, perm: str = VIEW) -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.filter(town__unit__in=org_units_for_user(user, perm).values("pk"))


def perm_for_return(report: MonthlyReport) -> str:
    """The reviewer at the report's current stage may return it: the district leader, then the office."""
    return ACCEPT if report.status == ReportStatus.DISTRICT_APPROVED else APPROVE


def can(user: AbstractBaseUser, report: MonthlyReport, perm: str) -> bool:
    if perm == RETURN:
        if report.status not in (ReportStatus.SUBMITTED, ReportStatus.DISTRICT_APPROVED):
            # Any reviewer may try; the service then says why the state does not allow it (409).
            return can(user, report, APPROVE) or can(user, report, ACCEPT)
        perm = perm_for_return(report)
    return unit_perms.user_has_unit_perm(user, report.town_id, perm)


PEOPLE = ("submitted_by", "approved_by", "accepted_by")  # a report's steps and who took them


@functools.lru_cache(maxsize=2)
def _report_statement(profiles: bool) -> tuple[str, tuple[type[Model], ...]]:
    """_report_with_relations' statement and the models of its row, in order (written once per process)."""
    user_model = get_user_model()
    people_columns, people_joins, people_models = [], [], []
    for index, name in enumerate(PEOPLE):
        column = MonthlyReport._meta.get_field(name).column
        people_columns.append(columns(user_model, f"p{index}"))
        people_joins.append(f"LEFT JOIN {user_model._meta.db_table} p{index} ON p{index}.id = r.{column}")
        people_models.append(user_model)
        if profiles:
            people_columns.append(columns(UserProfile, f"f{index}"))
            people_joins.append(f"LEFT JOIN {UserProfile._meta.db_table} f{index} ON f{index}.user_id = p{index}.id")
            people_models.append(UserProfile)
    unit_table = OrgUnit._meta.db_table
    sql = f"""SELECT {columns(MonthlyReport, "r")}, {columns(Town, "t")}, {columns(OrgUnit, "u")},
                     {columns(OrgUnit, "d")}, {columns(OrgUnit, "a")}, {", ".join(people_columns)}
              FROM {MonthlyReport._meta.db_table} r JOIN {Town._meta.db_table} t ON t.unit_id = r.town_id
              JOIN {unit_table} u ON u.id = t.unit_id JOIN {unit_table} d ON d.id = t.district_id
              LEFT JOIN {unit_table} a ON a.id = u.parent_id
              {" ".join(people_joins)}
              WHERE r.id = %s"""
    return sql, (MonthlyReport, Town, OrgUnit, OrgUnit, OrgUnit, *people_models)


def _report_with_relations(pk: int, profiles: bool) -> tuple[MonthlyReport, list[int]] | None:
    """The report with its town, the town's unit and district, and those who took its steps (with `profiles`, their
    profiles too) loaded, as select_related would load them; and the chain of org units above it (its town's unit's
    grandparent, parent, the unit), whose grants make it visible. One plain statement: every report page, and
    every save, submission and review of a report, passes this door."""
    sql, models = _report_statement(profiles)
    found = joined_row(sql, [pk], *models)
    if found is None:
        return None
    report, town, unit, district, above, *people = found
    town.unit, town.district, report.town = unit, district, town
    joined = iter(people)
    for name in PEOPLE:
        person = next(joined)  # None: a step not taken
        setattr(report, name, person)
        if profiles:
            attach(person, "profile", next(joined))
    return report, [above.parent_id if above else None, unit.parent_id, unit.pk]


def get_monthly_report_for_user(
    user: AbstractBaseUser, pk, perm: str = VIEW, *, profiles: bool = False
) -> MonthlyReport:
    """The report if `user` sees it (Http404 otherwise) and may do `perm` on it (PermissionDenied otherwise); with
    `profiles`, the profiles of those who submitted, approved and accepted it too (the pages that name them). The
    user sees the reports of the towns under the org units on which they hold VIEW (monthly_reports_for_user)."""
    try:
        number = int(pk)
    except (TypeError, ValueError):  # not a report's number
        raise Http404 from None
    found = _report_with_relations(number, profiles)
    report = None
    if found is not None and unit_perms.reaches_along(user, found[1], VIEW)[-1]:
        report = found[0]
    return door(report, lambda found: perm == VIEW or can(user, found, perm))


# --- Districts and the ledger's scope -------------------------------------------------------------------


def get_district_for_user(user: AbstractBaseUser, pk) -> OrgUnit:
    """A district named in a request: Http404 when the user does not see the unit or it is not a district."""
    district = unit_perms.get_org_unit_for_user(user, pk)
    if district.level != OrgUnit.Level.DISTRICT:
        raise Http404
    return district


def get_ledger_scope_for_user(
    user: AbstractBaseUser, *, district_id: int | None = None, town_id: int | None = None
) -> Town | OrgUnit | None:
    """The scope a ledger export names: the town (Http404 unless the user reads its accepted figures and,
    when a district is named as well, it lies in that district), else the district, else None (all the user
    reads)."""
    if town_id:
        town = reading_towns_for_user(user, FIGURES).select_related("unit", "district").filter(pk=town_id).first()
        if town is None or (district_id and town.district_id != district_id):
            raise Http404
        return town
    if district_id:
        return door(unit_perms.reading_districts_for_user(user, FIGURES).filter(pk=district_id).first())
    return None


def ledger_indicators_for_user(user: AbstractBaseUser) -> QuerySet[Indicator]:
    """The active indicators whose accepted figures the user reads: all of them, less those the office
    withholds from the user's member unit (a liaison; Indicator.withheld_from)."""
    indicators = Indicator.objects.filter(active=True)
    member_unit = unit_perms.sharing_member_unit(user)
    if member_unit is not None:
        indicators = indicators.exclude(withheld_from=member_unit)
    return indicators


def ledger_includes_projects(user: AbstractBaseUser) -> bool:
    """Whether the ledger export carries the project ledger sheet: always within the user's own scope;
    through sharing, when the project ledger is shared with its member unit."""
    return org_units_for_user(user).exists() or PROJECTS in unit_perms.shared_kinds_for_user(user)


def can_import_reports(user: AbstractBaseUser) -> bool:
    """Whether the user fills the reports of some district (the Excel import is a district's)."""
    return districts_for_user(user, EDIT).exists()


def check_import_reports(user: AbstractBaseUser) -> None:
    """The door of sending an import: PermissionDenied unless `can_import_reports` (each district is checked
    again with `get_org_unit_for_user`)."""
    if not can_import_reports(user):
        raise PermissionDenied


# --- Projects ------------------------------------------------------------------------------------------


def projects_for_user(user: AbstractBaseUser, perm: str = VIEW) -> QuerySet[Project]:
    """Projects of the towns the user holds `perm` on; for reading, also those whose project ledger the office
    shares with the user's member unit (their accepted months only: selectors.project_prefetches)."""
    units = unit_perms.reading_units_for_user(user, PROJECTS) if perm == VIEW else org_units_for_user(user, perm)
    return Project.objects.filter(town__unit__in=units.values("pk"))


def get_project_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> Project:
    """The project if its town is in `user`'s scope (Http404 otherwise) and `user` holds `perm` on the town
    (PermissionDenied otherwise): MANAGE_PROJECTS to edit it or attach documents."""
    project = projects_for_user(user, VIEW).select_related("town__unit", "town__district").filter(pk=pk).first()
    return door(project, lambda found: perm == VIEW or unit_perms.user_has_unit_perm(user, found.town_id, perm))


def can_manage_projects(user: AbstractBaseUser, project: Project) -> bool:
    return unit_perms.user_has_unit_perm(user, project.town_id, MANAGE_PROJECTS)


def project_towns_for_user(user: AbstractBaseUser) -> QuerySet[Town]:
    """The towns whose projects `user` registers and edits."""
    return towns_for_user(user, MANAGE_PROJECTS)


def check_register_projects(user: AbstractBaseUser) -> None:
    """The door of the new-project page: PermissionDenied unless the user manages the projects of some town
    (the town chosen is checked by the form's choices)."""
    if not project_towns_for_user(user).exists():
        raise PermissionDenied


def get_project_attachment_for_user(user: AbstractBaseUser, project_pk, pk) -> ProjectAttachment:
    """An attachment of a project `user` sees (Http404 otherwise): downloads need nothing more."""
    attachment = (
        ProjectAttachment.objects.filter(project__in=projects_for_user(user, VIEW).values("pk"), project_id=project_pk)
        .filter(pk=pk)
        .first()
    )
    return door(attachment)


# --- The indicator catalogue (R-1.7) ------------------------------------------------------------------


def can_manage_catalogue(user: AbstractBaseUser) -> bool:
    """The catalogue is the municipality's: MANAGE_CATALOGUE granted there (the administrator role)."""
    return unit_perms.holds_on_municipality(user, MANAGE_CATALOGUE)


def check_catalogue_access(user: AbstractBaseUser) -> None:
    """The catalogue pages are its maintainers' (PermissionDenied for everyone else)."""
    if not can_manage_catalogue(user):
        raise PermissionDenied


def get_indicator_for_user(user: AbstractBaseUser, pk) -> Indicator:
    check_catalogue_access(user)
    indicator = Indicator.objects.filter(pk=pk).first()
    return door(indicator)


def report_actions_for_user(user: AbstractBaseUser, report: MonthlyReport) -> set[str]:
    """Which workflow buttons to show: the perms the user holds that the report's state allows."""
    held = {p for p in (EDIT, APPROVE, ACCEPT) if unit_perms.user_has_unit_perm(user, report.town_id, p)}
    actions = set()
    if report.is_editable and EDIT in held:
        actions |= {"edit", "submit"}
    if report.status == ReportStatus.SUBMITTED and APPROVE in held:
        actions |= {"approve", "return"}
    if report.status == ReportStatus.DISTRICT_APPROVED and ACCEPT in held:
        actions |= {"accept", "return"}
    return actions


# --- Data quality and the audit trail (issue 3) -------------------------------------------------------

REVIEW = "review"  # either reviewer of the report's town: confirms flagged figures


def can_audit(user: AbstractBaseUser) -> bool:
    """The office-wide audit search is the office's (and the administrators'), over what they see: read from
    the permissions (work routed to the office, MANAGE_ORGANISATION), not from role names."""
    return unit_perms.can_audit(user)


def can_review(user: AbstractBaseUser, report: MonthlyReport) -> bool:
    return can(user, report, APPROVE) or can(user, report, ACCEPT)


def check_audit_access(user: AbstractBaseUser) -> None:
    """The door of the audit search: PermissionDenied unless `can_audit`."""
    if not can_audit(user):
        raise PermissionDenied


def _of_seen_report(model, user: AbstractBaseUser, pk):
    """The flag or evidence file `pk` (of `model`) when it belongs to a report `user` sees, else None."""
    return (
        model.objects.filter(report__in=monthly_reports_for_user(user, VIEW).values("pk"), pk=pk)
        .select_related("report__town__unit", "indicator")
        .first()
    )


def get_flag_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> DataFlag:
    def allowed(flag: DataFlag) -> bool:
        return can_review(user, flag.report) if perm == REVIEW else perm == VIEW or can(user, flag.report, perm)

    return door(_of_seen_report(DataFlag, user, pk), allowed)


def get_report_flag_for_user(user: AbstractBaseUser, report_pk, pk, perm: str = VIEW) -> DataFlag:
    """A flag of the report in the URL: Http404 unless the user sees the report and the flag and the flag is
    the report's, PermissionDenied when it may not do `perm` (REVIEW to confirm the figure)."""
    report = get_monthly_report_for_user(user, report_pk)
    flag = get_flag_for_user(user, pk, perm)
    if flag.report_id != report.pk:
        raise Http404
    return flag


def get_evidence_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> Evidence:
    evidence = _of_seen_report(Evidence, user, pk)
    return door(evidence, lambda found: perm == VIEW or can(user, found.report, perm))


def get_report_evidence_for_user(user: AbstractBaseUser, report_pk, pk, perm: str = VIEW) -> Evidence:
    """An evidence file of the report in the URL: `get_evidence_for_user`, and Http404 when it is another
    report's."""
    evidence = get_evidence_for_user(user, pk, perm)
    if evidence.report_id != int(report_pk):
        raise Http404
    return evidence


def entry_exception_towns_for_user(user: AbstractBaseUser) -> QuerySet[Town]:
    """The towns the user may grant an exception to the entry lock: those whose reports it accepts (the office)."""
    return towns_for_user(user, ACCEPT)


def can_grant_entry_exceptions(user: AbstractBaseUser) -> bool:
    return entry_exception_towns_for_user(user).exists()


def check_grant_entry_exceptions(user: AbstractBaseUser) -> None:
    """The door of granting an exception: PermissionDenied unless `can_grant_entry_exceptions` (the town
    chosen is checked again with `get_town_for_user`)."""
    if not can_grant_entry_exceptions(user):
        raise PermissionDenied


def get_entry_exception_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> EntryException:
    exception = (
        EntryException.objects.filter(town__unit__in=org_units_for_user(user, VIEW).values("pk"), pk=pk)
        .select_related("town__unit")
        .first()
    )
    return door(exception, lambda found: perm == VIEW or unit_perms.user_has_unit_perm(user, found.town_id, perm))


def quality_actions_for_user(user: AbstractBaseUser, report: MonthlyReport, *, pending_reopen: bool) -> set[str]:
    """Which data-quality buttons a report page shows: reopen (request, approve/reject), evidence, review."""
    actions = set()
    if report.status == ReportStatus.ACCEPTED and not pending_reopen and can(user, report, EDIT):
        actions.add("reopen")
    if pending_reopen and can(user, report, ACCEPT):
        actions.add("decide_reopen")
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED) and can_review(user, report):
        actions.add("resolve_flags")
    return actions


# --- Work information (R-3.2) --------------------------------------------------------------------------
#
# The report grants carry over: the officer (fill) writes and submits, the district leader (approve)
# reviews, the group that accepts statistics (accept, 综合政策组) adopts. A draft is its writers' own.


def work_info_for_user(user: AbstractBaseUser, perm: str = VIEW) -> QuerySet[WorkInfo]:
    units = org_units_for_user(user, perm).values("pk")
    infos = WorkInfo.objects.filter(org_unit__in=units)
    if perm == VIEW:
        infos = infos.filter(
            ~Q(status=WorkInfo.Status.DRAFT) | Q(org_unit__in=org_units_for_user(user, EDIT).values("pk"))
        )
    return infos


def work_info_units_for_user(user: AbstractBaseUser) -> QuerySet[OrgUnit]:
    """Districts and towns the user writes for, districts first (the form's select)."""
    return (
        org_units_for_user(user, EDIT)
        .exclude(level=OrgUnit.Level.MUNICIPAL)
        .select_related("parent")
        .order_by("level", "order", "code")
    )


def can_write_work_info(user: AbstractBaseUser) -> bool:
    return work_info_units_for_user(user).exists()


def check_write_work_info(user: AbstractBaseUser) -> None:
    """The door of the new-item page: PermissionDenied unless the user writes for some district or town (the
    unit chosen is checked by the form's choices)."""
    if not can_write_work_info(user):
        raise PermissionDenied


def can_issue_work_briefing(user: AbstractBaseUser) -> bool:
    """The work briefing goes out in the office's name: the group that adopts work information issues it."""
    return unit_perms.holds_on_municipality(user, ACCEPT)


def check_issue_work_briefing(user: AbstractBaseUser) -> None:
    if not can_issue_work_briefing(user):
        raise PermissionDenied


def work_info_actions_for_user(user: AbstractBaseUser, info: WorkInfo) -> set[str]:
    """Which buttons the page shows: the perms the user holds that the item's state allows."""
    Status = WorkInfo.Status
    needed = {
        Status.DRAFT: (EDIT, {"edit", "submit"}),
        Status.RETURNED: (EDIT, {"edit", "submit"}),
        Status.SUBMITTED: (APPROVE, {"approve", "return"}),
        Status.APPROVED: (ACCEPT, {"accept", "return"}),
    }.get(info.status)
    if needed is None or not unit_perms.user_has_unit_perm(user, info.org_unit_id, needed[0]):
        return set()
    return needed[1]


def get_work_info_for_user(user: AbstractBaseUser, pk, action: str | None = None) -> WorkInfo:
    """The item if `user` sees it (Http404 otherwise) and, when `action` is named, may do it now
    (PermissionDenied otherwise; the service says why a state refuses it)."""
    info = work_info_for_user(user, VIEW).select_related("org_unit__parent", "created_by").filter(pk=pk).first()
    if info is None:
        raise Http404
    if action is not None:
        perm = {"edit": EDIT, "submit": EDIT, "approve": APPROVE, "accept": ACCEPT}.get(action)
        if action == "return":
            perm = ACCEPT if info.status == WorkInfo.Status.APPROVED else APPROVE
        if not unit_perms.user_has_unit_perm(user, info.org_unit_id, perm):
            raise PermissionDenied
    return info


# --- Departmental cross-checks (数据核对, issue 18) --------------------------------------------------------
#
# A member unit's liaison checks the indicators assigned to its unit; the districts see and explain the
# discrepancies of their towns; the office (the holders of ACCEPT: the group statistics are routed to) closes
# them; the office as a whole assigns the indicators to the units.

EXPLAIN = "explain"  # the district: FILL or APPROVE on the town
CLOSE = "close"  # the office: ACCEPT on the town


def checking_member_unit(user: AbstractBaseUser) -> MemberUnit | None:
    """The member unit whose checks the user records: a liaison's, when its unit checks some indicator."""
    member_unit_id = unit_perms.liaison_member_unit_id(user)
    if member_unit_id is None or not IndicatorSource.objects.filter(member_unit_id=member_unit_id).exists():
        return None
    return user.profile.member_unit


def get_checking_member_unit(user: AbstractBaseUser) -> MemberUnit:
    """The door of the check entry page: 404 for anyone who records no check."""
    return door(checking_member_unit(user))


def figure_checks_for_user(user: AbstractBaseUser) -> QuerySet[FigureCheck]:
    """The checks the user sees: those of the towns it sees, and a liaison its own unit's."""
    seen = Q(report__town__unit__in=org_units_for_user(user).values("pk"))
    member_unit_id = unit_perms.liaison_member_unit_id(user)
    if member_unit_id is not None:
        seen |= Q(member_unit_id=member_unit_id)
    return FigureCheck.objects.filter(seen)


def can_on_check(user: AbstractBaseUser, check: FigureCheck, perm: str) -> bool:
    town_id = check.report.town_id
    if perm == EXPLAIN:
        return unit_perms.user_has_unit_perm(user, town_id, EDIT) or unit_perms.user_has_unit_perm(
            user, town_id, APPROVE
        )
    return unit_perms.user_has_unit_perm(user, town_id, ACCEPT)


def check_towns_for_user(user: AbstractBaseUser, perm: str) -> QuerySet[Town]:
    """The towns whose discrepancies the user explains (EXPLAIN: their officers and leaders) or closes (CLOSE)."""
    if perm == EXPLAIN:
        return towns_for_user(user, EDIT) | towns_for_user(user, APPROVE)
    return towns_for_user(user, ACCEPT)


def get_figure_check_for_user(user: AbstractBaseUser, pk, perm: str = VIEW) -> FigureCheck:
    """A check the user sees (404 otherwise) on which it may `perm` (EXPLAIN, CLOSE; 403 otherwise)."""
    check = (
        figure_checks_for_user(user)
        .select_related("report__town__unit", "report__town__district", "indicator", "member_unit")
        .filter(pk=pk)
        .first()
    )
    return door(check, lambda found: perm == VIEW or can_on_check(user, found, perm))


def check_manage_sources(user: AbstractBaseUser) -> None:
    """The door of assigning indicators to the member units that check them: the office (403)."""
    if not unit_perms.works_for_office(user):
        raise PermissionDenied


# --- Reviewing several reports at once (批量审核, issue 19) ------------------------------------------------
#
# The district leader approves, the office (综合政策组) accepts: each through the same service and the same
# permission as one report at a time.

BULK_STEPS = {"approve": APPROVE, "accept": ACCEPT}


def bulk_review_steps_for_user(user: AbstractBaseUser) -> list[str]:
    """The steps of BULK_STEPS the user takes on some town's reports, in workflow order (no query in a request)."""
    held = unit_perms.unit_perms_held(user)
    return [step for step, perm in BULK_STEPS.items() if perm in held]


def get_bulk_step_for_user(user: AbstractBaseUser, step: str | None) -> str:
    """The door of the bulk review page: the step asked for (the user's first when none is named); Http404 for
    a step that does not exist, PermissionDenied when the user does not take it (or takes none)."""
    steps = bulk_review_steps_for_user(user)
    if not step:
        if not steps:
            raise PermissionDenied
        return steps[0]
    if step not in BULK_STEPS:
        raise Http404
    if step not in steps:
        raise PermissionDenied
    return step


def bulk_review_reports_for_user(user: AbstractBaseUser, step: str, ids) -> QuerySet[MonthlyReport]:
    """The chosen reports (`ids`) the user may take `step` on: those of towns where it holds the step's
    permission. A chosen id outside them is left out (the page names how many)."""
    return monthly_reports_for_user(user, BULK_STEPS[step]).filter(pk__in=ids)
