"""The data-sharing feed (数据共享接口, issue 18): GET /api/v1/accepted-figures/ gives the accepted figures a
caller reads, pages them with a stable cursor, streams them as CSV, and with `updated_since` exactly the rows
changed since (accepted, withdrawn by a reopened report, accepted again); API clients read it with tokens
the office issues and revokes, and never write."""

import csv
import datetime
import io
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import FULL_VALUES
from coordination import services as org
from coordination.models import ApiToken, Role, UserProfile
from ledgers import services as ledger
from ledgers.models import Indicator, ReportStatus

FEED = "/api/v1/accepted-figures/"
SEPT, AUG = datetime.date(2026, 9, 1), datetime.date(2026, 8, 1)


def _rows(client, **params) -> list[dict]:
    """Every row of the feed, following `next` page by page."""
    rows, url, query = [], FEED, params
    while url:
        page = client.get(url, query)
        assert page.status_code == 200, page.content
        body = page.json()
        rows += body["results"]
        url, query = body["next"], None
    return rows


def _key(row) -> tuple:
    return (row["town"], row["period"], row["indicator"])


@pytest.fixture
def accepted(world, make_report):
    """Dongli's two towns accepted for September; town2's August only approved by the district."""
    make_report(ReportStatus.ACCEPTED, period=SEPT)
    make_report(ReportStatus.ACCEPTED, town=world.town2, period=SEPT, values={**FULL_VALUES, "tax_revenue": "99"})
    make_report(ReportStatus.DISTRICT_APPROVED, town=world.town2, period=AUG)
    return world


def test_a_liaison_reads_every_accepted_figure_and_nothing_else(accepted, api):
    world = accepted
    rows = _rows(api(world.users.liaison))
    indicators = Indicator.objects.count()
    assert len(rows) == 2 * indicators
    assert {row["period"] for row in rows} == {"2026-09"}  # town2's August is not accepted
    tax = {row["town_name"]: row["value"] for row in rows if row["indicator"] == "tax_revenue"}
    assert tax == {"华明智能制造小镇": "150.25", "东丽湖温泉小镇": "99.00"}
    assert all(row["state"] == "accepted" and row["district_name"] == "东丽区" for row in rows)
    # The outsider district's officer reads its own accepted figures only: none here.
    assert _rows(api(world.users.outsider)) == []


def test_updated_since_gives_exactly_what_changed_acceptance_withdrawal_and_acceptance_again(
    accepted, api, make_report
):
    world = accepted
    client = api(world.users.liaison)
    since = timezone.now()
    assert _rows(client, updated_since=since.isoformat()) == []
    report = make_report(ReportStatus.ACCEPTED, town=world.town2, period=datetime.date(2026, 7, 1))
    changed = _rows(client, updated_since=since.isoformat())
    assert {(row["period"], row["state"]) for row in changed} == {("2026-07", "accepted")}
    assert len(changed) == Indicator.objects.count()

    since = timezone.now()
    ledger.monthly_report_reopen_request(actor=world.users.officer, report=report, reason="税收数填错")
    ledger.monthly_report_reopen_approve(actor=world.users.office_policy, report=report)
    withdrawn = _rows(client, updated_since=since.isoformat())
    assert {(row["period"], row["state"], row["value"]) for row in withdrawn} == {("2026-07", "withdrawn", None)}

    since = timezone.now()
    report.refresh_from_db()
    values = {**FULL_VALUES, "tax_revenue": "123.45"}
    ledger.monthly_report_save(actor=world.users.officer, report=report, values=values, explanations={})
    ledger.monthly_report_submit(actor=world.users.officer, report=report)
    ledger.monthly_report_approve(actor=world.users.reviewer, report=report)
    ledger.monthly_report_accept(actor=world.users.office_policy, report=report)
    again = _rows(client, updated_since=since.isoformat())
    assert {row["state"] for row in again} == {"accepted"}
    assert [row["value"] for row in again if row["indicator"] == "tax_revenue"] == ["123.45"]
    # The other months did not change.
    assert {row["period"] for row in again} == {"2026-07"}


