"""What the office shares with a member unit (数据共享, issue 18): the kinds of accepted record and the
indicators its liaisons read. Everything accepted is shared until the office withholds some of it."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coordination.models import MemberUnit, MemberUnitEvent, SharedKind

from ..models import Indicator


@transaction.atomic
def member_unit_sharing_set(
    *,
    actor: AbstractBaseUser | None,
    member_unit: MemberUnit,
    shared_kinds: list[str],
    shared_indicators: list[Indicator],
    note: str = "",
) -> MemberUnit:
    """Share `shared_kinds` and the accepted figures of `shared_indicators` with `member_unit` (every other
    kind and active indicator is withheld); recorded as a member-unit event with what changed."""
    unknown = set(shared_kinds) - set(SharedKind.values)
    if unknown:
        raise ValidationError(
            {"shared_kinds": _("未知的数据类别：%(kinds)s。") % {"kinds": "、".join(sorted(unknown))}}
        )
    member_unit = MemberUnit.objects.select_for_update().get(pk=member_unit.pk)
    withheld_kinds = [kind for kind in SharedKind.values if kind not in shared_kinds]
    active = list(Indicator.objects.filter(active=True).order_by("order", "code"))
    shared_codes = {indicator.code for indicator in shared_indicators}
    before = set(member_unit.withheld_indicators.filter(active=True).values_list("code", flat=True))
    after = {indicator.code for indicator in active if indicator.code not in shared_codes}
    changes = {}
    if withheld_kinds != list(member_unit.withheld_kinds or []):
        changes["withheld_kinds"] = [list(member_unit.withheld_kinds or []), withheld_kinds]
        member_unit.withheld_kinds = withheld_kinds
        member_unit.save(update_fields=["withheld_kinds"])
    if before != after:
        changes["withheld_indicators"] = [sorted(before), sorted(after)]
        by_code = {indicator.code: indicator for indicator in active}
        member_unit.withheld_indicators.remove(*[by_code[code] for code in before - after])
        member_unit.withheld_indicators.add(*[by_code[code] for code in after - before])
    if changes:
        MemberUnitEvent.objects.create(
            member_unit=member_unit,
            action=MemberUnitEvent.Action.SHARING,
            changes=changes,
            note=note[:200],
            actor=actor,
        )
    return member_unit
