"""All writes of visits, problems and their follow-up (R-2.3, R-5.6).

Each function is one operation in one transaction: it checks its invariants, writes the
InspectionEvent beside the change and tells the people concerned. Uploaded files are checked before
anything is written, and a file is stored only with its row: when the operation fails, the files it
had already written are deleted again, so a refused upload leaves neither a row nor a file.
"""

import datetime
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordination import permissions as unit_perms
from coordination.models import MemberUnit, OrgUnit, Role, Town
from coordination.selectors import users_with_unit_perm
from coordination.services import notify_about
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

from .models import Attachment, Escalation, InspectionEvent, Problem, ProblemCategory, ProblemStatus, Visit
from .selectors import evidence_required, problem_has_evidence
from .uploads import CheckedFile, check_uploads

A = InspectionEvent.Action
S = ProblemStatus
# Days past the deadline at which each escalation level is reached (1: the day after the deadline).
ESCALATION_LEVELS = ((Escalation.Level.OVERDUE, 1), (Escalation.Level.LONG_OVERDUE, 30))
NO_EVIDENCE_MESSAGE = gettext_lazy("报告整改完成须上传整改照片或佐证材料；确无材料的，请说明理由。")


# --- Files -------------------------------------------------------------------------------------------


@contextmanager
def _storing_files() -> Iterator[list[str]]:
    """Collects the names of files written inside; deletes them if the block raises."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _attach(
    stored: list[str],
    checked: Iterable[CheckedFile],
    *,
    actor,
    visit: Visit,
    problem: Problem | None = None,
    event: InspectionEvent | None = None,
) -> list[Attachment]:
    attachments = []
    for item in checked:
        attachment = Attachment(
            visit=visit,
            problem=problem,
            event=event,
            kind=item.kind,
            token=uuid.uuid4().hex,
            extension=item.extension,
            name=item.name,
            content_type=item.content_type,
            size=item.size,
            uploaded_by=actor,
        )
        item.file.seek(0)
        attachment.file.save(item.name, item.file, save=False)
        stored.append(attachment.file.name)
        attachment.save()
        attachments.append(attachment)
    return attachments


def _checked(files) -> list[CheckedFile]:
    try:
        return check_uploads(files)
    except ValidationError as error:
        raise ValidationError({"files": error.messages}) from None


def _checked_with(errors: dict[str, list[str]], files) -> list[CheckedFile]:
    """The checked files, once the fields are clean too: the files' errors and `errors` raised together."""
    try:
        checked = _checked(files)
    except ValidationError as error:
        checked = []
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return checked


# --- Events and recipients ---------------------------------------------------------------------------


def _event(
    *,
    visit: Visit,
    actor,
    action: str,
    problem: Problem | None = None,
    from_status: str = "",
    note: str = "",
    changes=None,
    no_evidence_reason: str = "",
) -> InspectionEvent:
    return InspectionEvent.objects.create(
        visit=visit,
        problem=problem,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=problem.status if problem is not None else "",
        note=note,
        changes=changes or {},
        no_evidence_reason=no_evidence_reason,
    )


def inspection_office_users(district: OrgUnit):
    """Who runs inspections in `district` and verifies rectifications (the office's coordination group)."""
    return users_with_unit_perm(district, unit_perms.MANAGE_INSPECTIONS)


def _liaisons(member_unit_id: int):
    return (
        get_user_model()
        .objects.filter(is_active=True, profile__role=Role.LIAISON, profile__member_unit_id=member_unit_id)
        .order_by("pk")
    )


def responsible_users(problem: Problem) -> list:
    """Who answers for the problem: the unit's officers and leaders, or the member unit's liaisons."""
    if problem.responsible_member_unit_id is not None:
        return list(_liaisons(problem.responsible_member_unit_id))
    unit = problem.responsible_unit
    return [*users_with_unit_perm(unit, unit_perms.FILL), *users_with_unit_perm(unit, unit_perms.APPROVE)]


def responsible_leaders(problem: Problem) -> list:
    """The responsible unit's leader: the district's reviewing leader; a member unit's liaisons speak for it."""
    if problem.responsible_member_unit_id is not None:
        return list(_liaisons(problem.responsible_member_unit_id))
    return list(users_with_unit_perm(problem.responsible_unit, unit_perms.APPROVE))


