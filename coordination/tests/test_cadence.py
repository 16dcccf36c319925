"""Cadence rules and the compliance matrix (R-2.4): states ok / short / over / pending, rules as data,
the activity registry, and a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination import cadence, selectors
from coordination.models import CadenceRule, Meeting, MeetingKind, MeetingState, OrgUnit

TODAY = datetime.date(2026, 11, 26)
K = MeetingKind
R = CadenceRule


@pytest.fixture
def rules(db):
    """The notice's meeting rules, without the on-site visits (the inspections app counts those)."""
    CadenceRule.objects.all().delete()
    return {
        "conference": CadenceRule.objects.create(kind=K.JOINT_CONFERENCE, level=R.Level.MUNICIPAL, period=R.Period.QUARTER, required_min=1, required_max=2, order=1),
        "regular": CadenceRule.objects.create(kind=K.DISTRICT_REGULAR, level=R.Level.DISTRICT, period=R.Period.MONTH, required_min=1, order=2),
        "onsite": CadenceRule.objects.create(kind=K.DISTRICT_ONSITE, level=R.Level.DISTRICT, period=R.Period.MONTH, required_min=1, order=3),
    }  # fmt: skip


def _held(unit, kind, *days, state=MeetingState.HELD):
    Meeting.objects.bulk_create(
        Meeting(org_unit=unit, kind=kind, title=f"{unit.name}{kind}", held_on=day, state=state) for day in days
    )


def _monthly(year: int, months, day: int = 15) -> list[datetime.date]:
    return [datetime.date(year, month, day) for month in months]


def _cells(cells, unit, kind) -> dict[str, tuple[int, str]]:
    return {c.period_label: (c.held, c.state) for c in cells if c.org_unit == unit and c.rule.kind == kind}


@pytest.mark.parametrize(
    "held, low, high, end, state",
    [
        (0, 1, None, datetime.date(2026, 11, 1), "short"),  # October has ended without a meeting
        (0, 1, None, datetime.date(2026, 12, 1), "pending"),  # November has not ended yet
        (1, 1, None, datetime.date(2026, 12, 1), "ok"),  # not ended, minimum already met
        (1, 2, None, datetime.date(2027, 1, 1), "pending"),  # a future period
        (2, 1, 2, datetime.date(2026, 4, 1), "ok"),
        (3, 1, 2, datetime.date(2026, 4, 1), "over"),
        (3, 1, 2, datetime.date(2027, 1, 1), "over"),  # over the maximum before the period ends
        (5, 1, None, datetime.date(2026, 4, 1), "ok"),  # no maximum
    ],
)
def test_cell_state(held, low, high, end, state):
    assert selectors.cadence_state(held, low, high, end, TODAY) == state


def test_matrix_for_a_district_that_held_both_monthly_meetings_one_that_skipped_and_the_conference(world, rules):
    every_month = _monthly(2026, range(1, 11))
    _held(world.dongli, K.DISTRICT_REGULAR, *every_month, datetime.date(2026, 11, 5))
    _held(world.dongli, K.DISTRICT_ONSITE, *every_month)
    _held(world.xiqing, K.DISTRICT_REGULAR, *_monthly(2026, [1, 2, 3, 4, 5, 6, 7, 8, 10]))  # skipped September
    _held(world.xiqing, K.DISTRICT_ONSITE, *every_month)
    _held(world.xiqing, K.DISTRICT_REGULAR, datetime.date(2026, 9, 20), state=MeetingState.PLANNED)  # never held
    _held(world.city, K.JOINT_CONFERENCE, datetime.date(2026, 1, 20), datetime.date(2026, 3, 25),
          datetime.date(2026, 5, 12), datetime.date(2026, 10, 9))  # fmt: skip
    _held(world.dongli, K.DISTRICT_REGULAR, datetime.date(2025, 12, 20))  # another year

    cells = selectors.cadence_matrix(2026, today=TODAY)

    dongli_regular = _cells(cells, world.dongli, K.DISTRICT_REGULAR)
    assert all(dongli_regular[f"2026-{m:02d}"] == (1, "ok") for m in range(1, 11))
    assert dongli_regular["2026-11"] == (1, "ok")  # not ended, minimum met
    assert dongli_regular["2026-12"] == (0, "pending")
    assert _cells(cells, world.dongli, K.DISTRICT_ONSITE)["2026-11"] == (0, "pending")
    xiqing_regular = _cells(cells, world.xiqing, K.DISTRICT_REGULAR)
    assert xiqing_regular["2026-09"] == (0, "short")
    assert [label for label, (_h, state) in xiqing_regular.items() if state == "short"] == ["2026-09"]
    assert _cells(cells, world.city, K.JOINT_CONFERENCE) == {
        "2026-Q1": (2, "ok"),
        "2026-Q2": (1, "ok"),
        "2026-Q3": (0, "short"),
        "2026-Q4": (1, "ok"),
    }
    # One cell per rule, unit of its level and period: 4 quarters + 2 districts × 2 rules × 12 months.
    assert len(cells) == 4 + 2 * 2 * 12
    cell = next(c for c in cells if c.org_unit == world.city)
    assert (cell.period_start, cell.period_end, cell.required_min, cell.required_max) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 4, 1),
        1,
        2,
    )