def test_the_cursor_walks_every_row_once_in_order_even_when_more_is_accepted_meanwhile(accepted, api, make_report):
    world = accepted
    client = api(world.users.leader)
    first = client.get(FEED, {"page_size": 5}).json()
    assert len(first["results"]) == 5 and first["next"]
    make_report(ReportStatus.ACCEPTED, town=world.town2, period=datetime.date(2026, 6, 1))  # lands at the end
    rows, url = list(first["results"]), first["next"]
    while url:
        page = client.get(url).json()
        rows += page["results"]
        url = page["next"]
    keys = [_key(row) for row in rows]
    assert len(keys) == len(set(keys)) == 3 * Indicator.objects.count()
    assert [row["updated_at"] for row in rows] == sorted(row["updated_at"] for row in rows)
    assert client.get(FEED, {"cursor": "not-a-cursor"}).status_code == 400


def test_the_feed_streams_as_csv(accepted, api):
    world = accepted
    response = api(world.users.liaison).get(FEED, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0][:4] == ["updated_at", "report", "town", "town_code"]
    assert len(lines) == 1 + 2 * Indicator.objects.count()
    tax = next(line for line in lines if "tax_revenue" in line and "华明智能制造小镇" in line)
    assert [tax[j] for j in (4, 7, 8, 9, 10, 11)] == [
        "华明智能制造小镇",
        "2026-09",
        "tax_revenue",
        "万元",
        "150.25",
        "accepted",
    ]
    bad = api(world.users.liaison).get(FEED, {"from": "2026-13"}, HTTP_ACCEPT="text/csv")
    assert bad.status_code == 400 and bad.json()  # the error in JSON all the same


def test_what_the_office_withholds_leaves_the_feed(accepted, api):
    world = accepted
    tax = Indicator.objects.get(code="tax_revenue")
    unit = world.users.liaison.profile.member_unit
    ledger.member_unit_sharing_set(
        actor=world.users.office_policy,
        member_unit=unit,
        shared_kinds=["figures"],
        shared_indicators=list(Indicator.objects.exclude(pk=tax.pk)),
    )
    assert "tax_revenue" not in {row["indicator"] for row in _rows(api(world.users.liaison))}
    ledger.member_unit_sharing_set(actor=None, member_unit=unit, shared_kinds=[], shared_indicators=[])
    assert _rows(api(world.users.liaison)) == []


# --- API clients ---------------------------------------------------------------------------------------------


def _token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_an_api_client_reads_with_its_token_writes_nothing_and_loses_access_when_revoked(accepted):
    world = accepted
    client = org.api_client_create(
        actor=world.users.office_policy, name="市统计局数据仓库", member_unit=world.users.liaison.profile.member_unit
    )
    assert client.user.profile.role == Role.CLIENT and not client.user.has_usable_password()
    token = org.api_client_token_issue(actor=world.users.office_policy, client=client, days=90)
    reader = _token_client(token.key)
    assert len(_rows(reader)) == 2 * Indicator.objects.count()
    refused = reader.post("/api/v1/notifications/read-all/")
    assert refused.status_code == 403 and "只能读取" in refused.json()["detail"]
    assert reader.get("/api/v1/monthly-reports/").json()["count"] == 0  # no report in its workflow
    org.api_client_token_revoke(actor=world.users.office_policy, token=token)
    assert reader.get(FEED).status_code == 401


def test_an_api_clients_token_expires_on_its_date_whatever_its_use(accepted):
    world = accepted
    client = org.api_client_create(actor=world.users.office_policy, name="规划资源一张图")
    token = org.api_client_token_issue(actor=world.users.office_policy, client=client, days=30)
    expires = token.expires_at
    with time_machine.travel(timezone.now() + datetime.timedelta(days=29)):
        assert _token_client(token.key).get(FEED).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).expires_at == expires  # use did not extend it
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        assert _token_client(token.key).get(FEED).status_code == 401


