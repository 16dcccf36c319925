"""Pages of 系统管理 → 安全审计 (issue 22, 等保 2.0, 三员分立): the audit administrator reads and filters the security
audit and exports it to Excel, which is itself recorded; the other administrators and the business roles may not."""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from conftest import TIANJIN
from coordination.models import SecurityEvent, SecurityEventKind

DAY = datetime.date(2025, 3, 1)  # long before the world's own events (accounts created "today")
RANGE = {"since": "2025-01-01", "until": "2025-12-31"}


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TIANJIN)


def _event(at, kind=SecurityEventKind.LOGIN, *, user=None, username="", ip="10.12.0.8", target="", failed=False):
    return SecurityEvent.objects.create(
        at=at,
        user=user,
        username=username or user.username,
        ip=ip,
        kind=kind,
        target=target,
        result=SecurityEvent.Result.FAILURE if failed else SecurityEvent.Result.SUCCESS,
        request_id=f"req-{at:%d%H%M}",
    )


@pytest.fixture
def events(world):
    """A small March of 2025: the officer signs in, someone fails to sign in as the outsider and locks the account,
    the system administrator resets a password, from two offices."""
    officer, outsider, sysadmin = world.users.officer, world.users.outsider, world.users.sysadmin
    return [
        _event(_at(DAY, 9, 5), user=officer),
        _event(
            _at(DAY, 23, 30), SecurityEventKind.LOGIN_FAILED, username=outsider.username, ip="10.20.1.7", failed=True
        ),
        _event(_at(DAY, 23, 40), SecurityEventKind.LOCKED_OUT, username=outsider.username, ip="10.20.1.7", failed=True),
        _event(
            _at(DAY + datetime.timedelta(days=1), 0, 10),
            SecurityEventKind.PASSWORD_RESET,
            user=sysadmin,
            target="账号 xiqing-officer",
        ),
    ]


def _list(client: Client, **filters) -> str:
    response = client.get(reverse("security-audit"), {**RANGE, **filters})
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _request_ids(page: str, events: list[SecurityEvent]) -> list[str]:
    """The request ids of `events` that the page shows, in the order it shows them."""
    shown = [(page.index(e.request_id), e.request_id) for e in events if e.request_id in page]
    return [request_id for _, request_id in sorted(shown)]


def test_auditor_sees_events_newest_first_with_time_user_address_and_failures_marked(world, events):
    page = _list(as_user(world.users.auditor))
    assert _request_ids(page, events) == [e.request_id for e in reversed(events)]
    assert "2025年3月1日 23:30:00" in page and "2025年3月2日 00:10:00" in page  # Beijing time
    assert "东丽信息员" in page and "10.20.1.7" in page and "账号 xiqing-officer" in page
    assert page.count('<span class="badge text-bg-danger">失败</span>') == 2
    assert "共 4 条" in page


def test_auditor_finds_a_person_by_username_or_full_name(world, events):
    auditor = as_user(world.users.auditor)
    assert _request_ids(_list(auditor, user="东丽信息"), events) == [events[0].request_id]
    assert _request_ids(_list(auditor, user="XIQING"), events) == [events[2].request_id, events[1].request_id]


def test_auditor_filters_by_event_result_and_address(world, events):
    auditor = as_user(world.users.auditor)
    assert _request_ids(_list(auditor, kind="locked_out"), events) == [events[2].request_id]
    assert _request_ids(_list(auditor, result="failure"), events) == [events[2].request_id, events[1].request_id]
    assert _request_ids(_list(auditor, ip="10.12.0.8"), events) == [events[3].request_id, events[0].request_id]
    assert _request_ids(_list(auditor, ip="10.20."), events) == [events[2].request_id, events[1].request_id]


def test_dates_are_whole_days_in_beijing_time(world, events):
    auditor = as_user(world.users.auditor)
    # 23:30 on 1 March in Tianjin is still 1 March, 00:10 on 2 March already the next day (UTC says otherwise).
    first_day = _list(auditor, since="2025-03-01", until="2025-03-01")
    assert _request_ids(first_day, events) == [e.request_id for e in reversed(events[:3])]
    assert _request_ids(_list(auditor, since="2025-03-02", until="2025-03-02"), events) == [events[3].request_id]