def test_over_the_maximum(world, rules):
    _held(
        world.city, K.JOINT_CONFERENCE, datetime.date(2026, 4, 2), datetime.date(2026, 5, 2), datetime.date(2026, 6, 2)
    )
    cells = selectors.cadence_matrix(2026, today=TODAY)
    assert _cells(cells, world.city, K.JOINT_CONFERENCE)["2026-Q2"] == (3, "over")


def test_changing_a_rule_changes_the_matrix_without_a_deploy(world, rules):
    _held(world.dongli, K.DISTRICT_REGULAR, *_monthly(2026, range(1, 11)))
    before = _cells(selectors.cadence_matrix(2026, today=TODAY), world.dongli, K.DISTRICT_REGULAR)
    assert before["2026-03"] == (1, "ok")
    rules["regular"].required_min = 2
    rules["regular"].save()
    after = _cells(selectors.cadence_matrix(2026, today=TODAY), world.dongli, K.DISTRICT_REGULAR)
    assert after["2026-03"] == (1, "short") and after["2026-11"] == (0, "pending")
    rules["regular"].period = R.Period.QUARTER
    rules["regular"].save()
    quarterly = _cells(selectors.cadence_matrix(2026, today=TODAY), world.dongli, K.DISTRICT_REGULAR)
    assert quarterly == {"2026-Q1": (3, "ok"), "2026-Q2": (3, "ok"), "2026-Q3": (3, "ok"), "2026-Q4": (1, "pending")}
    rules["regular"].active = False
    rules["regular"].save()
    assert not _cells(selectors.cadence_matrix(2026, today=TODAY), world.dongli, K.DISTRICT_REGULAR)


def test_unit_ids_limit_the_rows(world, rules):
    cells = selectors.cadence_matrix(2026, unit_ids=[world.dongli.pk], today=TODAY)
    assert {c.org_unit for c in cells} == {world.dongli}


def test_a_registered_kind_is_counted_and_an_unregistered_one_left_out(world, rules):
    calls = []

    def visits(unit_ids, start, end):
        calls.append((sorted(unit_ids), start, end))
        return {world.dongli.pk: 2} if start == datetime.date(2026, 4, 1) else {}

    CadenceRule.objects.create(
        kind="test_visits", level=R.Level.DISTRICT, period=R.Period.QUARTER, required_min=1, required_max=2
    )
    CadenceRule.objects.create(kind="not_registered", level=R.Level.DISTRICT, period=R.Period.YEAR, required_min=1)
    cadence.register_activity_counter("test_visits", "测试走访", visits)
    try:
        cells = selectors.cadence_matrix(2026, today=TODAY)
    finally:
        cadence._REGISTRY.pop("test_visits")
    assert _cells(cells, world.dongli, "test_visits")["2026-Q2"] == (2, "ok")
    assert _cells(cells, world.xiqing, "test_visits")["2026-Q2"] == (0, "short")
    assert calls[0] == (
        sorted([world.dongli.pk, world.xiqing.pk]),
        datetime.date(2026, 1, 1),
        datetime.date(2026, 4, 1),
    )
    assert not [c for c in cells if c.rule.kind == "not_registered"]


def test_meeting_cells_link_to_the_meetings_behind_them(world, rules):
    cell = next(c for c in selectors.cadence_matrix(2026, today=TODAY) if c.org_unit == world.dongli)
    assert cell.link == (
        f"/meetings/?kind=district_regular&org_unit={world.dongli.pk}&date_from=2026-01-01&date_to=2026-01-31"
    )


def test_default_rules_are_the_notices_cadence(db):
    rows = set(CadenceRule.objects.values_list("kind", "level", "period", "required_min", "required_max"))
    assert rows == {
        ("joint_conference", "municipal", "quarter", 1, 2),
        ("district_regular", "district", "month", 1, None),
        ("district_onsite", "district", "month", 1, None),
        ("onsite_supervision", "district", "quarter", 1, 2),
        ("study_tour", "municipal", "year", 1, 2),
    }


