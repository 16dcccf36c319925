"""The timeliness tally per district and month (issue 21, ledgers/tally.py): the database's triggers keep it equal
to the reports counted anew, whatever changes a report or a town, and the city's dashboard reads it."""

import datetime
import threading

import pytest
from django.db import connections, transaction

from coordination.models import Town, TownStatus
from ledgers import tally
from ledgers.models import MonthlyReport, ReportStatus, Timeliness

SEP, OCT = datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)


def assert_kept():
    assert tally.tally() == tally.recount()


def test_the_tally_follows_every_change_of_reports_and_towns(world, make_report):
    make_report(ReportStatus.DRAFT, period=SEP)  # a draft counts nowhere
    assert_kept()
    assert tally.tally() == []
    submitted = make_report(ReportStatus.SUBMITTED, town=world.town2, period=SEP)
    make_report(ReportStatus.ACCEPTED, period=OCT)
    make_report(ReportStatus.RETURNED, town=world.outsider_town, period=SEP)  # submitted once, then returned
    assert_kept()
    rows = {(district, period): counts for district, period, *counts in tally.tally()}
    # Each submitted report is on time, late or missing by the day it was filed; the draft counts nowhere.
    arrived = {key: on_time + late + recorded_missing for key, (on_time, late, recorded_missing, _s) in rows.items()}
    assert arrived == {(world.dongli.pk, SEP): 1, (world.dongli.pk, OCT): 1, (world.xiqing.pk, SEP): 1}

    # Changes made around the services: plain updates of one report and of many at once.
    MonthlyReport.objects.filter(pk=submitted.pk).update(timeliness=Timeliness.MISSING)
    assert_kept()
    MonthlyReport.objects.filter(period=SEP).update(timeliness=Timeliness.LATE)
    assert_kept()

    # A town moved to another district, out of its reporting window, and back in.
    Town.objects.filter(pk=world.town.pk).update(district=world.xiqing)
    assert_kept()
    Town.objects.filter(pk=world.town2.pk).update(exited_on=datetime.date(2026, 9, 15), status=TownStatus.EXITED)
    assert_kept()
    Town.objects.filter(pk=world.town2.pk).update(reporting_from=OCT)
    assert_kept()
    Town.objects.filter(pk=world.town2.pk).update(exited_on=None, reporting_from=datetime.date(2020, 1, 1))
    assert_kept()

    # Reports deleted, in one statement over several rows.
    deleted, _by_model = MonthlyReport.objects.filter(period=SEP).delete()
    assert deleted
    assert_kept()


def test_rebuilding_gives_what_the_triggers_kept(world, make_report):
    make_report(ReportStatus.SUBMITTED, period=SEP)
    make_report(ReportStatus.ACCEPTED, town=world.outsider_town, period=OCT)
    kept = tally.tally()
    tally.rebuild()
    assert tally.tally() == kept == tally.recount() != []


@pytest.mark.django_db(transaction=True)
def test_two_submissions_of_one_district_and_month_at_once_are_both_counted(world):
    """Two transactions add to the same tally row before either commits: the second waits for the first's row
    and adds its own change to what the first committed (a recount in each would have missed the other's)."""
    period = datetime.date(2026, 9, 1)
    towns = [world.town, world.town2]  # both in 东丽区
    both_counted = threading.Barrier(2, timeout=10)
    errors = []

    def submit(town):
        try:
            with transaction.atomic():
                MonthlyReport.objects.create(
                    town=town,
                    period=period,
                    status=ReportStatus.SUBMITTED,
                    due_on=datetime.date(2026, 10, 10),
                    timeliness=Timeliness.ON_TIME,
                    submitted_at=datetime.datetime(2026, 10, 5, 9, tzinfo=datetime.UTC),
                )
                # The first to come here holds the tally row; the other waits in its insert until the first
                # commits, so only one reaches the barrier before the first's commit: let it pass alone.
                try:
                    both_counted.wait(timeout=1)
                except threading.BrokenBarrierError:
                    pass
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(town,)) for town in towns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = {(district, month): counts for district, month, *counts in tally.tally()}
    assert rows[(world.dongli.pk, period)] == [2, 0, 0, 2]
    assert tally.tally() == tally.recount()