def _city_leaders():
    return get_user_model().objects.filter(
        is_active=True, profile__role=Role.LEADER, profile__org_unit__level=OrgUnit.Level.MUNICIPAL
    )


def _tell(problem: Problem, recipients, *, kind: str, subject: str, occasion: str, body: str = "") -> None:
    notify_about(
        problem, "problem-detail", recipients=recipients, kind=kind, subject=subject, body=body, occasion=occasion
    )


def _label(problem: Problem) -> str:
    where = problem.town.unit.name if problem.town_id else problem.visit.district.name
    text = problem.description.strip().splitlines()[0] if problem.description.strip() else ""
    return f"{where}：{text[:40]}"


def _only(fields: dict, editable: tuple[str, ...]) -> None:
    unknown = set(fields) - set(editable)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")


# --- Visits ------------------------------------------------------------------------------------------


def _clean_visit(
    *, kind: str, district: OrgUnit, held_on: datetime.date, title: str, towns: list[Town], today: datetime.date
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in Visit.Kind.values:
        errors["kind"] = [_("请选择督办检查的类型。")]
    if district.level != OrgUnit.Level.DISTRICT:
        errors["district"] = [_("督办检查必须针对一个区。")]
    if held_on > today:
        errors["held_on"] = [_("督办日期不能晚于今天：请在督办检查举行后登记。")]
    if not (title or "").strip():
        errors["title"] = [_("请填写督办检查的主题。")]
    strays = [t.unit.name for t in towns if t.district_id != district.pk]
    if strays:
        errors["towns"] = [
            _("以下小镇不属于%(district)s：%(towns)s。") % {"district": district.name, "towns": "、".join(strays)}
        ]
    return errors


@transaction.atomic
def visit_create(
    *,
    actor: AbstractBaseUser,
    kind: str,
    district: OrgUnit,
    held_on: datetime.date,
    title: str,
    towns: Iterable[Town] = (),
    member_units: Iterable[MemberUnit] = (),
    participants: str = "",
    summary: str = "",
    files: Iterable = (),
) -> Visit:
    """Record an on-site supervision visit or special inspection, with its photos and documents."""
    towns = list(towns)
    errors = _clean_visit(kind=kind, district=district, held_on=held_on, title=title, towns=towns, today=dates.today())
    checked = _checked_with(errors, files)
    with _storing_files() as stored:
        visit = Visit.objects.create(
            kind=kind,
            district=district,
            held_on=held_on,
            title=title.strip(),
            participants=(participants or "").strip(),
            summary=(summary or "").strip(),
            created_by=actor,
        )
        visit.towns.set(towns)
        visit.member_units.set(list(member_units))
        event = _event(visit=visit, actor=actor, action=A.VISIT_CREATE)
        _attach(stored, checked, actor=actor, visit=visit, event=event)
    return visit


VISIT_FIELDS = ("kind", "held_on", "title", "participants", "summary")


@transaction.atomic
def visit_update(*, actor: AbstractBaseUser, visit: Visit, files: Iterable = (), **fields) -> Visit:
    """Correct a visit's details; towns and member units are replaced when given, `files` are added.
    The district stays."""
    visit = Visit.objects.select_for_update().select_related("district").get(pk=visit.pk)
    towns = list(fields.pop("towns")) if "towns" in fields else None
    member_units = list(fields.pop("member_units")) if "member_units" in fields else None
    _only(fields, VISIT_FIELDS)
    merged = {name: fields.get(name, getattr(visit, name)) for name in VISIT_FIELDS}
    errors = _clean_visit(
        kind=merged["kind"],
        district=visit.district,
        held_on=merged["held_on"],
        title=merged["title"],
        towns=towns if towns is not None else [],
        today=dates.today(),
    )
    if merged["held_on"] != visit.held_on and visit.problems.filter(due_on__lt=merged["held_on"]).exists():
        errors.setdefault("held_on", []).append(_("已有问题的整改期限早于新的督办日期，请先调整这些问题的期限。"))
    if errors:
        raise ValidationError(errors)
    changes = {}
    for name in VISIT_FIELDS:
        new = merged[name].strip() if isinstance(merged[name], str) else merged[name]
        if new != getattr(visit, name):
            changes[name] = [str(getattr(visit, name)), str(new)]
            setattr(visit, name, new)
    if towns is not None:
        old = sorted(visit.towns.values_list("unit__name", flat=True))
        if old != sorted(t.unit.name for t in towns):
            changes["towns"] = ["、".join(old), "、".join(sorted(t.unit.name for t in towns))]
            visit.towns.set(towns)
    if member_units is not None:
        old = sorted(visit.member_units.values_list("name", flat=True))
        if old != sorted(m.name for m in member_units):
            changes["member_units"] = ["、".join(old), "、".join(sorted(m.name for m in member_units))]
            visit.member_units.set(member_units)
    files = list(files or [])
    if files:
        visit_add_attachments(actor=actor, visit=visit, files=files)
    if changes:
        visit.save()
        if "held_on" in changes:
            # A problem is found on the day of its visit; the deadline check above keeps due ≥ found.
            visit.problems.update(found_on=visit.held_on)
        _event(visit=visit, actor=actor, action=A.VISIT_UPDATE, changes=changes)
    return visit


@transaction.atomic
def visit_add_attachments(*, actor: AbstractBaseUser, visit: Visit, files: Iterable) -> list[Attachment]:
    checked = _checked(files)
    if not checked:
        raise ValidationError({"files": [_("请选择要上传的照片或文件。")]})
    with _storing_files() as stored:
        event = _event(
            visit=visit,
            actor=actor,
            action=A.ATTACH,
            note=_("上传 %(n)s 个附件") % {"n": len(checked)},
        )
        return _attach(stored, checked, actor=actor, visit=visit, event=event)


# --- Problems ----------------------------------------------------------------------------------------


PROBLEM_FIELDS = ("category", "description", "town", "responsible_unit", "responsible_member_unit", "due_on")


def _clean_problem(visit: Visit, fields: dict, *, solved: bool) -> dict[str, list[str]]:
    """The field errors of a problem of `visit` with `fields` (every one of PROBLEM_FIELDS)."""
    town, responsible_unit, due_on = fields["town"], fields["responsible_unit"], fields["due_on"]
    errors: dict[str, list[str]] = {}
    if fields["category"] not in ProblemCategory.values:
        errors["category"] = [_("请选择问题类别。")]
    if not (fields["description"] or "").strip():
        errors["description"] = [_("请填写问题描述。")]
    if town is not None and town.district_id != visit.district_id:
        errors["town"] = [
            _("小镇“%(town)s”不属于%(district)s。") % {"town": town.unit.name, "district": visit.district.name}
        ]
    if (responsible_unit is None) == (fields["responsible_member_unit"] is None):
        errors["responsible"] = [_("请选择一个责任单位：区、小镇或市级成员单位。")]
    elif responsible_unit is not None and visit.district_id not in (responsible_unit.pk, responsible_unit.parent_id):
        errors["responsible"] = [
            _("责任单位必须是%(district)s或其小镇，或者市级成员单位。") % {"district": visit.district.name}
        ]
    if due_on is None and not solved:
        errors["due_on"] = [_("请填写整改期限（现场或当日解决的问题除外）。")]
    elif due_on is not None and due_on < visit.held_on:
        errors["due_on"] = [_("整改期限不能早于督办日期 %(date)s。") % {"date": visit.held_on.isoformat()}]
    return errors


@transaction.atomic
def problem_create(
    *,
    actor: AbstractBaseUser,
    visit: Visit,
    solved_on_site: bool = False,
    solved_same_day: bool = False,
    files: Iterable = (),
    **fields,
) -> Problem:
    """Add a problem to a visit's list: its PROBLEM_FIELDS by name (a category and a description; the town,
    the responsible unit or member unit, the deadline). Solved on the spot or the same day: closed at once, on
    the visit's day ("能今天解决的绝不拖到明天,能现场解决的决不带回办公室"); otherwise open until rectified and
    verified."""
    _only(fields, PROBLEM_FIELDS)
    fields = {name: fields.get(name) for name in PROBLEM_FIELDS}
    visit = Visit.objects.select_related("district").get(pk=visit.pk)
    solved_same_day = solved_same_day or solved_on_site
    checked = _checked_with(_clean_problem(visit, fields, solved=solved_same_day), files)
    found_on = visit.held_on
    solved_on = found_on if solved_same_day else None
    fields.update(description=fields["description"].strip(), due_on=fields["due_on"] or found_on)
    with _storing_files() as stored:
        problem = Problem.objects.create(
            visit=visit,
            **fields,
            found_on=found_on,
            solved_on_site=solved_on_site,
            solved_same_day=solved_same_day,
            rectification_ordered=not solved_same_day,
            status=S.VERIFIED if solved_same_day else S.OPEN,
            rectified_on=solved_on,
            closed_on=solved_on,
            created_by=actor,
        )
        if solved_same_day:
            note = _("现场解决") if solved_on_site else _("当日解决")
            event = _event(visit=visit, problem=problem, actor=actor, action=A.SOLVE, note=note)
        else:
            event = _event(visit=visit, problem=problem, actor=actor, action=A.CREATE)
        _attach(stored, checked, actor=actor, visit=visit, problem=problem, event=event)
    if not solved_same_day:
        _tell(
            problem,
            responsible_users(problem),
            kind="problem_assigned",
            subject=_("督办问题交办：%(label)s") % {"label": _label(problem)},
            body=_("整改期限：%(due)s。请按期整改并报告整改情况。") % {"due": problem.due_on.isoformat()},
            occasion=f"problem-assigned:{problem.pk}:{event.pk}",
        )
    return problem


def _locked(problem: Problem) -> Problem:
    return (
        Problem.objects.select_for_update(of=("self",))
        .select_related("visit__district", "town__unit", "responsible_unit", "responsible_member_unit")
        .get(pk=problem.pk)
    )


def _transition(problem: Problem, allowed: set[str], verb: str) -> str:
    if problem.status not in allowed:
        raise ConflictError(
            _("问题当前状态为“%(status)s”，不能%(verb)s。") % {"status": S(problem.status).label, "verb": verb}
        )
    return problem.status


@transaction.atomic
def problem_update(*, actor: AbstractBaseUser, problem: Problem, **fields) -> Problem:
    """The office corrects a problem that is not closed yet: its text, town, responsible unit or deadline."""
    _only(fields, PROBLEM_FIELDS)
    problem = _locked(problem)
    _transition(problem, {S.OPEN, S.IN_PROGRESS, S.DONE}, _("修改"))
    merged = {name: fields.get(name, getattr(problem, name)) for name in PROBLEM_FIELDS}
    if "responsible_unit" in fields and fields["responsible_unit"] is not None:
        merged["responsible_member_unit"] = fields.get("responsible_member_unit")
    if "responsible_member_unit" in fields and fields["responsible_member_unit"] is not None:
        merged["responsible_unit"] = fields.get("responsible_unit")
    errors = _clean_problem(problem.visit, merged, solved=False)
    if errors:
        raise ValidationError(errors)
    merged["description"] = merged["description"].strip()
    changes = {}
    for name, new in merged.items():
        old = getattr(problem, name)
        if new != old:
            changes[name] = [_display(old), _display(new)]
            setattr(problem, name, new)
    if not changes:
        return problem
    reassigned = "responsible_unit" in changes or "responsible_member_unit" in changes
    problem.save()
    event = _event(
        visit=problem.visit, problem=problem, actor=actor, action=A.UPDATE, from_status=problem.status, changes=changes
    )
    if reassigned or "due_on" in changes:
        _tell(
            problem,
            responsible_users(problem),
            kind="problem_assigned" if reassigned else "problem_changed",
            subject=(_("督办问题交办：%(label)s") if reassigned else _("督办问题已调整：%(label)s"))
            % {"label": _label(problem)},
            body=_("整改期限：%(due)s。") % {"due": problem.due_on.isoformat()},
            occasion=f"problem-changed:{problem.pk}:{event.pk}",
        )
    return problem


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Town):
        return value.unit.name
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and value in ProblemCategory.values:
        return str(ProblemCategory(value).label)
    return str(value)