def test_matrix_query_count_does_not_grow_with_units_or_meetings(world, rules):
    _held(world.dongli, K.DISTRICT_REGULAR, *_monthly(2026, range(1, 11)))
    with CaptureQueriesContext(connection) as small:
        selectors.cadence_matrix(2026, today=TODAY)
    for n in range(5):
        district = OrgUnit.objects.create(
            code=f"9{n}", name=f"测试区{n}", level="district", parent=world.city, order=10 + n
        )
        _held(district, K.DISTRICT_REGULAR, *_monthly(2026, range(1, 11)))
        _held(district, K.DISTRICT_ONSITE, *_monthly(2026, range(1, 11), day=20))
    with CaptureQueriesContext(connection) as large:
        cells = selectors.cadence_matrix(2026, today=TODAY)
    assert len(cells) > 100
    assert len(large.captured_queries) == len(small.captured_queries)


def test_matrix_counts_each_kind_once_for_the_whole_year(world, rules, django_assert_num_queries):
    """The rules, the org units, then one count per activity kind: not one per period (12 months)."""
    _held(world.dongli, K.DISTRICT_REGULAR, *_monthly(2026, range(1, 11)))
    with django_assert_num_queries(2 + 3):
        cells = selectors.cadence_matrix(2026, today=TODAY)
    assert len(cells) == 4 + 2 * 2 * 12


def test_a_kind_under_a_monthly_and_a_quarterly_rule_is_counted_once_and_right_for_both(
    world, rules, django_assert_num_queries
):
    _held(world.dongli, K.DISTRICT_REGULAR, datetime.date(2026, 1, 5), datetime.date(2026, 2, 5),
          datetime.date(2026, 3, 31), datetime.date(2026, 4, 1))  # fmt: skip
    CadenceRule.objects.create(
        kind=K.DISTRICT_REGULAR, level=R.Level.DISTRICT, period=R.Period.QUARTER, required_min=3, order=4
    )
    with django_assert_num_queries(2 + 3):
        cells = selectors.cadence_matrix(2026, today=TODAY)
    monthly = [c for c in cells if c.org_unit == world.dongli and c.rule == rules["regular"]]
    quarterly = [
        c
        for c in cells
        if c.org_unit == world.dongli and c.rule.period == R.Period.QUARTER and c.rule.kind == K.DISTRICT_REGULAR
    ]
    assert [c.held for c in monthly][:5] == [1, 1, 1, 1, 0]  # the last day of March and the first of April
    assert [(c.held, c.state) for c in quarterly] == [(3, "ok"), (1, "short"), (0, "short"), (0, "pending")]


def test_counting_by_period_gives_what_counting_each_period_gives(world, rules):
    _held(world.dongli, K.DISTRICT_REGULAR, *_monthly(2026, range(1, 13), day=28), datetime.date(2026, 6, 1))
    _held(world.xiqing, K.DISTRICT_REGULAR, datetime.date(2026, 6, 30), datetime.date(2027, 1, 1))
    ids = [world.dongli.pk, world.xiqing.pk]
    periods = selectors.periods_of_year(R.Period.MONTH, 2026)
    by_period = cadence.count_activities_by_period(K.DISTRICT_REGULAR, ids, periods)
    for index, (start, end) in enumerate(periods):
        one = cadence.count_activities(K.DISTRICT_REGULAR, ids, start, end)
        assert {unit: counts[index] for unit, counts in by_period.items() if counts[index]} == {
            unit: n for unit, n in one.items() if n
        }
    assert by_period[world.dongli.pk][5] == 2 and by_period[world.xiqing.pk][5] == 1


def test_the_panel_and_the_page_draw_each_cell_with_its_count_state_title_and_link(world, rules, client, on_day):
    """The cells are written by a template tag, not the template language (issue 21): what a leader sees is the same."""
    on_day(TODAY)
    _held(world.dongli, K.DISTRICT_REGULAR, *_monthly(2026, [1, 1, 2]))
    client.force_login(world.users.leader)
    link = f"/meetings/?kind=district_regular&amp;org_unit={world.dongli.pk}&amp;date_from=2026-01-01&amp;date_to=2026-01-31"
    panel = client.get("/dashboard/cadence/", {"level": "city", "year": 2026}).content.decode()
    assert f'<td class="cad-ok" title="已开展 2 次，要求 ≥1次"><a href="{link}">2</a></td>' in panel
    assert '<td class="cad-short" title="已开展 0 次，要求 ≥1次">' in panel  # dongli's March
    page = client.get("/cadence/", {"year": 2026}).content.decode()
    cell = (
        '<td class="cad-cell cad-ok" title="东丽区 2026-01：已开 2 次，要求 ≥1次">'
        f'<a href="{link}"><span class="cad-held">2</span> <span class="cad-state">达标</span></a></td>'
    )
    assert cell in page
