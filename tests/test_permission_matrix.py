"""The permission matrix: every page and API route × every persona, against the table ROWS below.

The routes come from the URL configuration, so a new endpoint is covered without anyone remembering:
a route (and HTTP method) without a row fails `test_every_route_has_a_row`, whose message is the row
to paste. Each row says who may do it (`ok`), who sees the object but may not act (`forbidden`, 403)
and what everyone else gets (`rest`: 404 for an object they cannot see). Anonymous callers are sent
to the login page (pages) or refused with 401/403 (API) unless the row is `public`.

Personas (conftest.world): dongli's officer and reviewing leader, xiqing's officer (the outsider),
a member of each of the office's four working groups, the convener (leader), a member-unit liaison, the API
client of that member unit (issue 18: a service account with a token and no password, read-only; its outcome
follows the liaison's on the API and anonymous's on pages unless a row's `client` says otherwise),
anonymous, and the three administrators of 三员分立 (issue 22: system, security, audit; see ADMINS). The row's
target object is built once for the rows that share it (`row_target`); each persona's request runs in its own
savepoint rolled back after it, so a successful POST changes nothing for the next persona or row.

Adding a row:   Row("meeting-detail", "GET", target="meeting", ok=SEES_CITY, rest=404)
Adding a target: TARGETS["meeting"] = lambda w: <create it through your app's services; return it>
(target objects belong to dongli unless the name says otherwise, so SEES_DONGLI is who sees them).
"""

import contextlib
import copy
import datetime
import functools
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.http import SimpleCookie
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.views.generic.edit import ProcessFormView

from conftest import FIXTURE_EXPLANATIONS, FULL_VALUES, PASSWORD, let_file, rolled_back
from coordination import services as org
from coordination.models import ApiToken
from coordination.services.tokens import api_token_issue
from coordination.tests.factories import town_step_form
from ledgers import services as ledger
from ledgers.models import Project, ReportStatus
from tianjin_towns.lib import pdf
from tianjin_towns.middleware import SEEN_AT

# --- Personas ------------------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
OFFICE = frozenset({"office_policy", "office_assess", "office_planning", "office_coord"})
USERS = frozenset({"officer", "reviewer", "outsider", "leader", "liaison"} | OFFICE)
# An API client of the data-sharing feed (issue 18) of the statistics bureau: a service account with a token and
# no password, so pages send it to log in; on the API it reads what the bureau's liaison reads of the shared
# data and writes nothing (403). Its expectation derives from the liaison's (`_expected`), or a row's `client`.
CLIENT = "client"
PERSONAS = sorted(USERS) + [CLIENT, ANONYMOUS]
# 三员分立 (issue 22): the system, security and audit administrators. Each row's `admins` lets some of them in; the
# others are refused (403, 404 or 400, "refused"). They are tried on every row that changes something, on every
# row of the administrators' own pages (ADMIN_PAGES) and on every row that names them, so that each is seen refused
# the other two's work and everybody's business; the GET rows of the towns' work they are not tried on.
ADMINS = frozenset({"sysadmin", "security", "auditor"})
SYSADMIN, SECURITY, AUDITOR = frozenset({"sysadmin"}), frozenset({"security"}), frozenset({"auditor"})
ADMIN_PAGES = (
    "user-",
    "api-user-",
    "member-unit-",
    "api-member-unit-",
    "org-unit-",
    "routing",
    "indicator-",
    "security-",
)
REFUSED = frozenset({"400", "403", "404"})
DONGLI = frozenset({"officer", "reviewer"})
SEES_CITY = OFFICE | {"leader"}  # view every district's data
SEES_DONGLI = DONGLI | SEES_CITY  # who sees a dongli object
NOBODY: frozenset = frozenset()


def _but(group: frozenset, *names: str) -> frozenset:
    return group - set(names)


# What a row's data builds alike for every persona (a workbook's bytes, from the same data: each persona's request
# is rolled back): built for the row's first persona; every request still uploads its own file of them. Emptied as
# each row starts (`test_permission_matrix`).
_built_for_the_row: dict[str, bytes] = {}


def _once_per_row(key: str, build: Callable[[], bytes]) -> bytes:
    if key not in _built_for_the_row:
        _built_for_the_row[key] = build()
    return _built_for_the_row[key]


# --- Targets: the objects a route's URL points at ------------------------------------------------------

PDF = pdf.available()  # the PDF copies of Word documents are offered only where LibreOffice is installed


def _minutes_path(world, meeting):
    return {"path": reverse("meeting-minutes-docx", args=[meeting.pk])}


SEPT = datetime.date(2026, 9, 1)


def _report(world, status: str):
    u = world.users
    let_file(world, world.town, SEPT)  # past its close day: the office's exception
    report = ledger.monthly_report_create(actor=u.officer, town=world.town, period=SEPT)
    report = ledger.monthly_report_save(
        actor=u.officer, report=report, values=FULL_VALUES, explanations=FIXTURE_EXPLANATIONS
    )
    steps = [
        (ReportStatus.SUBMITTED, lambda r: ledger.monthly_report_submit(actor=u.officer, report=r)),
        (ReportStatus.DISTRICT_APPROVED, lambda r: ledger.monthly_report_approve(actor=u.reviewer, report=r)),
        (ReportStatus.ACCEPTED, lambda r: ledger.monthly_report_accept(actor=u.office_policy, report=r)),
    ]
    for reached, step in steps:
        if report.status == status:
            break
        report = step(report)
        assert report.status == reached
    return report


def _project(world):
    return ledger.project_create(
        actor=world.users.officer,
        town=world.town,
        code="P-001",
        name="智能装备产业园",
        category=Project.Category.INDUSTRY,
        total_investment=10000,
        year_plans=[{"year": 2026, "amount": 3000}],
    )


TARGETS: dict[str, Callable] = {
    "draft_report": lambda w: _report(w, ReportStatus.DRAFT),
    "submitted_report": lambda w: _report(w, ReportStatus.SUBMITTED),
    "approved_report": lambda w: _report(w, ReportStatus.DISTRICT_APPROVED),
    "project": _project,
    "town": lambda w: w.town,
    "district": lambda w: w.dongli,
}


# Meetings, action items, plans and policies (issue 4): dongli's, made through the coordination services.
def _coordination_targets() -> dict[str, Callable]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coordination import services as org
    from coordination.models import MemberUnit
    from coordination.tests.factories import make_item, make_meeting, make_plan

    def meeting_attachment(w):
        meeting = make_meeting(w)
        upload = SimpleUploadedFile("签到表.pdf", b"%PDF")
        return org.meeting_attach(actor=w.users.officer, meeting=meeting, file=upload)

    def done_item(w):
        item = make_item(w)
        upload = SimpleUploadedFile("批复.pdf", b"%PDF")
        return org.action_item_report_progress(
            actor=w.users.officer, item=item, done=True, resolution="完成", evidence=upload
        )

    def returned_plan(w):
        return org.plan_return(actor=w.users.office_planning, plan=make_plan(w), comments="请补充创建点位")

    def plan_attachment(w):
        plan = org.plan_submit(
            actor=w.users.officer, org_unit=w.town.unit, kind="development", title="规划",
            content={"scope": "范围", "positioning": "定位"}, attachments=[SimpleUploadedFile("规划.pdf", b"%PDF")],
        )  # fmt: skip
        return plan.versions.get().attachments.get()

    def policy(w):
        stats = MemberUnit.objects.get(code="statistics")
        return org.policy_create(
            actor=w.users.liaison, member_unit=stats, title="统计监测办法", issued_on=datetime.date(2026, 5, 10),
            file=SimpleUploadedFile("办法.pdf", b"%PDF"),
        )  # fmt: skip

    def approved_meeting(w):
        return org.meeting_approve_minutes(actor=w.users.reviewer, meeting=make_meeting(w))

    return {
        "planned_meeting": lambda w: make_meeting(w, held=False, held_on=datetime.date(2026, 11, 2)),
        "held_meeting": lambda w: make_meeting(w),
        "decision": lambda w: make_meeting(w, decisions=["完成用地报批"]).decisions.get(),
        "meeting_attachment": meeting_attachment,
        "action_item": lambda w: make_item(w),
        "done_item": done_item,
        "evidence_event": lambda w: done_item(w).events.get(action="done"),
        "plan": lambda w: make_plan(w),
        "returned_plan": returned_plan,
        "plan_attachment": plan_attachment,
        "policy": policy,
        "approved_meeting": approved_meeting,
        "issued_minutes": lambda w: org.meeting_minutes_issue(actor=w.users.reviewer, meeting=approved_meeting(w)),
    }


TARGETS.update(_coordination_targets())


# --- The table -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str  # the URL name
    method: str  # GET, POST, PATCH, …
    ok: frozenset = NOBODY  # personas who may do it: 2xx or a redirect that is not to a login page
    forbidden: frozenset = NOBODY  # personas who see the object but may not act: 403
    rest: int = 404  # every other logged-in persona: 404 (cannot see it), 403, or 400 (an unseen id in the body)
    public: bool = False  # anonymous may do it too
    target: str | None = None  # a key of TARGETS; its pk fills every URL argument
    kwargs: Callable | None = None  # (target) → URL kwargs, when pk does not fit
    data: Callable | dict | None = None  # (world, target) → form data / JSON body
    query: dict = field(default_factory=dict)
    label: str = ""  # tells two rows of the same route and method apart
    expect_anonymous: str = ""  # "admin-login": redirected to the admin's own login page
    lands_on_login: bool = False  # success is a redirect to the login page (logging out)
    client: str = ""  # the API client's outcome where it differs from the rule of `_expected`
    admins: frozenset = NOBODY  # the administrators (ADMINS) who may do it; the others are refused

    def __post_init__(self):
        object.__setattr__(self, "ok", frozenset(self.ok))
        object.__setattr__(self, "forbidden", frozenset(self.forbidden))
        object.__setattr__(self, "admins", frozenset(self.admins))

    @property
    def id(self) -> str:
        return f"{self.name} {self.method}{' @' + self.label if self.label else ''}"


def _for_everyone(*names: str) -> list[Row]:
    """The GET rows of pages and lists that every logged-in persona opens (each sees what its scope holds)."""
    return [Row(name, "GET", ok=USERS) for name in names]


def _town_period(world, target):
    return {"town": world.town.pk, "period": "2026-10"}


def _figures(world, target):
    return {**FULL_VALUES, "action": "save"}


def _reason(world, target):
    return {"reason": "数据与台账不符，请核实。"}


# A new project of dongli's town, as the API's body and the page's form give it.
NEW_PROJECT = {"code": "P-NEW", "name": "新建项目", "category": "industry", "total_investment": "500"}


def _new_project(world, target):
    return {"town": world.town.pk, **NEW_PROJECT, "annual_investment": "100"}


def _password_change(world, target):
    return {"old_password": PASSWORD, "new_password1": "Tj-Town$2026-Quarter", "new_password2": "Tj-Town$2026-Quarter"}


EDITORS_OF_DONGLI = frozenset({"officer"})
NOT_EDITORS = _but(SEES_DONGLI, "officer")
DISTRICT_REVIEWER = frozenset({"reviewer"})  # dongli's reviewing leader
ACCEPTOR = frozenset({"office_policy"})  # the office's policy group (综合政策组)


def _reset_link(target):
    return {"uidb64": "MQ", "token": "set-password"}