def _note(note: str, what: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("请填写%(what)s。") % {"what": what}]})
    return note


def _unit_report(problem: Problem, actor, note: str, files, action: str, verb: str, reason: str = "", **fields):
    """The responsible unit reports on an open problem with `note` and `files` (its evidence): the problem takes
    `fields` (its new status among them). Returns the problem and the report's event. Reporting the
    rectification needs evidence (EVIDENCE_REQUIRED): files with it, or with a progress report since the office
    last sent the problem back; a unit that has none says why (`reason`, kept on the event only then)."""
    checked = _checked(files)
    problem = _locked(problem)
    from_status = _transition(problem, {S.OPEN, S.IN_PROGRESS}, verb)
    unbacked = action == A.RECTIFY and not checked and not problem_has_evidence(problem)
    reason = (reason or "").strip() if unbacked else ""
    if unbacked and not reason and evidence_required():
        raise ValidationError({"files": [NO_EVIDENCE_MESSAGE]})
    with _storing_files() as stored:
        for name, value in fields.items():
            setattr(problem, name, value)
        problem.save()
        event = _event(
            visit=problem.visit,
            problem=problem,
            actor=actor,
            action=action,
            from_status=from_status,
            note=note,
            no_evidence_reason=reason,
        )
        _attach(stored, checked, actor=actor, visit=problem.visit, problem=problem, event=event)
    return problem, event


