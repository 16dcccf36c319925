"""Plans for review (报审, R-1.6): a district or town submits a plan, 规划编制组 approves it or returns it,
and a returned plan comes back as the next version; earlier versions stay as they were."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tianjin_towns.errors import ConflictError

from .. import permissions as perms
from ..models import OrgUnit, Plan, PlanAttachment, PlanKind, PlanStatus, PlanSubItem, PlanVersion
from ..notifications import notify
from ..selectors import users_with_unit_perm

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


def _review_plan(plan: Plan, actor, review: str, comments: str) -> tuple[Plan, PlanVersion]:
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.SUBMITTED:
        raise ConflictError(_("方案当前状态为“%(status)s”，不能审查。") % {"status": plan.get_status_display()})
    version = _current_version(plan)
    version.review = review
    version.review_comments = comments
    version.reviewed_by = actor
    version.reviewed_at = timezone.now()
    version.save(update_fields=["review", "review_comments", "reviewed_by", "reviewed_at"])
    plan.status = PlanStatus.APPROVED if review == PlanVersion.Review.APPROVED else PlanStatus.RETURNED
    plan.save(update_fields=["status", "updated_at"])
    return plan, version


@transaction.atomic
def plan_approve(*, actor: AbstractBaseUser | None, plan: Plan, comments: str = "") -> Plan:
    plan, version = _review_plan(plan, actor, PlanVersion.Review.APPROVED, (comments or "").strip())
    _tell_plan_submitters(plan, version, "plan_approved", _("方案审查通过：%(title)s（第%(n)s版）"))
    return plan


@transaction.atomic
def plan_return(*, actor: AbstractBaseUser | None, plan: Plan, comments: str) -> Plan:
    if not (comments or "").strip():
        raise ValidationError({"comments": [_("请填写审查意见，说明需要修改的内容。")]})
    plan, version = _review_plan(plan, actor, PlanVersion.Review.RETURNED, comments.strip())
    _tell_plan_submitters(plan, version, "plan_returned", _("方案退回修改：%(title)s（第%(n)s版）"))
    return plan