ROWS: list[Row] = [
    # Public: health, login and password reset.
    Row("healthz", "GET", ok=USERS, public=True),
    Row("nav-counts", "GET", ok=USERS, public=True),  # anonymous: 204, nothing to count (tianjin_towns.views)
    Row("login", "GET", ok=USERS, public=True),
    Row("login", "POST", ok=USERS, public=True, data={"username": "dongli-officer", "password": PASSWORD}, admins=ADMINS),
    Row("logout", "POST", ok=USERS, public=True, lands_on_login=True, admins=ADMINS),
    Row("password_reset", "GET", ok=USERS, public=True),
    Row("password_reset", "POST", ok=USERS, public=True, data={"email": "nobody@example.com"}, admins=ADMINS),
    Row("password_reset_done", "GET", ok=USERS, public=True),
    Row("password_reset_confirm", "GET", ok=USERS, public=True, kwargs=_reset_link),
    Row("password_reset_confirm", "POST", ok=USERS, public=True, kwargs=_reset_link, data={"new_password1": "x", "new_password2": "x"}, admins=ADMINS),
    Row("password_reset_complete", "GET", ok=USERS, public=True),
    Row("api-schema", "GET", ok=USERS, public=True),
    Row("api-docs", "GET", ok=USERS, public=True),
    Row("api-token", "POST", ok=USERS, public=True, data={"username": "dongli-officer", "password": PASSWORD}, admins=ADMINS),
    Row("api-token", "DELETE", ok=USERS, client="allow", admins=ADMINS),  # revokes the token the call presents (a client's too)
    # Every logged-in user: their own account, the inbox, lists scoped to what they may see.
    Row("password_change", "GET", ok=USERS),
    Row("password_change", "POST", ok=USERS, data=_password_change, admins=ADMINS),
    # One's own second factor (issue 22, coordination.two_factor): nobody here owes one, so the code's pages send
    # them on; enrolling shows a new app's QR code, a wrong code is the form's error.
    Row("two-factor-verify", "GET", ok=USERS, admins=ADMINS),
    Row("two-factor-verify", "POST", ok=USERS, data={"token": "000000"}, admins=ADMINS),
    Row("two-factor-setup", "GET", ok=USERS, admins=ADMINS),
    Row("two-factor-setup", "POST", ok=USERS, data={"token": "000000"}, admins=ADMINS),
    Row("account-security", "GET", ok=USERS, admins=ADMINS),
    Row("two-factor-recovery-codes", "POST", ok=USERS, admins=ADMINS),
    Row("two-factor-disable", "POST", ok=USERS, admins=ADMINS),
    *_for_everyone("password_change_done", "home", "session-keepalive", "report-list", "ledger"),
    *_for_everyone("search", "help"),  # issue 19: the search finds only what each one sees (tests/test_search.py)
    Row("ledger-export", "GET", ok=USERS, query={"year": "2026"}),
    *_for_everyone(
        "api-org-unit-list", "api-town-list", "api-indicator-list", "api-monthly-report-list", "api-project-list",
    ),
    Row("api-ledger-export", "GET", ok=USERS, query={"year": "2026"}),
    # Objects of dongli: seen by dongli and the city, not by xiqing or the liaison.
    Row("api-org-unit-detail", "GET", target="district", ok=SEES_DONGLI),
    Row("api-town-detail", "GET", target="town", ok=SEES_DONGLI),
    Row("report-detail", "GET", target="draft_report", ok=SEES_DONGLI),
    Row("api-monthly-report-detail", "GET", target="draft_report", ok=SEES_DONGLI),
    Row("api-monthly-report-history", "GET", target="draft_report", ok=SEES_DONGLI),
    Row("api-project-detail", "GET", target="project", ok=SEES_DONGLI | {"liaison"}),  # the project ledger is shared
    # Filling in: dongli's officer only (the town in a create's body is unknown to everyone else: 400).
    Row("report-fill", "POST", ok=EDITORS_OF_DONGLI, forbidden=NOT_EDITORS, data=_town_period),
    Row("report-edit", "GET", target="draft_report", ok=EDITORS_OF_DONGLI, forbidden=NOT_EDITORS),
    Row("report-edit", "POST", target="draft_report", ok=EDITORS_OF_DONGLI, forbidden=NOT_EDITORS, data=_figures),
    Row("report-submit", "POST", target="draft_report", ok=EDITORS_OF_DONGLI, forbidden=NOT_EDITORS),
    Row("api-monthly-report-list", "POST", label="create", ok=EDITORS_OF_DONGLI, forbidden=NOT_EDITORS, rest=400, data=_town_period),
    Row("api-monthly-report-detail", "PATCH", target="draft_report", ok=EDITORS_OF_DONGLI, forbidden=NOT_EDITORS, data={"values": {"tax_revenue": 99}}),
    Row("api-monthly-report-submit", "POST", target="draft_report", ok=EDITORS_OF_DONGLI, forbidden=NOT_EDITORS),
    # Projects: MANAGE_PROJECTS on the town (the district's officer and leader, issue 15).
    Row("api-project-list", "POST", label="create", ok=DONGLI, forbidden=SEES_CITY, rest=400, data=_new_project),
    Row("api-project-detail", "PATCH", target="project", ok=DONGLI, forbidden=SEES_CITY | {"liaison"}, data={"name": "智能装备产业园（二期）", "year_plans": [{"year": 2027, "amount": "500"}]}),
    # District review: dongli's reviewing leader only.
    Row("report-approve", "POST", target="submitted_report", ok=DISTRICT_REVIEWER, forbidden=SEES_DONGLI - DISTRICT_REVIEWER),
    Row("report-return", "GET", target="submitted_report", label="district", ok=DISTRICT_REVIEWER, forbidden=SEES_DONGLI - DISTRICT_REVIEWER),
    Row("report-return", "POST", target="submitted_report", label="district", ok=DISTRICT_REVIEWER, forbidden=SEES_DONGLI - DISTRICT_REVIEWER, data=_reason),
    Row("api-monthly-report-approve", "POST", target="submitted_report", ok=DISTRICT_REVIEWER, forbidden=SEES_DONGLI - DISTRICT_REVIEWER),
    Row("api-monthly-report-return", "POST", target="submitted_report", label="district", ok=DISTRICT_REVIEWER, forbidden=SEES_DONGLI - DISTRICT_REVIEWER, data=_reason),
    # Acceptance: the office's policy group only.
    Row("report-accept", "POST", target="approved_report", ok=ACCEPTOR, forbidden=SEES_DONGLI - ACCEPTOR),
    Row("report-return", "POST", target="approved_report", label="office", ok=ACCEPTOR, forbidden=SEES_DONGLI - ACCEPTOR, data=_reason),
    Row("api-monthly-report-accept", "POST", target="approved_report", ok=ACCEPTOR, forbidden=SEES_DONGLI - ACCEPTOR),
    Row("api-monthly-report-return", "POST", target="approved_report", label="office", ok=ACCEPTOR, forbidden=SEES_DONGLI - ACCEPTOR, data=_reason),
    # Django's admin: no persona is staff; every admin page sends them to the admin's login.
    Row("admin:index", "GET", expect_anonymous="admin-login"),
]  # fmt: skip

# --- Meetings, action items, plans, cadence, organisation and policies (issue 4) ---------------------------
MEETING_MANAGERS = frozenset({"officer", "office_coord"})  # dongli's officer; the group that owns meetings
MINUTES_APPROVERS = frozenset({"reviewer", "office_coord"})
ITEM_HANDLERS = DONGLI  # the responsible unit (a dongli town) and its district
ITEM_VERIFIERS = frozenset({"office_coord"})
PLAN_REVIEWERS = frozenset({"office_planning"})
POLICY_EDITORS = frozenset({"liaison", "office_policy"})  # the statistics bureau's liaison; the policy group
MEETING_HOSTS = frozenset({"officer", "outsider", "office_coord"})  # whoever may record some meeting


def _meeting_form(world, target):
    return {"kind": "district_regular", "org_unit": world.dongli.pk, "title": "12月例会", "held_on": "2026-11-20"}


def _plan_content(world, target):
    return {"scope": "华明街道", "positioning": "智能制造", "sub-TOTAL_FORMS": "0", "sub-INITIAL_FORMS": "0"}


def _new_plan(world, target):
    return {"org_unit": world.town.unit.pk, "kind": "development", "title": "新规划", **_plan_content(world, target)}


def _new_policy(world, target):
    from coordination.models import MemberUnit

    stats = MemberUnit.objects.get(code="statistics")
    return {"member_unit": stats.pk, "title": "新政策", "issued_on": "2026-06-01"}


def _attachment_upload(world, target):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("材料.pdf", b"%PDF")}


def _assign(world, target):
    return {"responsible": f"u{world.town.unit.pk}", "owner": "张伟", "due_on": "2026-12-20"}


def _assign_api(world, target):
    return {"decision": target.pk, "responsible_unit": world.town.unit.pk, "owner": "张伟", "due_on": "2026-12-20"}


def _decision_kwargs(decision):
    return {"pk": decision.meeting_id, "decision_pk": decision.pk}