@transaction.atomic
def problem_report_progress(*, actor: AbstractBaseUser, problem: Problem, note: str, files: Iterable = ()) -> Problem:
    """The responsible unit reports how the rectification is going: open or in progress → in progress."""
    note = _note(note, _("整改进展"))
    problem, _reported = _unit_report(problem, actor, note, files, A.PROGRESS, _("报告整改进展"), status=S.IN_PROGRESS)
    return problem


@transaction.atomic
def problem_rectify(
    *,
    actor: AbstractBaseUser,
    problem: Problem,
    note: str,
    files: Iterable = (),
    no_evidence_reason: str = "",
    on: datetime.date | None = None,
) -> Problem:
    """The responsible unit reports the rectification done, with evidence or its reason why it has none (the
    office then verifies with a waiver or sends the problem back): → done, awaiting the office."""
    note = _note(note, _("整改情况"))
    problem, event = _unit_report(
        problem,
        actor,
        note,
        files,
        A.RECTIFY,
        _("报告整改完成"),
        reason=no_evidence_reason,
        status=S.DONE,
        rectified_on=on or dates.today(),
    )
    reason = event.no_evidence_reason
    _tell(
        problem,
        inspection_office_users(problem.visit.district),
        kind="problem_rectified",
        subject=_("督办问题已整改，请核验：%(label)s") % {"label": _label(problem)},
        body=note + ("\n" + _("未附佐证材料，说明：%(reason)s") % {"reason": reason} if reason else ""),
        occasion=f"problem-rectified:{problem.pk}:{event.pk}",
    )
    return problem


