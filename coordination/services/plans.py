"""Plans for review (报审, R-1.6): a district or town submits a plan, 规划编制组 approves it or returns it,
and a returned plan comes back as the next version; earlier versions stay as they were. While a version is
under review the group may ask member units for their opinion (会签, issue 18); it approves the version
without an opinion asked for only with a written reason."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates, uploads
from tianjin_towns.lib.documents import chinese_date

from .. import permissions as perms
from ..models import (
    MemberUnit,
    OrgUnit,
    Plan,
    PlanAttachment,
    PlanKind,
    PlanOpinion,
    PlanStatus,
    PlanSubItem,
    PlanVersion,
    Role,
)
from ..notifications import notify
from ..selectors import users_with_unit_perm
from .common import notify_about

PLAN_CONTENT_FIELDS = ("scope", "sites", "positioning", "layout", "path", "note")


def _clean_plan_content(kind: str, content: dict, sub_items: list[dict]) -> tuple[dict, list[dict]]:
    errors: dict[str, list[str]] = {}
    cleaned = {name: (content.get(name) or "").strip() for name in PLAN_CONTENT_FIELDS}
    if not cleaned["scope"]:
        errors["scope"] = [_("请填写规划范围。")]
    if not cleaned["positioning"]:
        errors["positioning"] = [_("请填写发展定位。")]
    items = []
    for index, raw in enumerate(sub_items or [], start=1):
        item = {key: (raw.get(key) or "").strip() for key in ("name", "content", "responsible_unit")}
        if not any(item.values()):
            continue
        if not item["name"] or not item["responsible_unit"]:
            errors.setdefault("sub_items", []).append(_("第 %(n)s 个分项须填写分项名称和主管单位。") % {"n": index})
        items.append(item)
    if kind == PlanKind.CULTIVATION and not items and "sub_items" not in errors:
        errors["sub_items"] = [_("培育方案须列出分项及其主管单位。")]
    if errors:
        raise ValidationError(errors)
    return cleaned, items if kind == PlanKind.CULTIVATION else []


def _plan_version(plan: Plan, number: int, actor, content: dict, sub_items: list[dict], attachments) -> PlanVersion:
    version = PlanVersion.objects.create(
        plan=plan, number=number, submitted_by=actor, submitted_at=timezone.now(), **content
    )
    PlanSubItem.objects.bulk_create(
        PlanSubItem(version=version, order=order, **item) for order, item in enumerate(sub_items, start=1)
    )
    for upload in attachments or ():
        PlanAttachment.objects.create(version=version, file=upload, name=getattr(upload, "name", "")[:200])
    return version


def _tell_plan_reviewers(plan: Plan, version: PlanVersion) -> None:
    notify(
        recipients=users_with_unit_perm(plan.org_unit, perms.REVIEW_PLANS),
        kind="plan_submitted",
        subject=_("方案报审：%(title)s（第%(n)s版）") % {"title": plan.title, "n": version.number},
        link=reverse("plan-detail", args=[plan.pk]),
        about=plan,
        occasion=f"plan-submitted:{plan.pk}:{version.number}",
    )


def _tell_plan_submitters(plan: Plan, version: PlanVersion, kind: str, subject: str) -> None:
    """Tell the submitters of the reviewed version; `subject` may name the plan's %(title)s and the version's %(n)s."""
    notify(
        recipients=[version.submitted_by, *users_with_unit_perm(plan.org_unit, perms.SUBMIT_PLANS)],
        kind=kind,
        subject=subject % {"title": plan.title, "n": version.number},
        body=version.review_comments,
        link=reverse("plan-detail", args=[plan.pk]),
        about=plan,
        occasion=f"{kind}:{plan.pk}:{version.number}",
    )


@transaction.atomic
def plan_submit(
    *,
    actor: AbstractBaseUser | None,
    org_unit: OrgUnit,
    kind: str,
    title: str,
    content: dict,
    sub_items: list[dict] = (),
    attachments=(),
) -> Plan:
    """A district or town submits a plan for review: version 1, waiting for 规划编制组."""
    errors = {}
    if org_unit.level == OrgUnit.Level.MUNICIPAL:
        errors["org_unit"] = [_("报审单位应为区或小镇。")]
    if kind not in PlanKind.values:
        errors["kind"] = [_("未知的方案类别。")]
    if not (title or "").strip():
        errors["title"] = [_("请填写方案名称。")]
    if errors:
        raise ValidationError(errors)
    content, items = _clean_plan_content(kind, content, list(sub_items))
    plan = Plan.objects.create(org_unit=org_unit, kind=kind, title=title.strip(), created_by=actor)
    version = _plan_version(plan, 1, actor, content, items, attachments)
    _tell_plan_reviewers(plan, version)
    return plan


def _locked_plan(plan: Plan) -> Plan:
    return Plan.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=plan.pk)


def _current_version(plan: Plan) -> PlanVersion:
    return plan.versions.select_for_update(of=("self",)).select_related("submitted_by").get(number=plan.current_version)


@transaction.atomic
def plan_resubmit(
    *, actor: AbstractBaseUser | None, plan: Plan, content: dict, sub_items: list[dict] = (), attachments=()
) -> Plan:
    """A returned plan comes back as the next version; earlier versions stay as they were."""
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.RETURNED:
        raise ConflictError(_("只有退回修改的方案可以重新报审。"))
    content, items = _clean_plan_content(plan.kind, content, list(sub_items))
    plan.current_version += 1
    plan.status = PlanStatus.SUBMITTED
    plan.save(update_fields=["current_version", "status", "updated_at"])
    version = _plan_version(plan, plan.current_version, actor, content, items, attachments)
    _tell_plan_reviewers(plan, version)
    return plan


def _review_plan(plan: Plan, actor, review: str, comments: str, override_reason: str = "") -> tuple[Plan, PlanVersion]:
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.SUBMITTED:
        raise ConflictError(_("方案当前状态为“%(status)s”，不能审查。") % {"status": plan.get_status_display()})
    version = _current_version(plan)
    if review == PlanVersion.Review.APPROVED:
        version.override_reason = _approval_override(version, override_reason)
    version.review = review
    version.review_comments = comments
    version.reviewed_by = actor
    version.reviewed_at = timezone.now()
    version.save(update_fields=["review", "review_comments", "reviewed_by", "reviewed_at", "override_reason"])
    plan.status = PlanStatus.APPROVED if review == PlanVersion.Review.APPROVED else PlanStatus.RETURNED
    plan.save(update_fields=["status", "updated_at"])
    return plan, version


def _approval_override(version: PlanVersion, reason: str) -> str:
    """What the approval records about the opinions asked for on `version`: "" when none is missing, else the
    reviewer's reason; without one, a ValidationError naming the member units still to answer."""
    missing = version.opinions.filter(state=PlanOpinion.State.REQUESTED).order_by("member_unit__order", "pk")
    names = list(missing.values_list("member_unit__name", flat=True))
    if not names:
        return ""
    if not reason:
        message = _("以下成员单位尚未反馈意见：%(units)s。如需在缺少其意见的情况下审查通过，请填写理由。")
        raise ValidationError({"override_reason": [message % {"units": "、".join(names)}]})
    return reason