ROWS += [
    *_for_everyone(
        "meeting-list", "action-item-list", "plan-list", "cadence", "organisation", "policy-list",
        "api-meeting-list", "api-action-item-list", "api-plan-list",
    ),
    Row("api-cadence", "GET", ok=USERS, query={"year": "2026"}),
    # Meetings: dongli's officer and 协调推动组 record them; the reviewer or 协调推动组 approves minutes.
    Row("meeting-create", "GET", ok=MEETING_HOSTS, forbidden=USERS - MEETING_HOSTS),
    Row("meeting-create", "POST", ok=MEETING_HOSTS, forbidden=USERS - MEETING_HOSTS, data=_meeting_form),
    Row("meeting-detail", "GET", target="held_meeting", ok=SEES_DONGLI),
    Row("meeting-minutes-docx", "GET", target="held_meeting", ok=SEES_DONGLI),
    # Its PDF copy (issue 20), asked for by whoever may have the .docx, where LibreOffice is installed (CI installs it).
    Row("document-pdf", "POST", target="held_meeting", kwargs=lambda m: {}, data=_minutes_path,
        ok=SEES_DONGLI if PDF else NOBODY, admins=SYSADMIN if PDF else NOBODY),
    Row("meeting-edit", "GET", target="planned_meeting", ok=MEETING_MANAGERS, forbidden=SEES_DONGLI - MEETING_MANAGERS),
    Row("meeting-edit", "POST", target="planned_meeting", ok=MEETING_MANAGERS, forbidden=SEES_DONGLI - MEETING_MANAGERS, data=_meeting_form),
    Row("meeting-hold", "POST", target="planned_meeting", ok=MEETING_MANAGERS, forbidden=SEES_DONGLI - MEETING_MANAGERS),
    Row("meeting-delete", "POST", target="planned_meeting", ok=MEETING_MANAGERS, forbidden=SEES_DONGLI - MEETING_MANAGERS),
    Row("meeting-approve-minutes", "POST", target="held_meeting", ok=MINUTES_APPROVERS, forbidden=SEES_DONGLI - MINUTES_APPROVERS),
    # Documents issued (issue 20): who approves the minutes issues them; whoever sees the meeting reads them as issued.
    Row("meeting-detail", "GET", target="approved_meeting", ok=SEES_DONGLI, label="approved, its 印发 dialog"),
    Row("meeting-minutes-issue", "POST", target="approved_meeting", ok=MINUTES_APPROVERS, forbidden=SEES_DONGLI - MINUTES_APPROVERS),
    Row("document-list", "GET", ok=USERS),
    Row("document-file", "GET", target="issued_minutes", ok=SEES_DONGLI),
    Row("api-document-list", "GET", ok=USERS),
    Row("api-document-detail", "GET", target="issued_minutes", ok=SEES_DONGLI),
    Row("api-document-file", "GET", target="issued_minutes", ok=SEES_DONGLI),
    Row("decision-add", "POST", target="held_meeting", ok=MEETING_MANAGERS, forbidden=SEES_DONGLI - MEETING_MANAGERS, data={"text": "新决定"}),
    Row("decision-delete", "POST", target="decision", kwargs=_decision_kwargs, ok=MEETING_MANAGERS, forbidden=SEES_DONGLI - MEETING_MANAGERS),
    Row("action-item-create", "GET", target="decision", kwargs=_decision_kwargs, ok=MEETING_MANAGERS, forbidden=SEES_DONGLI - MEETING_MANAGERS),
    Row("action-item-create", "POST", target="decision", kwargs=_decision_kwargs, ok=MEETING_MANAGERS, forbidden=SEES_DONGLI - MEETING_MANAGERS, data=_assign),
    Row("meeting-attach", "POST", target="held_meeting", ok=MEETING_MANAGERS, forbidden=SEES_DONGLI - MEETING_MANAGERS, data=_attachment_upload),
    Row("meeting-attachment", "GET", target="meeting_attachment", kwargs=lambda a: {"pk": a.meeting_id, "attachment_pk": a.pk}, ok=SEES_DONGLI),
    Row("api-meeting-list", "POST", label="create", ok=MEETING_MANAGERS, forbidden=SEES_DONGLI - MEETING_MANAGERS, rest=400, data=_meeting_form),
    Row("api-meeting-detail", "GET", target="held_meeting", ok=SEES_DONGLI),
    Row("api-meeting-detail", "PATCH", target="held_meeting", ok=MEETING_MANAGERS, forbidden=SEES_DONGLI - MEETING_MANAGERS, data={"place": "华明街道"}),
    Row("api-meeting-detail", "DELETE", target="planned_meeting", ok=MEETING_MANAGERS, forbidden=SEES_DONGLI - MEETING_MANAGERS),
    Row("api-meeting-held", "POST", target="planned_meeting", ok=MEETING_MANAGERS, forbidden=SEES_DONGLI - MEETING_MANAGERS),
    Row("api-meeting-approve-minutes", "POST", target="held_meeting", ok=MINUTES_APPROVERS, forbidden=SEES_DONGLI - MINUTES_APPROVERS),
    # Action items: the responsible unit reports, 协调推动组 verifies.
    Row("action-item-detail", "GET", target="action_item", ok=SEES_DONGLI),
    Row("action-item-progress", "GET", target="action_item", ok=ITEM_HANDLERS, forbidden=SEES_DONGLI - ITEM_HANDLERS),
    Row("action-item-progress", "POST", target="action_item", ok=ITEM_HANDLERS, forbidden=SEES_DONGLI - ITEM_HANDLERS, data={"note": "已上报"}),
    Row("action-item-verify", "POST", target="done_item", ok=ITEM_VERIFIERS, forbidden=SEES_DONGLI - ITEM_VERIFIERS),
    Row("action-item-reject", "POST", target="done_item", ok=ITEM_VERIFIERS, forbidden=SEES_DONGLI - ITEM_VERIFIERS, data={"reason": "材料不全"}),
    Row("action-item-evidence", "GET", target="evidence_event", kwargs=lambda e: {"pk": e.item_id, "event_pk": e.pk}, ok=SEES_DONGLI),
    Row("api-action-item-list", "POST", label="create", target="decision", kwargs=lambda d: {}, ok=MEETING_MANAGERS, forbidden=SEES_DONGLI - MEETING_MANAGERS, rest=400, data=_assign_api),
    Row("api-action-item-detail", "GET", target="action_item", ok=SEES_DONGLI),
    Row("api-action-item-history", "GET", target="action_item", ok=SEES_DONGLI),
    Row("api-action-item-progress", "POST", target="action_item", ok=ITEM_HANDLERS, forbidden=SEES_DONGLI - ITEM_HANDLERS, data={"note": "已上报"}),
    Row("api-action-item-verify", "POST", target="done_item", ok=ITEM_VERIFIERS, forbidden=SEES_DONGLI - ITEM_VERIFIERS),
    Row("api-action-item-reject", "POST", target="done_item", ok=ITEM_VERIFIERS, forbidden=SEES_DONGLI - ITEM_VERIFIERS, data={"reason": "材料不全"}),
    # Plans: dongli's officer submits, 规划编制组 reviews; everyone who sees dongli reads every version.
    Row("plan-create", "GET", ok={"officer", "outsider"}, forbidden=USERS - {"officer", "outsider"}),
    Row("plan-create", "POST", ok={"officer", "outsider"}, forbidden=USERS - {"officer", "outsider"}, data=_new_plan),
    Row("plan-detail", "GET", target="plan", ok=SEES_DONGLI),
    Row("plan-resubmit", "GET", target="returned_plan", ok={"officer"}, forbidden=_but(SEES_DONGLI, "officer")),
    Row("plan-resubmit", "POST", target="returned_plan", ok={"officer"}, forbidden=_but(SEES_DONGLI, "officer"), data=_plan_content),
    Row("plan-review", "POST", target="plan", ok=PLAN_REVIEWERS, forbidden=SEES_DONGLI - PLAN_REVIEWERS, data={"decision": "approve"}),
    Row("plan-attachment", "GET", target="plan_attachment", kwargs=lambda a: {"pk": a.version.plan_id, "attachment_pk": a.pk}, ok=SEES_DONGLI),
    Row("api-plan-list", "POST", label="create", ok={"officer"}, forbidden=_but(SEES_DONGLI, "officer"), rest=400, data=_new_plan),
    Row("api-plan-detail", "GET", target="plan", ok=SEES_DONGLI),
    Row("api-plan-approve", "POST", target="plan", ok=PLAN_REVIEWERS, forbidden=SEES_DONGLI - PLAN_REVIEWERS),
    Row("api-plan-return", "POST", target="plan", ok=PLAN_REVIEWERS, forbidden=SEES_DONGLI - PLAN_REVIEWERS, data={"comments": "请修改"}),
    Row("api-plan-resubmit", "POST", target="returned_plan", ok={"officer"}, forbidden=_but(SEES_DONGLI, "officer"), data={"scope": "范围", "positioning": "定位"}),
    # Support policies: public documents; the member unit's liaison and 综合政策组 record them.
    Row("policy-create", "GET", ok=POLICY_EDITORS, forbidden=USERS - POLICY_EDITORS),
    Row("policy-create", "POST", ok=POLICY_EDITORS, forbidden=USERS - POLICY_EDITORS, data=_new_policy),
    Row("policy-edit", "GET", target="policy", ok=POLICY_EDITORS, forbidden=USERS - POLICY_EDITORS),
    Row("policy-edit", "POST", target="policy", ok=POLICY_EDITORS, forbidden=USERS - POLICY_EDITORS, data={"title": "改", "issued_on": "2026-06-01"}),
    Row("policy-file", "GET", target="policy", ok=USERS),
]  # fmt: skip


# Visits and problems (issue 5): dongli's, made through the inspections services. 协调推动组 records
# visits and problems and verifies; the responsible unit (here 东丽区: its officer and leader) rectifies.
def _inspection_targets() -> dict[str, Callable]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from inspections import services as inspection

    def visit(w, files=()):
        return inspection.visit_create(
            actor=w.users.office_coord, kind="onsite_supervision", district=w.dongli,
            held_on=datetime.date(2026, 7, 10), title="第三季度现场督办服务", towns=[w.town], files=files,
        )  # fmt: skip

    def problem(w):
        return inspection.problem_create(
            actor=w.users.office_coord, visit=visit(w), category="land", description="用地指标未落实",
            town=w.town, responsible_unit=w.dongli, due_on=datetime.date(2026, 8, 10),
        )  # fmt: skip

    def visit_file(w):
        photo = SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32)
        return visit(w, files=[photo]).attachments.get()

    return {
        "visit": visit,
        "problem": problem,
        "rectified_problem": lambda w: inspection.problem_rectify(
            actor=w.users.officer, problem=problem(w), note="已整改", files=[_photo()]
        ),
        "visit_file": visit_file,
    }


TARGETS.update(_inspection_targets())
INSPECTORS = frozenset({"office_coord"})
RECTIFIERS = DONGLI


def _visit_form(world, target):
    return {"kind": "onsite_supervision", "district": world.dongli.pk, "held_on": "2026-07-10", "title": "现场督办"}


# A problem found on the visit, dongli's to rectify, as the page's form and the API's body give it.
NEW_PROBLEM = {"category": "land", "description": "用地", "due_on": "2026-08-10"}


def _problem_form(world, target):
    return {**NEW_PROBLEM, "responsible": f"unit-{world.dongli.pk}", "outcome": "open"}


def _problem_api(world, target):
    return {**NEW_PROBLEM, "visit": target.pk, "responsible_unit": world.dongli.pk}


