"""Support policies (R-1.4): the member units' policy documents, entered and corrected by the office."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import SupportPolicy

POLICY_FIELDS = ("title", "document_number", "issued_on", "summary")


def _check_policy(values: dict) -> None:
    errors = {}
    if not (values.get("title") or "").strip():
        errors["title"] = [_("请填写政策名称。")]
    if values.get("issued_on") is None:
        errors["issued_on"] = [_("请填写发布日期。")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def policy_create(
    *,
    actor: AbstractBaseUser | None,
    member_unit,
    title: str,
    issued_on: datetime.date,
    document_number: str = "",
    summary: str = "",
    file=None,
) -> SupportPolicy:
    values = {"title": title, "issued_on": issued_on, "document_number": document_number, "summary": summary}
    _check_policy(values)
    policy = SupportPolicy(
        member_unit=member_unit,
        created_by=actor,
        **{k: v.strip() if isinstance(v, str) else v for k, v in values.items()},
    )
    if file is not None:
        policy.file = file
    policy.save()
    return policy


@transaction.atomic
def policy_update(*, actor: AbstractBaseUser | None, policy: SupportPolicy, file=None, **fields) -> SupportPolicy:
    policy = SupportPolicy.objects.select_for_update().get(pk=policy.pk)
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"policy_update: unknown fields {sorted(unknown)}")
    values = {name: getattr(policy, name) for name in POLICY_FIELDS} | fields
    _check_policy(values)
    for name, value in values.items():
        setattr(policy, name, value.strip() if isinstance(value, str) else value)
    if file is not None:
        policy.file = file
    policy.save()
    return policy