@transaction.atomic
def plan_approve(*, actor: AbstractBaseUser | None, plan: Plan, comments: str = "", override_reason: str = "") -> Plan:
    """规划编制组 approves the current version; while an opinion asked for on it is missing, only with
    `override_reason`, recorded with the review."""
    reason = (override_reason or "").strip()
    plan, version = _review_plan(plan, actor, PlanVersion.Review.APPROVED, (comments or "").strip(), reason)
    _tell_plan_submitters(plan, version, "plan_approved", _("方案审查通过：%(title)s（第%(n)s版）"))
    return plan


@transaction.atomic
def plan_return(*, actor: AbstractBaseUser | None, plan: Plan, comments: str) -> Plan:
    if not (comments or "").strip():
        raise ValidationError({"comments": [_("请填写审查意见，说明需要修改的内容。")]})
    plan, version = _review_plan(plan, actor, PlanVersion.Review.RETURNED, comments.strip())
    _tell_plan_submitters(plan, version, "plan_returned", _("方案退回修改：%(title)s（第%(n)s版）"))
    return plan


# --- Opinions of member units (会签, issue 18) -----------------------------------------------------------


def _liaisons_of(member_unit_ids) -> list:
    users = get_user_model().objects.filter(
        is_active=True, profile__role=Role.LIAISON, profile__member_unit_id__in=list(member_unit_ids)
    )
    return list(users.order_by("pk"))