def _photo():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("整改.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32)


# A rectification is reported with its evidence (issue 19), on the page as a photo, on the API as `files`.
def _rectify_form(world, target):
    return {"note": "已整改", "photos": _photo()}


def _rectify_api(world, target):
    return {"note": "已整改", "files": _photo()}


ROWS += [
    *_for_everyone(
        "inspection-list", "inspection-measures", "inspection-circular", "inspection-circular-docx", "problem-list",
    ),
    Row("inspection-create", "GET", ok=INSPECTORS, forbidden=USERS - INSPECTORS),
    Row("inspection-create", "POST", ok=INSPECTORS, forbidden=USERS - INSPECTORS, data=_visit_form),
    Row("inspection-detail", "GET", target="visit", ok=SEES_DONGLI),
    Row("inspection-edit", "GET", target="visit", ok=INSPECTORS, forbidden=SEES_DONGLI - INSPECTORS),
    Row("inspection-edit", "POST", target="visit", ok=INSPECTORS, forbidden=SEES_DONGLI - INSPECTORS, data={"kind": "onsite_supervision", "held_on": "2026-07-10", "title": "改"}),
    Row("inspection-upload", "POST", target="visit", ok=INSPECTORS, forbidden=SEES_DONGLI - INSPECTORS),
    Row("inspection-file", "GET", target="visit_file", ok=SEES_DONGLI),
    Row("inspection-district", "GET", target="district", ok=SEES_DONGLI),
    Row("problem-create", "GET", target="visit", ok=INSPECTORS, forbidden=SEES_DONGLI - INSPECTORS),
    Row("problem-create", "POST", target="visit", ok=INSPECTORS, forbidden=SEES_DONGLI - INSPECTORS, data=_problem_form),
    Row("problem-detail", "GET", target="problem", ok=SEES_DONGLI),
    Row("problem-edit", "GET", target="problem", ok=INSPECTORS, forbidden=SEES_DONGLI - INSPECTORS),
    Row("problem-edit", "POST", target="problem", ok=INSPECTORS, forbidden=SEES_DONGLI - INSPECTORS, data=_problem_form),
    Row("problem-progress", "GET", target="problem", ok=RECTIFIERS, forbidden=SEES_DONGLI - RECTIFIERS),
    Row("problem-progress", "POST", target="problem", ok=RECTIFIERS, forbidden=SEES_DONGLI - RECTIFIERS, data={"note": "推进中"}),
    Row("problem-rectify", "GET", target="problem", ok=RECTIFIERS, forbidden=SEES_DONGLI - RECTIFIERS),
    Row("problem-rectify", "POST", target="problem", ok=RECTIFIERS, forbidden=SEES_DONGLI - RECTIFIERS, data=_rectify_form),
    Row("problem-verify", "POST", target="rectified_problem", ok=INSPECTORS, forbidden=SEES_DONGLI - INSPECTORS),
    Row("problem-reject", "GET", target="rectified_problem", ok=INSPECTORS, forbidden=SEES_DONGLI - INSPECTORS),
    Row("problem-reject", "POST", target="rectified_problem", ok=INSPECTORS, forbidden=SEES_DONGLI - INSPECTORS, data={"reason": "不到位"}),
    Row("api-inspection-list", "GET", ok=USERS),
    Row("api-inspection-list", "POST", label="create", ok=INSPECTORS, forbidden=SEES_DONGLI - INSPECTORS, rest=400, data=_visit_form),
    Row("api-inspection-detail", "GET", target="visit", ok=SEES_DONGLI),
    Row("api-inspection-detail", "PATCH", target="visit", ok=INSPECTORS, forbidden=SEES_DONGLI - INSPECTORS, data={"title": "改"}),
    Row("api-inspection-measures", "GET", ok=USERS, query={"year": "2026"}),
    Row("api-inspection-circular", "GET", ok=USERS, query={"year": "2026"}),
    # The circular goes out in the office's name: its inspection group issues it (issue 20).
    Row("inspection-circular-issue", "POST", ok=INSPECTORS, forbidden=USERS - INSPECTORS),
    Row("api-inspection-file", "GET", target="visit_file", ok=SEES_DONGLI),
    Row("api-problem-list", "GET", ok=USERS),
    Row("api-problem-list", "POST", label="create", target="visit", kwargs=lambda v: {}, ok=INSPECTORS, forbidden=SEES_DONGLI - INSPECTORS, rest=400, data=_problem_api),
    Row("api-problem-detail", "GET", target="problem", ok=SEES_DONGLI),
    Row("api-problem-detail", "PATCH", target="problem", ok=INSPECTORS, forbidden=SEES_DONGLI - INSPECTORS, data={"description": "改"}),
    Row("api-problem-history", "GET", target="problem", ok=SEES_DONGLI),
    Row("api-problem-progress", "POST", target="problem", ok=RECTIFIERS, forbidden=SEES_DONGLI - RECTIFIERS, data={"note": "推进中"}),
    Row("api-problem-rectify", "POST", target="problem", ok=RECTIFIERS, forbidden=SEES_DONGLI - RECTIFIERS, data=_rectify_api),
    Row("api-problem-verify", "POST", target="rectified_problem", ok=INSPECTORS, forbidden=SEES_DONGLI - INSPECTORS),
    Row("api-problem-reject", "POST", target="rectified_problem", ok=INSPECTORS, forbidden=SEES_DONGLI - INSPECTORS, data={"reason": "不到位"}),
]  # fmt: skip

# --- Data quality: corrections, flags, evidence, import, audit, gaps, exceptions (issue 3) ---------------------


def _quality_targets() -> dict[str, Callable]:
    from ledgers.models import DataFlag, Indicator
    from ledgers.tests.quality import pdf

    def reopen_pending(w):
        report = _report(w, ReportStatus.ACCEPTED)
        ledger.monthly_report_reopen_request(actor=w.users.officer, report=report, reason="税收收入误填")
        return report

    def flag(w):
        report = _report(w, ReportStatus.SUBMITTED)
        tax = Indicator.objects.get(code="tax_revenue")
        return DataFlag.objects.create(report=report, indicator=tax, value=900, message="超出正常范围")

    def exception(w):
        expires = datetime.date.today() + datetime.timedelta(days=7)
        return ledger.entry_exception_grant(
            actor=w.users.office_policy, town=w.town, period=SEPT, reason="系统故障", expires_on=expires
        )

    return {
        "accepted_report": lambda w: _report(w, ReportStatus.ACCEPTED),
        "reopen_pending_report": reopen_pending,
        "flag": flag,
        "evidence": lambda w: ledger.report_evidence_add(
            actor=w.users.officer, report=_report(w, ReportStatus.DRAFT), file=pdf()
        ),
        "exception": exception,
    }


TARGETS.update(_quality_targets())
FILERS = frozenset({"officer"})
REVIEWERS = frozenset({"reviewer", "office_policy"})  # either reviewer of the report confirms a flagged figure
CORRECTION_DECIDERS = frozenset({"office_policy"})


def _import_file(world, target):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coordination.models import Town
    from ledgers.tests.quality import fill, template

    let_file(world, world.town, SEPT)  # September is past its close day
    figures = {("T0101", "2026-09"): {"税收收入（万元）": 160}}
    data = _once_per_row("ledger", lambda: fill(template(Town.objects.filter(district=world.dongli)), figures))
    return SimpleUploadedFile("台账.xlsx", data)


def _import_page(world, target):
    return {"district": world.dongli.pk, "month": "2026-09", "file": _import_file(world, target)}


def _import_api(world, target):
    return {"district": world.dongli.pk, "period": "2026-09", "file": _import_file(world, target)}


def _evidence_upload(world, target):
    from ledgers.tests.quality import pdf

    return {"file": pdf()}


def _exception_form(world, target):
    expires = datetime.date.today() + datetime.timedelta(days=5)
    return {"town": world.town.pk, "month": "2026-09", "expires_on": expires.isoformat(), "reason": "系统故障"}


def _flag_kwargs(flag):
    return {"pk": flag.report_id, "flag_id": flag.pk}


def _evidence_kwargs(evidence):
    return {"pk": evidence.report_id, "evidence_id": evidence.pk}


ROWS += [
    Row("gaps", "GET", ok=USERS, query={"year": "2026"}),
    Row("api-gaps", "GET", ok=USERS, query={"year": "2026"}),
    Row("audit", "GET", ok=OFFICE, forbidden=USERS - OFFICE),
    Row("api-audit", "GET", ok=OFFICE, forbidden=USERS - OFFICE),
    Row("entry-exceptions", "GET", ok=USERS),
    Row("entry-exceptions", "POST", ok=CORRECTION_DECIDERS, forbidden=USERS - CORRECTION_DECIDERS, data=_exception_form),
    Row("entry-exception-revoke", "POST", target="exception", ok=CORRECTION_DECIDERS, forbidden=SEES_DONGLI - CORRECTION_DECIDERS),
    # The import: a district's officer; the outsider posts only for their own district (东丽区 is no choice: the form is shown again).
    Row("ledger-import", "GET", ok=USERS),
    Row("ledger-import", "POST", ok=FILERS | {"outsider"}, forbidden=USERS - FILERS - {"outsider"}, data=_import_page),
    Row("api-ledger-import", "POST", ok=FILERS, forbidden=SEES_DONGLI - FILERS, data=_import_api),
    # Corrections of accepted reports: the filer asks, the policy group decides.
    Row("report-reopen", "GET", target="accepted_report", ok=FILERS, forbidden=SEES_DONGLI - FILERS),
    Row("report-reopen", "POST", target="accepted_report", ok=FILERS, forbidden=SEES_DONGLI - FILERS, data=_reason),
    Row("report-reopen-approve", "POST", target="reopen_pending_report", ok=CORRECTION_DECIDERS, forbidden=SEES_DONGLI - CORRECTION_DECIDERS),
    Row("report-reopen-reject", "GET", target="reopen_pending_report", ok=CORRECTION_DECIDERS, forbidden=SEES_DONGLI - CORRECTION_DECIDERS),
    Row("report-reopen-reject", "POST", target="reopen_pending_report", ok=CORRECTION_DECIDERS, forbidden=SEES_DONGLI - CORRECTION_DECIDERS, data=_reason),
    Row("api-report-reopen", "POST", target="accepted_report", ok=FILERS, forbidden=SEES_DONGLI - FILERS, data=_reason),
    Row("api-report-reopen-approve", "POST", target="reopen_pending_report", ok=CORRECTION_DECIDERS, forbidden=SEES_DONGLI - CORRECTION_DECIDERS),
    Row("api-report-reopen-reject", "POST", target="reopen_pending_report", ok=CORRECTION_DECIDERS, forbidden=SEES_DONGLI - CORRECTION_DECIDERS, data=_reason),
    # Flags and evidence.
    Row("flag-resolve", "POST", target="flag", kwargs=_flag_kwargs, ok=REVIEWERS, forbidden=SEES_DONGLI - REVIEWERS),
    Row("api-report-flags", "GET", target="draft_report", ok=SEES_DONGLI),
    Row("api-report-flag-resolve", "POST", target="flag", kwargs=_flag_kwargs, ok=REVIEWERS, forbidden=SEES_DONGLI - REVIEWERS),
    Row("evidence-download", "GET", target="evidence", kwargs=_evidence_kwargs, ok=SEES_DONGLI),
    Row("evidence-delete", "POST", target="evidence", kwargs=_evidence_kwargs, ok=FILERS, forbidden=SEES_DONGLI - FILERS),
    Row("api-report-evidence", "POST", target="draft_report", ok=FILERS, forbidden=SEES_DONGLI - FILERS, data=_evidence_upload),
]  # fmt: skip


def _work_info_targets() -> dict[str, Callable]:
    from ledgers.tests.factories import write_work_info

    def draft(w):
        return write_work_info(
            w, title="东丽区召开特色小镇例会", body="东丽区召开特色小镇建设例会，研究推进重点项目。", happened_on=SEPT
        )

    def submitted(w):
        return ledger.work_info_submit(actor=w.users.officer, info=draft(w))

    def approved(w):
        return ledger.work_info_approve(actor=w.users.reviewer, info=submitted(w))

    return {"work_info_draft": draft, "work_info_submitted": submitted, "work_info_approved": approved}


TARGETS.update(_work_info_targets())
INFO_REVIEWER = frozenset({"reviewer"})
INFO_ADOPTER = frozenset({"office_policy"})


def _work_info_form(world, target):
    return {
        "org_unit": world.dongli.pk,
        "category": "work",
        "happened_on": "2026-09-15",
        "title": "东丽区重点项目集中开工",
        "body": "东丽区5个特色小镇重点项目集中开工，总投资12亿元。",
    }


ROWS += [
    # Work information (R-3.2): the officer writes (a draft is its writers' only), the leader reviews, the policy group adopts.
    Row("work-info-list", "GET", ok=USERS),
    Row("work-info-briefing", "GET", ok=USERS, query={"month": "2026-09"}),
    Row("work-info-briefing-page", "GET", ok=USERS, query={"month": "2026-09"}),
    Row("work-info-briefing-issue", "POST", ok=INFO_ADOPTER, forbidden=USERS - INFO_ADOPTER, data={"month": "2026-09"}),
    Row("work-info-create", "GET", ok=FILERS | {"outsider"}, forbidden=USERS - FILERS - {"outsider"}),
    Row("work-info-create", "POST", ok=FILERS | {"outsider"}, forbidden=USERS - FILERS - {"outsider"}, data=_work_info_form),
    Row("work-info-detail", "GET", target="work_info_draft", ok=FILERS),
    Row("work-info-detail", "GET", target="work_info_submitted", ok=SEES_DONGLI, label="submitted"),
    Row("work-info-edit", "GET", target="work_info_draft", ok=FILERS),
    Row("work-info-edit", "POST", target="work_info_draft", ok=FILERS, data=_work_info_form),
    Row("work-info-submit", "POST", target="work_info_draft", ok=FILERS),
    Row("work-info-approve", "POST", target="work_info_submitted", ok=INFO_REVIEWER, forbidden=SEES_DONGLI - INFO_REVIEWER),
    Row("work-info-return", "POST", target="work_info_submitted", ok=INFO_REVIEWER, forbidden=SEES_DONGLI - INFO_REVIEWER, data=_reason),
    Row("work-info-accept", "POST", target="work_info_approved", ok=INFO_ADOPTER, forbidden=SEES_DONGLI - INFO_ADOPTER),
]  # fmt: skip


# Notifications and background exports (issue 6): private to their user, dongli's officer here.
def _scheduling_targets() -> dict[str, Callable]:
    from coordination import services as org

    def notification(w):
        return org.notify(recipients=[w.users.officer], kind="test", subject="提醒", occasion="matrix", link="/")[0]

    def export_job(w):
        params = {"year": 2026, "district": w.dongli.pk, "filename": "台账.xlsx"}
        return org.export_job_create(actor=w.users.officer, kind="ledger", title="2026年统计台账", params=params)

    def api_token(w):
        return api_token_issue(user=w.users.officer, name="报表脚本")

    return {"notification": notification, "export_job": export_job, "api_token": api_token}


TARGETS.update(_scheduling_targets())
OWNER = frozenset({"officer"})

ROWS += [
    Row("notification-list", "GET", ok=USERS),
    Row("notification-read-all", "POST", ok=USERS, admins=ADMINS),
    Row("notification-open", "GET", target="notification", ok=OWNER),
    Row("notification-read", "POST", target="notification", ok=OWNER),
    Row("api-notification-list", "GET", ok=USERS),
    Row("api-notification-unread-count", "GET", ok=USERS),
    Row("api-notification-read-all", "POST", ok=USERS, admins=ADMINS),
    Row("api-notification-detail", "GET", target="notification", ok=OWNER),
    Row("api-notification-read", "POST", target="notification", ok=OWNER),
    Row("export-job-detail", "GET", target="export_job", ok=OWNER),
    Row("export-job-progress", "GET", target="export_job", ok=OWNER),
    # Still queued: the download sends its owner back to the progress page.
    Row("export-job-download", "GET", target="export_job", ok=OWNER),
    # API tokens (issue 16): one's own only.
    Row("api-token-list", "GET", ok=USERS),
    Row("api-token-revoke", "POST", target="api_token", ok=OWNER),
    Row("api-auth-token-list", "GET", ok=USERS),
    Row("api-auth-token-detail", "GET", target="api_token", ok=OWNER),
    Row("api-auth-token-detail", "DELETE", target="api_token", ok=OWNER),
]  # fmt: skip


# Assessments (issue 7): targets, schemes, runs, sanctions, self-evaluations.
def _assessment_targets() -> dict[str, Callable]:
    from assessments import services as assess
    from assessments.models import RunKind
    from assessments.tests.factories import make_run, make_scheme, publish, set_targets

    def run(w, year: int, kind: str, *, scored: bool, published: bool):
        created = make_run(w, make_scheme(w, year), kind, points=10 if scored else None)
        return publish(w, created) if published else created

    def annual(w):
        set_targets(w, w.town2, 2025, fixed_asset_investment="1000")  # no reports: a proposed warning
        return run(w, 2025, RunKind.ANNUAL, scored=True, published=True)

    return {
        "scheme": lambda w: make_scheme(w, 2026),
        "target": lambda w: (
            assess.Target.objects.get(town=w.town, indicator__code="tax_revenue")
            if set_targets(w, w.town, 2026, tax_revenue="100") is not None
            else None
        ),
        "draft_run": lambda w: run(w, 2026, RunKind.SEMIANNUAL, scored=False, published=False),
        "ready_run": lambda w: run(w, 2026, RunKind.SEMIANNUAL, scored=True, published=False),
        "published_run": lambda w: run(w, 2026, RunKind.SEMIANNUAL, scored=True, published=True),
        "annual_run": annual,
    }


TARGETS.update(_assessment_targets())
ASSESSORS = frozenset({"office_assess"})  # 创建考核组
SEES_ASSESSMENTS = _but(USERS, "liaison")  # whoever reaches a town, and the office: targets, self-evaluations
# Schemes and published results are also shared with the member units (数据共享): the liaison reads them.
READS_RESULTS = USERS


def _new_run(world, target):
    from assessments.tests.factories import make_scheme

    return {"scheme": make_scheme(world, 2026).pk, "kind": "annual"}


def _town_of_run(run):
    return {"pk": run.pk, "town_id": run.results.get(town__unit__code="T0101").town_id}


def _self_evaluation_kwargs(district):
    from tianjin_towns.lib import dates

    return {"unit_id": district.pk, "kind": "monthly", "period": dates.format_period(dates.last_ended_period())}


ROWS += [
    Row("assessment-overview", "GET", ok=READS_RESULTS),
    Row("assessment-targets", "GET", ok=SEES_ASSESSMENTS),
    Row("assessment-target-template", "GET", ok=SEES_ASSESSMENTS),
    Row("assessment-target-import", "GET", ok=ASSESSORS, forbidden=SEES_ASSESSMENTS - ASSESSORS),
    Row("assessment-target-import", "POST", ok=ASSESSORS, forbidden=SEES_ASSESSMENTS - ASSESSORS, data={"year": "2026"}),
    Row("assessment-target-edit", "GET", target="town", kwargs=lambda t: {"town_id": t.pk, "year": 2026}, ok=ASSESSORS, forbidden=SEES_DONGLI - ASSESSORS),
    Row("assessment-target-edit", "POST", target="town", kwargs=lambda t: {"town_id": t.pk, "year": 2026}, ok=ASSESSORS, forbidden=SEES_DONGLI - ASSESSORS, data={"fixed_asset_investment": "1000"}),
    Row("assessment-schemes", "GET", ok=READS_RESULTS),
    Row("assessment-scheme-create", "GET", ok=ASSESSORS, forbidden=SEES_ASSESSMENTS - ASSESSORS),
    Row("assessment-scheme-create", "POST", ok=ASSESSORS, forbidden=SEES_ASSESSMENTS - ASSESSORS, data={"name": ""}),
    Row("assessment-scheme", "GET", target="scheme", ok=READS_RESULTS),
    Row("assessment-scheme-edit", "GET", target="scheme", ok=ASSESSORS, forbidden=READS_RESULTS - ASSESSORS),
    Row("assessment-scheme-edit", "POST", target="scheme", ok=ASSESSORS, forbidden=READS_RESULTS - ASSESSORS, data={"name": ""}),
    Row("assessment-scheme-copy", "POST", target="scheme", ok=ASSESSORS, forbidden=READS_RESULTS - ASSESSORS, data={"year": "2031"}),
    Row("assessment-run-create", "POST", ok=ASSESSORS, forbidden=READS_RESULTS - ASSESSORS, data=_new_run),
    # Drafts are internal to the office; published runs are seen by everyone assessed, each town by its district.
    Row("assessment-run", "GET", target="published_run", ok=READS_RESULTS),
    Row("assessment-run", "GET", target="draft_run", label="draft", ok=OFFICE),
    Row("assessment-run-manual", "GET", target="draft_run", ok=ASSESSORS, forbidden=OFFICE - ASSESSORS),
    Row("assessment-run-manual", "POST", target="draft_run", ok=ASSESSORS, forbidden=OFFICE - ASSESSORS, data={}),
    Row("assessment-run-publish", "POST", target="ready_run", ok=OFFICE),
    Row("assessment-run-delete", "POST", target="draft_run", ok=ASSESSORS, forbidden=OFFICE - ASSESSORS),
    Row("assessment-run-export", "GET", target="published_run", ok=READS_RESULTS),
    Row("assessment-run-briefing", "GET", target="published_run", ok=READS_RESULTS),
    Row("assessment-run-briefing-docx", "GET", target="published_run", ok=READS_RESULTS),
    Row("assessment-run-circular", "GET", target="annual_run", ok=READS_RESULTS),
    Row("assessment-run-circular-docx", "GET", target="annual_run", ok=READS_RESULTS),
    # A published run's briefing and results circular are issued by the office (issue 20).
    Row("assessment-run-briefing-issue", "POST", target="published_run", ok=OFFICE, forbidden=READS_RESULTS - OFFICE),
    Row("assessment-run-circular-issue", "POST", target="annual_run", ok=OFFICE, forbidden=READS_RESULTS - OFFICE),
    Row("assessment-town", "GET", target="published_run", kwargs=_town_of_run, ok=SEES_DONGLI | {"liaison"}),
    Row("assessment-town-decide", "POST", target="annual_run", kwargs=lambda r: {"pk": r.pk, "town_id": r.results.get(town__unit__code="T0102").town_id}, ok=OFFICE, forbidden=(SEES_DONGLI | {"liaison"}) - OFFICE, data={"decision": "none", "reason": "酌情不予处理", "decided_on": "2026-01-15"}),
    Row("assessment-self-evaluations", "GET", ok=SEES_ASSESSMENTS),
    Row("assessment-self-evaluation", "GET", target="district", kwargs=_self_evaluation_kwargs, ok=SEES_DONGLI),
    Row("assessment-self-evaluation", "POST", target="district", kwargs=_self_evaluation_kwargs, ok=FILERS, forbidden=SEES_DONGLI - FILERS, data={"self_score": "90", "action": "save"}),
    Row("api-target-list", "GET", ok=USERS),
    Row("api-target-list", "POST", label="set", ok=ASSESSORS, forbidden=SEES_DONGLI - ASSESSORS, rest=400, data=lambda w, t: {"town": w.town.pk, "year": 2026, "indicator": "tax_revenue", "value": 100}),
    Row("api-target-detail", "GET", target="target", ok=SEES_DONGLI),
    Row("api-target-completion", "GET", ok=USERS, query={"year": "2026"}),
    Row("api-assessment-list", "GET", ok=USERS),
    Row("api-assessment-list", "POST", label="create", ok=ASSESSORS, forbidden=READS_RESULTS - ASSESSORS, data=_new_run),
    Row("api-assessment-detail", "GET", target="published_run", ok=READS_RESULTS),
    Row("api-assessment-results", "GET", target="published_run", ok=READS_RESULTS),
    Row("api-assessment-publish", "POST", target="ready_run", ok=OFFICE),
    Row("api-assessment-decide", "POST", target="annual_run", ok=OFFICE, forbidden=READS_RESULTS - OFFICE, data=lambda w, r: {"town": w.town2.pk, "decision": "none", "reason": "酌情不予处理"}),
]  # fmt: skip

# Routes checked through another row: each admin page is wrapped by the same admin_view staff check
# that the admin:index row exercises.
EXEMPT_PREFIXES = ("admin/",)


# --- Reading the URL configuration -----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None
    methods: frozenset
    is_api: bool


def _methods_of(callback) -> frozenset:
    actions = getattr(callback, "actions", None)  # DRF ViewSet: {"get": "list", "post": "create"}
    if actions:
        return frozenset(m.upper() for m in actions if m != "head")  # DRF adds HEAD wherever GET is
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is not None:
        names = [m for m in cls.http_method_names if m not in ("options", "head") and hasattr(cls, m)]
        if getattr(cls, "put", None) is ProcessFormView.put:
            names.remove("put")  # Django's form views answer PUT as POST
        return frozenset(m.upper() for m in names)
    # A function view: require_http_methods keeps its list in a closure; otherwise GET, plus POST when
    # the view reads a posted form.
    func = callback
    while func is not None:
        for cell in func.__closure__ or ():
            contents = cell.cell_contents
            if (
                isinstance(contents, list | tuple)
                and contents
                and all(isinstance(m, str) and m.isupper() for m in contents)
            ):
                return frozenset(m for m in contents if m != "HEAD")
        func = getattr(func, "__wrapped__", None)
    try:
        source = inspect.getsource(inspect.unwrap(callback))
    except (OSError, TypeError):
        source = ""
    posts = "request.POST" in source or 'request.method == "POST"' in source
    return frozenset({"GET", "POST"} if posts else {"GET"})


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield Route(route, name, _methods_of(pattern.callback), route.startswith("api/"))


@functools.cache  # the URL configuration does not change during a run; reading views' source is slow
def all_routes() -> tuple[Route, ...]:
    return tuple(r for r in _walk(get_resolver().url_patterns) if not r.route.startswith(EXEMPT_PREFIXES))


def _suggestion(route: Route, method: str) -> str:
    has_args = "<" in route.route or "(?P<" in route.route
    target = ', target="…"' if has_args else ""
    body = ", data={…}" if method not in ("GET", "DELETE") else ""
    return (
        f'    Row("{route.name}", "{method}"{target}, ok=…, forbidden=…{body}),\n'
        f"  (who may {method} {route.route}? ok: personas allowed; forbidden: those who see it but may not act (403);"
        f" everyone else gets `rest` (404); personas: {', '.join(PERSONAS)})"
    )


# --- Tests -------------------------------------------------------------------------------------------------


def test_every_route_has_a_row():
    covered = {(row.name, row.method) for row in ROWS}
    missing = []
    for route in all_routes():
        if route.name is None:
            missing.append(f"{route.route}: has no URL name; name it, then add its rows here")
            continue
        for method in sorted(route.methods):
            if (route.name, method) not in covered:
                missing.append(f"{method} /{route.route} (URL name {route.name!r}):\n{_suggestion(route, method)}")
    assert not missing, (
        "Routes missing from the permission matrix (tests/test_permission_matrix.py, ROWS):\n\n" + "\n\n".join(missing)
    )


def test_every_row_names_a_route_that_exists():
    names = {r.name for r in all_routes()} | {"admin:index"}
    stale = sorted({row.id for row in ROWS if row.name not in names})
    assert not stale, f"rows for routes that no longer exist: {stale}"
    for row in ROWS:
        assert row.target is None or row.target in TARGETS, f"{row.id}: no target {row.target!r} in TARGETS"
        assert not (row.ok & row.forbidden), f"{row.id}: a persona cannot be both ok and forbidden"
        assert row.ok | row.forbidden <= USERS, f"{row.id}: unknown persona in {set(row.ok | row.forbidden) - USERS}"
        assert row.admins <= ADMINS, f"{row.id}: unknown administrator in {set(row.admins - ADMINS)}"


@functools.cache  # the URL configuration does not change during a run
def _login_path(admin: bool) -> str:
    return reverse("admin:login") if admin else reverse("login")


def _is_login_redirect(response, admin: bool = False) -> bool:
    login = _login_path(admin)
    return response.status_code == 302 and response["Location"].split("?")[0].endswith(login)


def _personas(row: Row) -> list[str]:
    """Who the row is tried as: every persona, and the administrators where `ADMINS`' comment says."""
    if row.admins or row.method != "GET" or row.name.startswith(ADMIN_PAGES):
        return PERSONAS + sorted(ADMINS)
    return PERSONAS


def _expected(row: Row, persona: str) -> str:
    if row.expect_anonymous == "admin-login":
        return "admin-login"
    if persona in ADMINS:
        return "allow" if persona in row.admins else "refused"
    if persona == CLIENT:
        return row.client or _client_expected(row)
    if persona == ANONYMOUS:
        return "allow" if row.public else "login"
    if persona in row.ok:
        return "allow"
    if persona in row.forbidden:
        return "403"
    return str(row.rest)


def _client_expected(row: Row) -> str:
    """An API client: the pages know no token (to the login page, as anonymous); on the API it reads as the
    statistics bureau's liaison reads, and any other method is refused (403) before the object is looked up."""
    if not _route_of(row).is_api:
        return _expected(row, ANONYMOUS)
    if row.public:
        return "allow"
    if row.method != "GET":
        return "403"
    return _expected(row, "liaison")


def _outcome(response, is_api: bool) -> str:
    status = response.status_code
    if _is_login_redirect(response, admin=True):
        return "admin-login"
    if _is_login_redirect(response):
        return "login"
    if is_api and status in (401, 403) and not getattr(response, "_matrix_authenticated", True):
        return "login"
    if status < 400:
        return "allow"
    return str(status)


# How far ahead of the clock the personas' sessions and tokens were last used (see `logins`).
SEEN_AHEAD = 3600


@pytest.fixture(scope="module")
def logins(_module_world, django_db_blocker) -> tuple[dict, dict]:
    """Each persona's session key and API token, made once for the module inside its transaction (before any
    test's savepoint), so every row's requests carry them; a request that ends a session or revokes a token
    does so in its savepoint, rolled back before the next persona.

    A browser's session records its activity at most once a minute (SessionTimeoutMiddleware), and a token its use
    (coordination.services.tokens.TOUCH_INTERVAL), so most requests write neither. Here every request is rolled back
    and none records it for the next: each API call would write its token, and after the module's first minute each
    page its session. So both were last used SEEN_AHEAD from now, as if each request followed the one that recorded
    it (far from the idle timeout and from the token's expiry, which the token's issue set).
    """
    sessions, tokens, issued = {}, {}, []
    with django_db_blocker.unblock():
        for persona in USERS | ADMINS:
            user = getattr(_module_world.users, persona)
            client = Client()
            client.force_login(user)
            session = client.session
            session[SEEN_AT] += SEEN_AHEAD
            session.save()
            sessions[persona] = session.session_key
            issued.append(api_token_issue(user=user, name="matrix"))
            tokens[persona] = issued[-1].key
        stats = _module_world.users.liaison.profile.member_unit
        api_client = org.api_client_create(actor=None, name="统计局数据仓库", member_unit=stats)
        issued.append(org.api_client_token_issue(actor=None, client=api_client, days=365))
        tokens[CLIENT] = issued[-1].key
        used = timezone.now() + datetime.timedelta(seconds=SEEN_AHEAD)
        ApiToken.objects.filter(pk__in=[token.pk for token in issued]).update(last_used_at=used)
    return sessions, tokens


@pytest.fixture(scope="module")
def matrix_client() -> Client:
    """The one test client of the module's requests: its handler loads the middleware once, where a new client
    per request loaded it again each time. `_request` empties its cookies before each request, so nothing that a
    response set (a new session, a message) reaches the next."""
    return Client()


@pytest.fixture(scope="module")
def row_target(request, _module_world, logins, django_db_blocker):
    """The object that a row's URL points at (`TARGETS[row.target]`, the parameter), built once for the rows that
    share it: on a copy of the module's world, in a savepoint of the module's transaction that is rolled back when
    the next target's rows begin (`pytest_generate_tests` runs the rows grouped by target). Each row gets a deep
    copy of it, and every persona's request is rolled back, so each row and persona finds it as it was built.

    Asks for `logins` so that the sessions and tokens are made before, outside the savepoint. None for rows without
    a target, and in a module whose tests commit (no module world): those rows build their own.
    """
    name = request.param
    if name is None or _module_world is None:
        yield None
        return
    with rolled_back(django_db_blocker):
        with django_db_blocker.unblock():
            built = TARGETS[name](copy.deepcopy(_module_world))
        yield built


def pytest_generate_tests(metafunc):
    """Every row of ROWS (read at collection, after the module has added all its rows), those of one target next to
    each other, in the table's order otherwise: `row_target` builds each target once for its rows."""
    if metafunc.definition.name != "test_permission_matrix":
        return
    first = {}
    for row in ROWS:
        first.setdefault(row.target, len(first))
    rows = sorted(ROWS, key=lambda row: first[row.target])
    params = [pytest.param(row, row.target, id=row.id) for row in rows]
    # Module scope: a parametrized fixture lives as long as its parametrization's scope says, whatever its own.
    metafunc.parametrize(("row", "row_target"), params, indirect=["row_target"], scope="module")


def _request(row: Row, route: Route, url: str, world, target, persona: str, logins: tuple[dict, dict], client):
    data = row.data(world, target) if callable(row.data) else (row.data or {})
    client.cookies = SimpleCookie()  # as a new client: no cookie from the previous request
    headers = {}
    if persona != ANONYMOUS:
        sessions, tokens = logins
        if route.is_api:
            headers["HTTP_AUTHORIZATION"] = f"Token {tokens[persona]}"
        elif persona != CLIENT:  # an API client has a token and no session
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[persona]
    method = row.method.lower()
    if row.method == "GET":
        response = client.get(url, row.query, **headers)
    elif route.is_api and not any(hasattr(value, "read") for value in data.values()):
        response = getattr(client, method)(url, data, content_type="application/json", **headers)
    else:
        response = getattr(client, method)(url, data, **headers)
    response._matrix_authenticated = persona != ANONYMOUS and (route.is_api or persona != CLIENT)
    return response


@contextlib.contextmanager
def _undone(savepoint: str):
    """Whatever the block does to the database is undone, as by an atomic block rolled back: the database goes back
    to `savepoint` (which stays, for the next block), the on-commit callbacks registered meanwhile are dropped and a
    rollback the block marked as needed is cleared. One query (ROLLBACK TO SAVEPOINT) per request, where an atomic
    block around each of the matrix's requests (some 3,800) also cost a SAVEPOINT and a RELEASE."""
    callbacks = len(connection.run_on_commit)
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)
        del connection.run_on_commit[callbacks:]
        transaction.set_rollback(False)