def test_a_search_that_matches_nothing_says_so(world, events):
    page = _list(as_user(world.users.auditor), user="无此人")
    assert "没有符合条件的安全事件" in page and "<table" not in page


def test_an_end_date_before_the_start_date_is_pointed_out(world, events):
    page = _list(as_user(world.users.auditor), since="2025-03-02", until="2025-03-01")
    assert "截止日期不能早于起始日期。" in page


def test_the_export_link_carries_the_current_filters(world, events):
    page = _list(as_user(world.users.auditor), kind="login_failed")
    assert f"{reverse('security-audit-export')}?since=2025-01-01&amp;until=2025-12-31&amp;kind=login_failed" in page


def _workbook_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def test_export_holds_the_filtered_events_in_beijing_time_and_is_itself_recorded(world, events):
    auditor = world.users.auditor
    response = as_user(auditor).get(reverse("security-audit-export"), {**RANGE, "result": "failure"})
    assert response.status_code == 200
    assert (
        "filename*=utf-8''%E5%AE%89%E5%85%A8%E5%AE%A1%E8%AE%A1%E8%AE%B0%E5%BD%95.xlsx"
        in response["Content-Disposition"]
    )
    rows = _workbook_rows(response)
    assert "结果：失败" in rows[1][0]
    assert rows[2] == ("时间", "用户名", "姓名", "地址", "事件", "对象", "结果", "请求编号")
    assert rows[3:] == [
        (datetime.datetime(2025, 3, 1, 23, 40), "xiqing-officer", None, "10.20.1.7", "账号锁定", None, "失败", "req-012340"),
        (datetime.datetime(2025, 3, 1, 23, 30), "xiqing-officer", None, "10.20.1.7", "登录失败", None, "失败", "req-012330"),
    ]  # fmt: skip
    assert load_workbook(io.BytesIO(response.content)).active.freeze_panes == "B4"
    recorded = SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORTED).get()  # one row, not one per layer
    assert (recorded.user, recorded.target, recorded.result) == (auditor, "安全审计记录（2条）（Excel）", "success")


def test_export_keeps_a_formula_typed_at_sign_in_as_plain_text(world):
    typed = '=HYPERLINK("http://evil.example/","点击")'
    _event(_at(DAY, 8), SecurityEventKind.LOGIN_FAILED, username=typed, failed=True)
    response = as_user(world.users.auditor).get(reverse("security-audit-export"), RANGE)
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = sheet.cell(row=4, column=2)
    assert (cell.value, cell.data_type) == (typed, "s")


def test_export_with_a_filter_it_cannot_read_exports_nothing(world, events):
    response = as_user(world.users.auditor).get(reverse("security-audit-export"), {"since": "2025-13-01"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("security-audit"))
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORTED).exists()


@pytest.mark.parametrize("persona", ["security", "sysadmin", "officer", "leader", "office_policy"])
def test_other_administrators_and_business_roles_may_not_read_or_export_the_audit(world, events, persona):
    client = as_user(getattr(world.users, persona))
    assert client.get(reverse("security-audit")).status_code == 403
    assert client.get(reverse("security-audit-export")).status_code == 403
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.EXPORTED).exists()


def test_a_superuser_reads_the_audit(world, events):
    assert _request_ids(_list(as_user(world.users.admin)), events) == [e.request_id for e in reversed(events)]


@pytest.mark.parametrize("name", ["security-audit", "security-audit-export"])
def test_anonymous_visitors_are_sent_to_sign_in(world, name):
    response = Client().get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_list_does_not_query_per_event(world, django_assert_max_num_queries):
    people = [world.users.officer, world.users.reviewer, world.users.outsider, world.users.sysadmin]
    for i in range(30):
        _event(_at(DAY, 8, i), user=people[i % len(people)])
    auditor = as_user(world.users.auditor)
    auditor.get(reverse("security-audit"))  # the session's first request
    # Session, user, profile, the door, the count and the page, and the navigation bar's counters.
    with django_assert_max_num_queries(10):
        page = _list(auditor)
    assert page.count("<tr>") == 1 + 20  # the header and a full page