@transaction.atomic
def plan_opinions_request(
    *, actor: AbstractBaseUser, plan: Plan, member_units: list[MemberUnit], due_on: datetime.date | None
) -> list[PlanOpinion]:
    """规划编制组 asks member units for their opinion on the version under review, to be given by `due_on`;
    each unit's liaisons are told."""
    if not perms.can_on_plan(actor, plan, perms.REVIEW_PLANS):
        raise PermissionDenied
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.SUBMITTED:
        raise ConflictError(_("方案当前状态为“%(status)s”，不能征求意见。") % {"status": plan.get_status_display()})
    version = _current_version(plan)
    units = list(member_units or ())
    errors: dict[str, list[str]] = {}
    asked = set(version.opinions.values_list("member_unit_id", flat=True))
    if not units:
        errors["member_units"] = [_("请选择要征求意见的成员单位。")]
    for unit in units:
        if not unit.active:
            errors.setdefault("member_units", []).append(_("%(unit)s已不在用，不能征求其意见。") % {"unit": unit.name})
        elif unit.pk in asked:
            message = _("已就第%(n)s版征求过%(unit)s的意见。") % {"n": version.number, "unit": unit.name}
            errors.setdefault("member_units", []).append(message)
    if due_on is None:
        errors["due_on"] = [_("请填写反馈时限。")]
    elif due_on < dates.today():
        errors["due_on"] = [_("反馈时限不能早于今天。")]
    if errors:
        raise ValidationError(errors)
    opinions = PlanOpinion.objects.bulk_create(
        PlanOpinion(version=version, member_unit=unit, requested_by=actor, due_on=due_on)
        for unit in sorted({unit.pk: unit for unit in units}.values(), key=lambda unit: (unit.order, unit.pk))
    )
    subject = _("征求意见：%(title)s（第%(n)s版），请于%(due)s前反馈") % {
        "title": plan.title,
        "n": version.number,
        "due": chinese_date(due_on),
    }
    for opinion in opinions:
        notify_about(
            plan,
            "plan-detail",
            recipients=_liaisons_of([opinion.member_unit_id]),
            kind="plan_opinion_requested",
            subject=subject,
            occasion=f"plan-opinion-requested:{opinion.pk}",
        )
    return opinions


@transaction.atomic
def plan_opinion_give(
    *, actor: AbstractBaseUser, opinion: PlanOpinion, agrees: bool, text: str = "", file=None
) -> PlanOpinion:
    """The asked member unit's liaison agrees, or asks for changes in writing (with a file if need be), while
    the version is under review; after the due date too, shown as late. 规划编制组 is told."""
    if opinion.member_unit_id != perms.liaison_member_unit_id(actor):
        raise PermissionDenied
    plan = _locked_plan(opinion.version.plan)
    opinion = (
        PlanOpinion.objects.select_for_update(of=("self",)).select_related("version", "member_unit").get(pk=opinion.pk)
    )
    if plan.status != PlanStatus.SUBMITTED or opinion.version.number != plan.current_version:
        raise ConflictError(_("第%(n)s版已审查完毕，不再征求意见。") % {"n": opinion.version.number})
    if opinion.is_given:
        raise ConflictError(_("%(unit)s已反馈意见，不能再次提交。") % {"unit": opinion.member_unit.name})
    text = (text or "").strip()
    if not agrees and not text:
        raise ValidationError({"text": [_("提出修改意见须填写意见内容。")]})
    opinion.state = PlanOpinion.State.AGREED if agrees else PlanOpinion.State.CHANGES
    opinion.text = text
    if file:
        opinion.file = file
        opinion.file_name = uploads.base_name(file)[:200]
    opinion.given_by = actor
    opinion.given_at = timezone.now()
    opinion.save()
    subject = _("%(unit)s对%(title)s（第%(n)s版）的意见：%(state)s") % {
        "unit": opinion.member_unit.name,
        "title": plan.title,
        "n": opinion.version.number,
        "state": opinion.get_state_display(),
    }
    notify_about(
        plan,
        "plan-detail",
        recipients=[opinion.requested_by, *users_with_unit_perm(plan.org_unit, perms.REVIEW_PLANS)],
        kind="plan_opinion_given",
        subject=subject,
        body=text,
        occasion=f"plan-opinion-given:{opinion.pk}",
    )
    return opinion