def _url_kwargs(route: Route, target) -> dict:
    names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route.route)
    return {a or b: target.pk for a, b in names}


def _route_of(row: Row) -> Route:
    if row.name == "admin:index":
        return Route("admin/", "admin:index", frozenset({"GET"}), False)
    return next(r for r in all_routes() if r.name == row.name)


DESCRIBE = {
    "allow": "allowed",
    "login": "sent to log in",
    "admin-login": "sent to the admin login",
    "403": "403 (sees it, may not act)",
    "404": "404 (cannot see it)",
    "400": "400 (unknown id in the body)",
    "refused": "refused (400, 403 or 404)",
}


def test_permission_matrix(row, row_target, world, logins, matrix_client):  # parametrized by pytest_generate_tests
    route = _route_of(row)
    if row_target is not None:
        target = copy.deepcopy(row_target)
    else:
        target = TARGETS[row.target](world) if row.target else None
    _built_for_the_row.clear()
    kwargs = row.kwargs(target) if row.kwargs else ({} if target is None else _url_kwargs(route, target))
    url = reverse(row.name, kwargs=kwargs)
    problems = []
    before = transaction.savepoint()  # the row's data, which every persona starts from
    for persona in _personas(row):
        expected = _expected(row, persona)
        with _undone(before):  # the next persona starts from the same data
            response = _request(row, route, url, world, target, persona, logins, matrix_client)
        got = _outcome(response, route.is_api)
        if row.lands_on_login and got == "login":
            got = "allow"
        if expected == "refused" and got in REFUSED:
            got = "refused"
        if got != expected:
            severity = "UNEXPECTED ALLOW" if got == "allow" else "unexpected refusal" if expected == "allow" else ""
            problems.append(
                f"  {persona}: expected {DESCRIBE.get(expected, expected)}, got {DESCRIBE.get(got, got)}"
                f" (HTTP {response.status_code}) {severity}".rstrip()
            )
    transaction.savepoint_commit(before)
    assert not problems, f"{row.method} {reverse_hint(row)} ({row.id}):\n" + "\n".join(problems)