def test_nobody_makes_a_person_an_api_client_through_the_people_pages(world, api):
    response = api(world.users.admin).post(
        "/api/v1/users/", {"username": "sneaky", "role": "client", "org_unit": world.city.pk}, format="json"
    )
    assert response.status_code in (400, 403)
    assert not UserProfile.objects.filter(user__username="sneaky").exists()


def test_the_office_manages_api_clients_on_their_pages(world, client):
    client.force_login(world.users.officer)
    assert client.get(reverse("api-client-list")).status_code == 403
    client.force_login(world.users.office_policy)
    created = client.post(reverse("api-client-create"), {"name": "税务局共享平台", "note": "每日同步"})
    assert created.status_code == 302
    detail = created["Location"]
    issued = client.post(detail + "tokens/", {"days": "90"})
    assert issued.status_code == 200
    key = issued.context["new_token"].key
    assert key in issued.content.decode() and key not in client.get(detail).content.decode()  # shown once
    assert _token_client(key).get(FEED).status_code == 200
    token = ApiToken.objects.get(prefix=key[:8])
    client.post(reverse("api-client-token-revoke", args=[token.user.api_client.pk, token.pk]))
    assert _token_client(key).get(FEED).status_code == 401
    assert "令牌已撤销" in client.get(detail).content.decode()


def test_each_row_carries_its_acceptance_and_check_state_and_the_months_narrow_it(accepted, api):
    world = accepted
    tax = Indicator.objects.get(code="tax_revenue")
    unit = world.users.liaison.profile.member_unit
    ledger.indicator_sources_set(actor=None, assignments={tax: (unit, None)})
    ledger.figure_checks_record(
        actor=world.users.liaison,
        member_unit=unit,
        indicator=tax,
        period=SEPT,
        entries={world.town.pk: ledger.CheckEntry("150.25", None), world.town2.pk: ledger.CheckEntry("120", None)},
    )
    rows = _rows(api(world.users.leader), indicator="tax_revenue")
    assert {row["town_name"]: row["check_state"] for row in rows} == {
        "华明智能制造小镇": "agreed",
        "东丽湖温泉小镇": "differs",
    }
    assert all(row["accepted_at"] for row in rows)
    assert _rows(api(world.users.leader), **{"from": "2026-10"}) == []
    assert len(_rows(api(world.users.leader), **{"from": "2026-09", "to": "2026-09"})) == 2 * Indicator.objects.count()


def test_the_example_client_keeps_a_copy_and_drops_a_withdrawn_month(accepted, api, tmp_path, monkeypatch):
    """docs/examples/feed_client.py against the feed (its HTTP calls answered by the test client)."""
    import importlib.util
    from pathlib import Path

    world = accepted
    spec = importlib.util.spec_from_file_location(
        "feed_client", Path(__file__).resolve().parents[2] / "docs" / "examples" / "feed_client.py"
    )
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    reader = api(world.users.liaison)
    monkeypatch.setattr(example, "fetch", lambda url, token: reader.get(url.replace("http://towns", "")).json())
    store = tmp_path / "figures.json"
    example.sync("http://towns", "key", store)
    held = json.loads(store.read_text())["figures"]
    assert held["T0101|2026-09|tax_revenue"]["value"] == "150.25" and len(held) == 2 * Indicator.objects.count()
    report = world.town.monthly_reports.get(period=SEPT)
    ledger.monthly_report_reopen_request(actor=world.users.officer, report=report, reason="更正")
    ledger.monthly_report_reopen_approve(actor=world.users.office_policy, report=report)
    example.sync("http://towns", "key", store)
    held = json.loads(store.read_text())["figures"]
    assert "T0101|2026-09|tax_revenue" not in held and len(held) == Indicator.objects.count()
