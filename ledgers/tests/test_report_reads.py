"""The report page's and the entry form's lists read by plain statements (the flags, the report's events): each
must hand over what the ORM's select_related read did, field for field and in the same order, with nothing
left to ask when the page names the indicator, the rule or the person."""

import datetime
from decimal import Decimal

from ledgers.models import DataFlag, Indicator, ReportEvent, ReportStatus
from ledgers.selectors import report_events_with_actors, report_flags, report_values

S = ReportStatus
SEPT = datetime.date(2026, 9, 1)


def fields(instance) -> list:
    return None if instance is None else [getattr(instance, f.attname) for f in instance._meta.concrete_fields]


def test_flags_are_those_select_related_reads(world, make_report, django_assert_num_queries):
    report = make_report(S.ACCEPTED, period=SEPT)  # acceptance resolves the flags: each has its resolver
    tax = Indicator.objects.get(code="tax_revenue")
    DataFlag.objects.create(report=report, indicator=tax, value=Decimal("1"), message="规则已删除的提示")  # no rule
    expected = list(
        report.flags.select_related("indicator", "rule", "resolved_by__profile").order_by(
            "indicator__order", "indicator__code", "pk"
        )
    )
    got = report_flags(report)
    assert len(got) == len(expected) >= 2
    assert any(f.resolved_by_id for f in expected) and any(f.rule_id is None for f in expected)
    with django_assert_num_queries(0):
        for flag, want in zip(got, expected, strict=True):
            assert fields(flag) == fields(want)
            assert fields(flag.indicator) == fields(want.indicator)
            assert fields(flag.rule) == fields(want.rule)
            assert fields(flag.resolved_by) == fields(want.resolved_by)
            if want.resolved_by is not None:
                assert fields(flag.resolved_by.profile) == fields(want.resolved_by.profile)


def test_events_are_those_select_related_reads(world, make_report, django_assert_num_queries):
    report = make_report(S.ACCEPTED, period=SEPT)
    ReportEvent.objects.create(report=report, action=ReportEvent.Action.RECALCULATE, changes={"values": {"a": [1, 2]}})
    expected = list(report.events.select_related("actor__profile").order_by("at", "pk"))
    got = report_events_with_actors(report)
    assert len(got) == len(expected) >= 5 and expected[-1].actor is None  # the system's own step: no actor
    with django_assert_num_queries(0):
        for event, want in zip(got, expected, strict=True):
            assert fields(event) == fields(want)
            assert fields(event.actor) == fields(want.actor)
            if want.actor is not None:
                assert fields(event.actor.profile) == fields(want.actor.profile)
                assert event.actor.profile.user_id == event.actor_id


def test_figures_are_those_the_orm_reads(world, make_report):
    report = make_report(S.DRAFT, period=SEPT)
    expected = dict(report.values.values_list("indicator__code", "value"))
    got = report_values(report)
    assert got == expected and len(got) == 12
    assert all(type(value) is Decimal for value in got.values())