def reverse_hint(row: Row) -> str:
    return "/" + _route_of(row).route


# Dashboards and timeliness (issue 8): each user's widest scope; the city only for those who reach it.
ROWS += [
    # The dashboards are shared with the member units too: the liaison reads the city's.
    Row("dashboard", "GET", ok=USERS),
    Row("dashboard-cadence", "GET", ok=USERS),
    Row("api-dashboard", "GET", ok=SEES_CITY | {"liaison"}, query={"level": "city", "year": 2026}),
    Row("api-timeliness", "GET", ok=USERS, query={"year": 2026}),
]  # fmt: skip


# Towns and their lifecycle (issue 15, R-1.1, R-1.2): everybody reads the towns they see; the group that
# manages towns (routed SubmissionKind.TOWNS, by default the 创建考核组) creates, edits and moves them.
TOWN_MANAGERS = frozenset({"office_assess"})


def _new_town(world, target):
    return {
        "district": world.dongli.pk, "code": "T0199", "name": "金桥新城小镇", "host_township": "金桥街",
        "lead_industry": "智能制造", "level": "municipal", "batch": 2, "status": "reserve", "reporting_from": "2026-11",
    }  # fmt: skip


def _town_step(world, target):
    return town_step_form(decided_on="2026-11-01", reason="验收合格，予以命名")


