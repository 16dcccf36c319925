"""Towns (R-1.1) and their lifecycle (R-1.2): creation, edits and renames with history, lifecycle steps with
the decision behind each, annual list decisions (all or nothing), downgrades lowering the level, and the
reporting duties that follow from the dated history."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from coordination import services as org
from coordination.models import OrgUnit, Town, TownEdit, TownListDecision, TownStatus, TownStatusChange
from tianjin_towns.errors import ConflictError

S = TownStatus
NOV_1 = datetime.date(2026, 11, 1)


def new_town(world, code="T0103", name="金桥新城小镇", **fields):
    fields = {"host_township": "金桥街", "lead_industry": "智能制造", **fields}  # status: reserve by default
    return org.town_create(
        actor=world.users.office_assess,
        district=world.dongli,
        code=code,
        name=name,
        reporting_from=datetime.date(2026, 3, 15),
        **fields,
    )


def step(world, town, status, on, document_no="津特镇办〔2026〕1号", **extra):
    return org.town_change_status(
        actor=world.users.office_assess,
        town=town,
        status=status,
        reason=extra.pop("reason", "年度名单决定"),
        decided_on=on,
        document_no=document_no,
        **extra,
    )


def test_a_new_town_gets_its_org_unit_and_first_history_row_with_the_decision(world):
    town = new_town(world, document_no="津特镇办〔2026〕2号", batch=3)
    assert (town.unit.level, town.unit.parent, town.district) == (OrgUnit.Level.TOWN, world.dongli, world.dongli)
    assert town.status == S.RESERVE and town.reporting_from == datetime.date(2026, 3, 1)
    first = town.status_changes.get()
    assert (first.from_status, first.to_status, first.document_no, first.batch) == (
        "",
        S.RESERVE,
        "津特镇办〔2026〕2号",
        3,
    )
    assert first.actor == world.users.office_assess


def test_a_reserve_town_reports_from_the_month_it_joins(world):
    town = new_town(world)
    assert not town.expects_report(datetime.date(2026, 2, 1))
    assert town.expects_report(datetime.date(2026, 3, 1))


def test_a_code_already_used_is_refused_and_nothing_is_created(world):
    with pytest.raises(ValidationError) as error:
        new_town(world, code="T0101")
    assert "已被使用" in error.value.message_dict["code"][0]
    assert not OrgUnit.objects.filter(name="金桥新城小镇").exists()


def test_a_town_cannot_be_created_outside_a_district_or_as_exited(world):
    with pytest.raises(ValidationError):
        org.town_create(
            district=world.city, code="T9", name="某镇", reporting_from=NOV_1, host_township="x", lead_industry="y"
        )
    with pytest.raises(ValidationError) as error:
        new_town(world, status=S.EXITED)
    assert "status" in error.value.message_dict


def test_lifecycle_forward_from_reserve_to_named_records_each_decision(world):
    town = new_town(world)
    step(world, town, S.CULTIVATING, datetime.date(2026, 4, 1), "津特镇办〔2026〕3号", batch=2)
    step(world, town, S.CREATING, datetime.date(2026, 6, 1), "津特镇办〔2026〕4号")
    step(world, town, S.NAMED, datetime.date(2026, 10, 8), "津特镇办〔2026〕5号")
    town.refresh_from_db()
    assert town.status == S.NAMED
    assert town.named_on == datetime.date(2026, 10, 8)  # naming dates the town
    assert town.batch == 2
    history = list(town.status_changes.order_by("decided_on").values_list("from_status", "to_status", "document_no"))
    assert history == [
        ("", S.RESERVE, ""),
        (S.RESERVE, S.CULTIVATING, "津特镇办〔2026〕3号"),
        (S.CULTIVATING, S.CREATING, "津特镇办〔2026〕4号"),
        (S.CREATING, S.NAMED, "津特镇办〔2026〕5号"),
    ]


def test_a_step_the_lifecycle_does_not_allow_is_refused_and_nothing_changes(world):
    town = new_town(world)
    with pytest.raises(ValidationError) as error:
        step(world, town, S.NAMED, NOV_1)
    assert "不能从“储备”变更为“命名”" in error.value.message_dict["status"][0]
    assert isinstance(error.value, ConflictError)  # the API answers 409
    town.refresh_from_db()
    assert town.status == S.RESERVE and town.status_changes.count() == 1


def test_a_decision_dated_before_the_last_change_or_in_the_future_is_refused(world):
    step(world, world.town, S.WARNED, datetime.date(2026, 5, 1))
    with pytest.raises(ValidationError) as error:
        step(world, world.town, S.CREATING, datetime.date(2026, 4, 1))
    assert "decided_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        step(world, world.town, S.CREATING, datetime.date(2027, 1, 1))
    assert "晚于今天" in error.value.message_dict["decided_on"][0]


def test_downgrade_lowers_the_level_and_records_it(world):
    assert world.town.level == Town.Level.MUNICIPAL
    step(world, world.town, S.DOWNGRADED, NOV_1, reason="连续两年未完成年度计划")
    world.town.refresh_from_db()
    assert (world.town.status, world.town.level) == (S.DOWNGRADED, Town.Level.MUNICIPAL_CULTIVATED)
    edit = TownEdit.objects.get(town=world.town)
    assert edit.changes == [{"field": "level", "old": "municipal", "new": "municipal_cultivated"}]
    assert edit.actor == world.users.office_assess


def test_a_cultivating_town_can_be_downgraded_or_exited(world):
    town = new_town(world, status=S.CULTIVATING, level=Town.Level.MUNICIPAL_CULTIVATED)
    assert set(org.town_next_statuses(town)) >= {S.DOWNGRADED, S.EXITED}
    step(world, town, S.DOWNGRADED, NOV_1)
    town.refresh_from_db()
    assert town.level == Town.Level.DISTRICT
    other = new_town(world, code="T0104", name="军粮城小镇", status=S.CULTIVATING)
    step(world, other, S.EXITED, NOV_1)
    other.refresh_from_db()
    assert other.status == S.EXITED and other.exited_on == NOV_1


def test_a_district_level_town_cannot_be_downgraded_further(world):
    town = new_town(world, status=S.CREATING, level=Town.Level.DISTRICT)
    assert S.DOWNGRADED not in org.town_next_statuses(town)
    with pytest.raises(ValidationError) as error:
        step(world, town, S.DOWNGRADED, NOV_1)
    assert "最低级别" in error.value.message_dict["status"][0]


def test_an_exited_town_is_not_expected_to_report_after_its_exit(world):
    step(world, world.town, S.EXITED, datetime.date(2026, 5, 20))
    world.town.refresh_from_db()
    assert world.town.expects_report(datetime.date(2026, 4, 1))
    assert not world.town.expects_report(datetime.date(2026, 5, 1))
    assert not world.town.expects_report(datetime.date(2026, 10, 1))
    assert org.town_next_statuses(world.town) == []


def test_annual_list_decision_moves_every_town_in_one_act(world):
    reserve = new_town(world)
    decision = org.town_list_decide(
        actor=world.users.office_assess,
        title="2026年度市级特色小镇名单",
        document_no="津特镇办〔2026〕8号",
        decided_on=NOV_1,
        batch=3,
        entries=[(world.town, S.NAMED), (reserve, S.CULTIVATING)],
        new_towns=[
            {"district": world.xiqing, "code": "T0202", "name": "杨柳青小镇", "reporting_from": NOV_1,
             "host_township": "杨柳青镇", "lead_industry": "文化旅游", "status": S.CULTIVATING},
        ],
    )  # fmt: skip
    assert decision.year == 2026 and decision.kind == TownListDecision.Kind.ADJUSTMENT
    changes = {
        c.town.name: (c.to_status, c.document_no, c.batch) for c in decision.changes.select_related("town__unit")
    }
    assert changes == {
        "华明智能制造小镇": (S.NAMED, "津特镇办〔2026〕8号", 3),
        "金桥新城小镇": (S.CULTIVATING, "津特镇办〔2026〕8号", 3),
        "杨柳青小镇": (S.CULTIVATING, "津特镇办〔2026〕8号", 3),
    }
    reserve.refresh_from_db()
    assert (reserve.status, reserve.batch) == (S.CULTIVATING, 3)


def test_one_invalid_step_in_a_list_decision_saves_nothing_and_names_the_town(world):
    reserve = new_town(world)
    before = TownStatusChange.objects.count()
    with pytest.raises(ValidationError) as error:
        org.town_list_decide(
            actor=world.users.office_assess,
            title="2026年度市级特色小镇创建名单",
            document_no="津特镇办〔2026〕8号",
            decided_on=NOV_1,
            entries=[(world.town, S.NAMED), (reserve, S.CREATING), (world.town2, S.WARNED)],
        )
    messages = error.value.message_dict["entries"]
    assert messages == ["金桥新城小镇：小镇状态不能从“储备”变更为“创建”。"]
    assert not TownListDecision.objects.exists()
    assert TownStatusChange.objects.count() == before
    world.town.refresh_from_db()
    assert world.town.status == S.CREATING


def test_a_list_decision_needs_its_document_and_at_least_one_town(world):
    with pytest.raises(ValidationError) as error:
        org.town_list_decide(actor=None, title=" ", document_no="", decided_on=NOV_1, entries=[])
    assert {"title", "document_no", "entries"} <= set(error.value.message_dict)


def test_a_list_decision_dated_in_the_future_is_an_error_on_its_date_not_on_a_town(world):
    with pytest.raises(ValidationError) as error:
        org.town_list_decide(
            actor=world.users.office_assess, title="2027年度名单", document_no="津特镇办〔2027〕1号",
            decided_on=datetime.date(2027, 1, 1), entries=[(world.town, S.NAMED), (world.town2, S.WARNED)],
        )  # fmt: skip
    assert set(error.value.message_dict) == {"decided_on"}
    assert "晚于今天" in error.value.message_dict["decided_on"][0]
    assert not TownListDecision.objects.exists()


def test_a_rename_through_town_update_keeps_the_old_name_and_the_reason(world):
    org.town_update(
        actor=world.users.office_assess,
        town=world.town,
        name="华明智能装备小镇",
        reason="主导产业调整",
        lead_industry="智能装备",
    )
    world.town.refresh_from_db()
    assert world.town.name == "华明智能装备小镇" and world.town.lead_industry == "智能装备"
    rename = world.town.unit.name_changes.get()
    assert (rename.old_name, rename.new_name, rename.reason) == ("华明智能制造小镇", "华明智能装备小镇", "主导产业调整")
    edit = world.town.edits.get()
    assert edit.changes == [{"field": "lead_industry", "old": "智能制造", "new": "智能装备"}]


def test_a_rename_needs_a_reason(world):
    with pytest.raises(ValidationError) as error:
        org.town_update(actor=None, town=world.town, name="新名称小镇")
    assert "reason" in error.value.message_dict
    world.town.unit.refresh_from_db()
    assert world.town.unit.name == "华明智能制造小镇"


def test_an_unchanged_edit_records_nothing(world):
    org.town_update(actor=None, town=world.town, name=world.town.name, lead_industry=world.town.lead_industry)
    assert not world.town.edits.exists() and not world.town.unit.name_changes.exists()