@transaction.atomic
def problem_verify(
    *,
    actor: AbstractBaseUser,
    problem: Problem,
    note: str = "",
    evidence_waiver: str = "",
    on: datetime.date | None = None,
) -> Problem:
    """The office confirms the rectification: done → verified (closed, 销号). A rectification reported without
    evidence (with the unit's reason why, or before evidence was required) is verified only with the office's
    written waiver, its own event; otherwise the office sends it back (problem_reject)."""
    problem = _locked(problem)
    from_status = _transition(problem, {S.DONE}, _("核验销号"))
    waiver = (evidence_waiver or "").strip()
    needs_waiver = evidence_required() and not problem_has_evidence(problem)
    if needs_waiver and not waiver:
        raise ValidationError(
            {"evidence_waiver": [_("该问题的整改没有照片或佐证材料，核验销号须填写免交佐证的理由。")]}
        )
    if needs_waiver:
        _event(
            visit=problem.visit,
            problem=problem,
            actor=actor,
            action=A.WAIVE_EVIDENCE,
            from_status=from_status,
            note=waiver,
        )
    problem.status = S.VERIFIED
    problem.closed_on = max(on or dates.today(), problem.found_on)
    if problem.closed_on == problem.found_on:
        problem.solved_same_day = True  # rectified and verified on the day it was found
    problem.reject_reason = ""
    problem.save()
    event = _event(
        visit=problem.visit,
        problem=problem,
        actor=actor,
        action=A.VERIFY,
        from_status=from_status,
        note=(note or "").strip(),
    )
    _tell(
        problem,
        responsible_users(problem),
        kind="problem_verified",
        subject=_("督办问题已核验销号：%(label)s") % {"label": _label(problem)},
        occasion=f"problem-verified:{problem.pk}:{event.pk}",
    )
    return problem