def _town_edit(world, target):
    return {
        "name": target.name,
        "host_township": "华明街道",
        "lead_industry": "智能制造",
        "level": "municipal",
        "batch": 1,
    }


def _list_decision(world, target):
    return {
        "title": "2026年度市级特色小镇命名名单", "kind": "adjustment", "document_no": "津特镇办〔2026〕10号",
        "decided_on": "2026-11-01", f"status_{world.town.pk}": "named",
    }  # fmt: skip


ROWS += [
    Row("town-list", "GET", ok=USERS),
    Row("town-list-decisions", "GET", ok=USERS),
    Row("town-create", "GET", ok=TOWN_MANAGERS, rest=403),
    Row("town-create", "POST", ok=TOWN_MANAGERS, rest=403, data=_new_town),
    Row("town-list-decision", "GET", ok=TOWN_MANAGERS, rest=403),
    Row("town-list-decision", "POST", ok=TOWN_MANAGERS, rest=403, data=_list_decision),
    Row("town-detail", "GET", target="town", ok=SEES_DONGLI),
    Row("town-edit", "GET", target="town", ok=TOWN_MANAGERS, forbidden=SEES_DONGLI - TOWN_MANAGERS),
    Row("town-edit", "POST", target="town", ok=TOWN_MANAGERS, forbidden=SEES_DONGLI - TOWN_MANAGERS, data=_town_edit),
    Row("town-status", "GET", target="town", ok=TOWN_MANAGERS, forbidden=SEES_DONGLI - TOWN_MANAGERS),
    Row("town-status", "POST", target="town", ok=TOWN_MANAGERS, forbidden=SEES_DONGLI - TOWN_MANAGERS, data=_town_step),
    Row("api-town-list", "POST", ok=TOWN_MANAGERS, forbidden=SEES_DONGLI - TOWN_MANAGERS, rest=400, data=_new_town),
    Row("api-town-detail", "PATCH", target="town", ok=TOWN_MANAGERS, forbidden=SEES_DONGLI - TOWN_MANAGERS, data={"lead_industry": "高端装备"}),
    Row("api-town-status", "POST", target="town", ok=TOWN_MANAGERS, forbidden=SEES_DONGLI - TOWN_MANAGERS, data=_town_step),
    Row("api-town-status-history", "GET", target="town", ok=SEES_DONGLI),
]  # fmt: skip


# The organisation's master data (issue 15, R-1.1, R-1.4, R-1.5): 系统管理 pages for the holders of
# MANAGE_ORGANISATION (the system administrator, `sysadmin`, and superusers); the member units
# are the conference's public list, read by every signed-in user through the API.
def _member_unit(world):
    from coordination.models import MemberUnit

    return MemberUnit.objects.get(code="statistics")


TARGETS["member_unit"] = _member_unit


def _figure_check(world):
    """Dongli's accepted September checked by the statistics bureau, 20 % off: an open discrepancy."""
    from ledgers.models import FigureCheck, Indicator

    tax = Indicator.objects.get(code="tax_revenue")
    unit = world.users.liaison.profile.member_unit
    ledger.indicator_sources_set(actor=world.users.office_policy, assignments={tax: (unit, None)})
    report = _report(world, ReportStatus.ACCEPTED)
    ledger.figure_checks_record(
        actor=world.users.liaison, member_unit=unit, indicator=tax, period=SEPT,
        entries={world.town.pk: ledger.CheckEntry("120.2", None)},
    )  # fmt: skip
    return FigureCheck.objects.get(report=report, indicator=tax)


TARGETS["figure_check"] = _figure_check
TARGETS["api_client"] = lambda w: org.api_client_create(actor=None, name="税务共享平台")
TARGETS["api_client_token"] = lambda w: org.api_client_token_issue(
    actor=None, client=org.api_client_create(actor=None, name="税务共享平台"), days=30
)


# Opinions of member units on a plan under review (会签, issue 18): 规划编制组 asks, the asked unit's liaison (the
# statistics bureau's, the `liaison` persona) answers and from then on sees the plan; whoever sees the plan reads
# the opinions.
def _opinion_targets() -> dict[str, Callable]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coordination import services as org
    from coordination.models import MemberUnit
    from coordination.tests.factories import make_plan
    from tianjin_towns.lib import dates

    def asked(w):
        stats = MemberUnit.objects.get(code="statistics")
        (opinion,) = org.plan_opinions_request(
            actor=w.users.office_planning, plan=make_plan(w), member_units=[stats], due_on=dates.today()
        )
        return opinion

    def given(w):
        return org.plan_opinion_give(
            actor=w.users.liaison, opinion=asked(w), agrees=False, text="请补充监测指标",
            file=SimpleUploadedFile("意见.pdf", b"%PDF"),
        )  # fmt: skip

    return {"plan_opinion": asked, "given_plan_opinion": given}


TARGETS.update(_opinion_targets())
SEES_ASKED_PLAN = SEES_DONGLI | {"liaison"}  # a dongli plan on which the statistics bureau was asked


def _opinion_kwargs(opinion):
    return {"pk": opinion.version.plan_id, "opinion_pk": opinion.pk}


def _ask_statistics(world, target):
    from coordination.models import MemberUnit
    from tianjin_towns.lib import dates

    return {"member_units": [MemberUnit.objects.get(code="statistics").pk], "due_on": dates.today().isoformat()}


ROWS += [
    Row("plan-detail", "GET", target="plan_opinion", kwargs=lambda o: {"pk": o.version.plan_id}, ok=SEES_ASKED_PLAN, label="opinion asked"),
    Row("plan-opinions-request", "POST", target="plan", ok=PLAN_REVIEWERS, forbidden=SEES_DONGLI - PLAN_REVIEWERS, data=_ask_statistics),
    Row("plan-opinion-give", "POST", target="plan_opinion", kwargs=_opinion_kwargs, ok={"liaison"}, forbidden=SEES_DONGLI, data={"decision": "agree"}),
    Row("plan-opinion-file", "GET", target="given_plan_opinion", kwargs=_opinion_kwargs, ok=SEES_ASKED_PLAN),
    Row("api-plan-opinions", "GET", target="plan_opinion", kwargs=lambda o: {"pk": o.version.plan_id}, ok=SEES_ASKED_PLAN, client="404"),  # asked of the liaison, not of the feed's client
    Row("api-plan-opinions", "POST", target="plan", ok=PLAN_REVIEWERS, forbidden=SEES_DONGLI - PLAN_REVIEWERS, data=_ask_statistics),
    Row("api-plan-opinion", "POST", target="plan_opinion", kwargs=_opinion_kwargs, ok={"liaison"}, forbidden=SEES_DONGLI, data={"state": "agreed"}),
]  # fmt: skip

ROWS += [
    Row("member-unit-list", "GET", rest=403, admins=SYSADMIN),
    Row("member-unit-create", "GET", rest=403, admins=SYSADMIN),
    Row("member-unit-create", "POST", rest=403, data={"name": "市税务局"}, admins=SYSADMIN),
    Row("member-unit-edit", "GET", target="member_unit", rest=403, admins=SYSADMIN),
    Row("member-unit-edit", "POST", target="member_unit", rest=403, data={"name": "市统计调查局"}, admins=SYSADMIN),
    Row("member-unit-retire", "POST", target="member_unit", rest=403, admins=SYSADMIN),
    Row("member-unit-reactivate", "POST", target="member_unit", rest=403, admins=SYSADMIN),
    # Departmental cross-checks (数据核对): the statistics bureau checks tax revenue; dongli explains, the office closes.
    Row("figure-checks", "GET", target="figure_check", kwargs=lambda c: {}, ok={"liaison"}, query={"period": "2026-09"}),
    Row("figure-checks", "POST", target="figure_check", kwargs=lambda c: {}, ok={"liaison"}, data={"period": "2026-09", "indicator": "tax_revenue"}),
    Row("figure-check-template", "GET", target="figure_check", kwargs=lambda c: {}, ok={"liaison"}, query={"period": "2026-09"}),
    Row("figure-check-upload", "POST", target="figure_check", kwargs=lambda c: {}, ok={"liaison"}, data={"period": "2026-09"}),
    Row("discrepancy-list", "GET", ok=USERS),
    Row("check-progress", "GET", ok=OFFICE, rest=403),
    Row("discrepancy-detail", "GET", target="figure_check", ok=SEES_DONGLI | {"liaison"}),
    Row("discrepancy-explain", "POST", target="figure_check", ok=DONGLI, forbidden=(SEES_DONGLI | {"liaison"}) - DONGLI, data={"explanation": "口径不同"}),
    Row("discrepancy-close", "POST", target="figure_check", ok=ACCEPTOR, forbidden=(SEES_DONGLI | {"liaison"}) - ACCEPTOR, data={"note": "月报已更正"}),
    Row("indicator-sources", "GET", ok=OFFICE, rest=403),
    Row("indicator-sources", "POST", ok=OFFICE, rest=403, data={}),
    # The data-sharing feed and its API clients (数据共享接口): every user reads its own scope or what is shared.
    Row("api-accepted-figures", "GET", ok=USERS),
    Row("api-client-list", "GET", ok=OFFICE, rest=403),
    Row("api-client-create", "GET", ok=OFFICE, rest=403),
    Row("api-client-create", "POST", ok=OFFICE, rest=403, data={"name": "规划一张图"}),
    Row("api-client-detail", "GET", target="api_client", ok=OFFICE, rest=403),
    Row("api-client-token-issue", "POST", target="api_client", ok=OFFICE, rest=403, data={"days": "90"}),
    Row("api-client-token-revoke", "POST", target="api_client_token", kwargs=lambda t: {"pk": t.user.api_client.pk, "token_pk": t.pk}, ok=OFFICE, rest=403),
    Row("api-client-deactivate", "POST", target="api_client", ok=OFFICE, rest=403),
    # Data sharing (数据共享): the office decides what each member unit is shared.
    Row("sharing", "GET", ok=OFFICE, rest=403),
    Row("sharing-edit", "GET", target="member_unit", ok=OFFICE, rest=403),
    Row("sharing-edit", "POST", target="member_unit", ok=OFFICE, rest=403, data={"shared_kinds": ["figures"]}),
    Row("org-unit-list", "GET", rest=403, admins=SYSADMIN),
    Row("org-unit-rename", "GET", target="district", forbidden=SEES_DONGLI, admins=SYSADMIN),
    Row("org-unit-rename", "POST", target="district", forbidden=SEES_DONGLI, data={"name": "东丽新区", "changed_on": "2026-11-01"}, admins=SYSADMIN),
    Row("routing", "GET", rest=403, admins=SYSADMIN),
    Row("routing", "POST", rest=403, data={"assessments": "1", "reason": "调整"}, admins=SYSADMIN),
    Row("api-member-unit-list", "GET", ok=USERS, admins=ADMINS),
    Row("api-member-unit-list", "POST", rest=403, data={"name": "市税务局"}, admins=SYSADMIN),
    Row("api-member-unit-detail", "GET", target="member_unit", ok=USERS, admins=ADMINS),
    Row("api-member-unit-detail", "PATCH", target="member_unit", rest=403, data={"active": False}, admins=SYSADMIN),
]  # fmt: skip


# People and roles (issue 15, R-1.7, R-3.1): the system administrator manages the accounts of the business roles,
# the security administrator their role and unit (issue 22); an office member only the office members of its own
# working group, so a new member of the
# policy group is managed by office_policy alone, unseen (404) by everyone else. Nobody stops their own
# account (403). The registry of information officers: every persona who reaches a district.
def _people_targets() -> dict[str, Callable]:
    from coordination import services as org
    from coordination.models import Role

    def policy_member(w):
        return org.user_create(
            username="policy-new", full_name="政策组新成员", role=Role.OFFICE, org_unit=w.city,
            working_group=w.groups["policy"],
        )  # fmt: skip

    def stopped_member(w):
        return org.user_deactivate(actor=None, user=policy_member(w))

    def locked_member(w):
        from axes.models import AccessAttempt
        from django.conf import settings

        member = policy_member(w)
        AccessAttempt.objects.create(
            username=member.username, ip_address="10.0.0.9", user_agent="", path_info="/accounts/login/",
            get_data="", post_data="", http_accept="", failures_since_start=settings.AXES_FAILURE_LIMIT,
        )  # fmt: skip
        return member

    def two_factor_member(w):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        member = policy_member(w)
        TOTPDevice.objects.create(user=member, name="认证应用", confirmed=True)
        return member

    return {
        "policy_member": policy_member,
        "stopped_member": stopped_member,
        "locked_member": locked_member,
        "two_factor_member": two_factor_member,
        "office_policy": lambda w: w.users.office_policy,
        "security_account": lambda w: w.users.security,
        "auditor_account": lambda w: w.users.auditor,
    }


TARGETS.update(_people_targets())


def _policy_member_form(world, **fields):
    return {**fields, "role": "office", "working_group": world.groups["policy"].pk}


def _new_policy_member(world, target):
    return _policy_member_form(world, full_name="政策组二", username="policy-two")


def _policy_member_edit(world, target):
    return _policy_member_form(world, full_name="政策组新成员", phone="13800000000")


def _users_sheet(world, target):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coordination.tests.test_people import sheet_with

    row = ["政策组三", "policy-three", "", "", "工作组成员", "", world.groups["policy"].name, ""]
    return {"file": SimpleUploadedFile("用户.xlsx", _once_per_row("users", lambda: sheet_with([row])))}


NOT_OFFICE = USERS - OFFICE
SEES_PEOPLE = SYSADMIN | SECURITY  # the user list and a person's page
ROWS += [
    Row("user-list", "GET", ok=OFFICE, forbidden=NOT_OFFICE, admins=SEES_PEOPLE),
    Row("user-create", "GET", ok=OFFICE, forbidden=NOT_OFFICE, admins=SYSADMIN),
    # Other groups' members may post the form: it answers their error (their own group only), saving nothing.
    Row("user-create", "POST", ok=OFFICE, forbidden=NOT_OFFICE, data=_new_policy_member, admins=SYSADMIN),
    Row("user-import", "GET", ok=OFFICE, forbidden=NOT_OFFICE, admins=SYSADMIN),
    Row("user-import", "POST", ok=OFFICE, forbidden=NOT_OFFICE, data=_users_sheet, admins=SYSADMIN),
    Row("user-import-template", "GET", ok=OFFICE, forbidden=NOT_OFFICE, admins=SYSADMIN),
    Row("user-detail", "GET", target="policy_member", ok={"office_policy"}, admins=SEES_PEOPLE),
    # The security administrator's form has the role and unit only; the system administrator's everything.
    Row("user-edit", "GET", target="policy_member", ok={"office_policy"}, admins=SEES_PEOPLE),
    Row("user-edit", "POST", target="policy_member", ok={"office_policy"}, data=_policy_member_edit, admins=SEES_PEOPLE),
    Row("user-deactivate", "POST", target="policy_member", ok={"office_policy"}, admins=SYSADMIN),
    Row("user-deactivate", "POST", target="office_policy", forbidden={"office_policy"}, label="own account", admins=SYSADMIN),
    Row("user-reactivate", "POST", target="stopped_member", ok={"office_policy"}, admins=SYSADMIN),
    Row("user-reset-password", "POST", target="policy_member", ok={"office_policy"}, admins=SYSADMIN),
    # Unlocking an account that failed sign-ins locked: the security administrator's alone.
    Row("user-unlock", "POST", target="locked_member", forbidden={"office_policy"}, admins=SECURITY),
    # Two factors (issue 22): the security administrator resets anyone's but its own (a lost phone).
    Row("user-two-factor-reset", "POST", target="two_factor_member", forbidden={"office_policy"}, admins=SECURITY),
    Row("officer-registry", "GET", ok=USERS - {"liaison"}, forbidden={"liaison"}),
    Row("api-user-list", "GET", ok=OFFICE, forbidden=NOT_OFFICE, admins=SEES_PEOPLE),
    # The API refuses what the caller may not give (another group's member) with 403, the import per row (400).
    Row("api-user-list", "POST", ok={"office_policy"}, rest=403, data=_new_policy_member, admins=SYSADMIN),
    Row("api-user-import", "POST", ok={"office_policy"}, forbidden=NOT_OFFICE, rest=400, data=_users_sheet, admins=SYSADMIN),
    Row("api-user-detail", "GET", target="policy_member", ok={"office_policy"}, admins=SEES_PEOPLE),
    Row("api-user-detail", "PATCH", target="policy_member", ok={"office_policy"}, data={"phone": "13800000000"}, admins=SYSADMIN),
    Row("api-user-detail", "PATCH", target="office_policy", forbidden={"office_policy"}, data={"is_active": False},
        label="own account", admins=SYSADMIN),
    # 三员分立: an administrative role is the security administrator's to give, and nobody's to give themselves; an
    # administrator's account is changed by a superuser only.
    Row("api-user-detail", "PATCH", target="policy_member", forbidden={"office_policy"}, data={"role": "auditor"},
        label="to an administrative role", admins=SECURITY),
    Row("api-user-detail", "PATCH", target="security_account", data={"role": "admin"}, label="own role"),
    Row("api-user-detail", "PATCH", target="auditor_account", data={"phone": "13800000000"},
        label="an administrator's account"),
    Row("api-user-reset-password", "POST", target="policy_member", ok={"office_policy"}, admins=SYSADMIN),
    # The security audit (安全审计): the audit administrator reads and exports it, nobody else.
    Row("security-policy", "GET", rest=403, admins=SECURITY),  # the policy in force, read by its administrator
    Row("security-audit", "GET", rest=403, admins=AUDITOR),
    Row("security-audit-export", "GET", rest=403, admins=AUDITOR),
]  # fmt: skip


# The project ledger's pages (issue 15, R-3.3): the district's officer and leader (MANAGE_PROJECTS on its
# towns) register and edit; the office and the leaders read. The indicator catalogue is
# MANAGE_CATALOGUE on the municipality: the system administrator (`sysadmin`) and superusers.
def _project_pages_targets() -> dict[str, Callable]:
    from ledgers.models import Indicator
    from ledgers.tests.quality import pdf

    return {
        "project_attachment": lambda w: ledger.project_attachment_add(
            actor=w.users.officer, project=_project(w), file=pdf()
        ),
        "indicator": lambda w: Indicator.objects.get(code="tourists"),
    }


TARGETS.update(_project_pages_targets())
PROJECT_MANAGERS = DONGLI


def _project_form(world, target):
    return {"town": world.town.pk, **NEW_PROJECT, "status": "preparing", "plan_year_0": "2026", "plan_amount_0": "300"}


def _project_upload(world, target):
    from ledgers.tests.quality import pdf

    return {"file": pdf(), "note": "立项批复"}


def _project_attachment_kwargs(attachment):
    return {"pk": attachment.project_id, "attachment_id": attachment.pk}


def _indicator_form(world, target):
    return {"code": "tourism_revenue", "name": "旅游收入", "unit": "万元", "kind": "flow", "decimal_places": "2",
            "order": "130", "active_from": "2027-01"}  # fmt: skip


ROWS += [
    Row("project-list", "GET", ok=USERS),
    # Whoever manages some town's projects opens the form (the outsider for 西青; posting a 东丽 town is a form error).
    Row("project-create", "GET", ok=PROJECT_MANAGERS | {"outsider"}, rest=403),
    Row("project-create", "POST", ok=PROJECT_MANAGERS | {"outsider"}, rest=403, data=_project_form),
    # Shared with the member units (数据共享): the liaison reads a project, its accepted months and its documents.
    Row("project-detail", "GET", target="project", ok=SEES_DONGLI | {"liaison"}),
    Row("project-edit", "GET", target="project", ok=PROJECT_MANAGERS, forbidden=SEES_CITY | {"liaison"}),
    Row("project-edit", "POST", target="project", ok=PROJECT_MANAGERS, forbidden=SEES_CITY | {"liaison"}, data=_project_form),
    Row("project-attachment-upload", "POST", target="project", ok=PROJECT_MANAGERS, forbidden=SEES_CITY | {"liaison"}, data=_project_upload),
    Row("project-attachment", "GET", target="project_attachment", kwargs=_project_attachment_kwargs, ok=SEES_DONGLI | {"liaison"}),
    Row("indicator-list", "GET", rest=403, admins=SYSADMIN),
    Row("indicator-create", "GET", rest=403, admins=SYSADMIN),
    Row("indicator-create", "POST", rest=403, data=_indicator_form, admins=SYSADMIN),
    Row("indicator-edit", "GET", target="indicator", rest=403, admins=SYSADMIN),
    Row("indicator-edit", "POST", target="indicator", rest=403, data=_indicator_form, admins=SYSADMIN),
]  # fmt: skip


def _bulk_choice(world, target):
    return {"report": [target.pk]}


# 批量审核 (issue 19): whoever takes a review step somewhere (dongli's leader approves, the policy group accepts);
# the chosen reports are narrowed to the user's step and scope (ledgers/tests/test_bulk_review.py).
BULK_REVIEWERS = DISTRICT_REVIEWER | ACCEPTOR
ROWS += [
    Row("report-bulk-review", "GET", ok=BULK_REVIEWERS, forbidden=USERS - BULK_REVIEWERS),
    Row("report-bulk-review", "POST", target="approved_report", ok=BULK_REVIEWERS, forbidden=USERS - BULK_REVIEWERS, data=_bulk_choice),
]  # fmt: skip