@transaction.atomic
def problem_reject(*, actor: AbstractBaseUser, problem: Problem, reason: str) -> Problem:
    """The office finds the rectification insufficient: done → open again, with the reason the unit reads."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("退回整改时必须填写原因。")]})
    problem = _locked(problem)
    from_status = _transition(problem, {S.DONE}, _("退回整改"))
    problem.status = S.OPEN
    problem.rectified_on = None
    problem.reject_reason = reason
    problem.save()
    event = _event(
        visit=problem.visit, problem=problem, actor=actor, action=A.REJECT, from_status=from_status, note=reason
    )
    _tell(
        problem,
        responsible_users(problem),
        kind="problem_rejected",
        subject=_("督办问题核验未通过，请继续整改：%(label)s") % {"label": _label(problem)},
        body=_("退回原因：%(reason)s") % {"reason": reason},
        occasion=f"problem-rejected:{problem.pk}:{event.pk}",
    )
    return problem


# --- Escalation --------------------------------------------------------------------------------------


@transaction.atomic
def problems_escalate_overdue(*, today: datetime.date) -> list[Escalation]:
    """Bring every overdue problem to the responsible unit's leader and the office, once per level, and on one
    day at most once: a problem that reached both levels unreported (the first run, a deadline moved back) gets
    only the more severe reminder, and the milder one never follows.

    Safe to run twice (the scheduler calls it daily): a (problem, level) pair is recorded once and its
    notification occasion is unique, so a second run creates and sends nothing. A rectification that
    awaits verification goes to the office alone: the unit has done its part.
    """
    first_level_days = ESCALATION_LEVELS[0][1]
    overdue = list(
        Problem.objects.exclude(status=S.VERIFIED)
        .filter(due_on__lte=today - datetime.timedelta(days=first_level_days))
        .select_related("visit__district", "town__unit", "responsible_unit", "responsible_member_unit")
        .order_by("due_on", "pk")
    )
    done = set(Escalation.objects.filter(problem__in=overdue).values_list("problem_id", "level"))
    offices: dict[int, list] = {}
    created = []
    for problem in overdue:
        district = problem.visit.district
        if district.pk not in offices:
            offices[district.pk] = list(inspection_office_users(district))
        days = (today - problem.due_on).days
        # One reminder a day at most: the most severe level reached, unless it (or a worse one) went out before.
        level = max(level for level, threshold in ESCALATION_LEVELS if days >= threshold)
        if any((problem.pk, worse) in done for worse, _threshold in ESCALATION_LEVELS if worse >= level):
            continue
        escalation = _escalate(problem, level, days=days, today=today, office=offices[district.pk])
        if escalation is not None:
            created.append(escalation)
    return created


def _escalate(problem: Problem, level: int, *, days: int, today: datetime.date, office: list) -> Escalation | None:
    """Record the problem's escalation to `level` and tell who must act; None when it was recorded already."""
    recipients = list(office)
    if problem.status != S.DONE:
        recipients += responsible_leaders(problem)
    if level == Escalation.Level.LONG_OVERDUE:
        recipients += list(_city_leaders())
    escalation, is_new = Escalation.objects.get_or_create(
        problem=problem,
        level=level,
        defaults={"on": today, "days_overdue": days, "recipients": len({u.pk for u in recipients})},
    )
    if not is_new:
        return None
    subject = (
        _("督办问题严重逾期（%(days)s天）：%(label)s")
        if level == Escalation.Level.LONG_OVERDUE
        else _("督办问题逾期未整改（%(days)s天）：%(label)s")
    ) % {"days": days, "label": _label(problem)}
    _tell(
        problem,
        recipients,
        kind="problem_overdue",
        subject=subject,
        body=_("责任单位：%(unit)s；整改期限：%(due)s；当前状态：%(status)s。")
        % {"unit": problem.responsible_name, "due": problem.due_on.isoformat(), "status": S(problem.status).label},
        occasion=f"problem-overdue:{problem.pk}:{level}",
    )
    return escalation
