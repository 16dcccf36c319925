"""The daily summary of anomalies in the security audit (issue 22): what the audit administrator is told each
morning about the day before."""

import datetime

from django.utils import timezone

from coordination.models import Notification, SecurityEvent, SecurityEventKind
from coordination.security_anomalies import anomalies, anomalies_summary_send
from coordination.tasks import summarise_security_anomalies

THURSDAY, SATURDAY = datetime.date(2026, 12, 3), datetime.date(2026, 12, 5)


def _at(day: datetime.date, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


def _event(kind, at, username="", ip=None, target="", failed=False):
    result = SecurityEvent.Result.FAILURE if failed else SecurityEvent.Result.SUCCESS
    return SecurityEvent.objects.create(at=at, kind=kind, username=username, ip=ip, target=target, result=result)


def _a_day_with_anomalies(day: datetime.date) -> None:
    for second in range(11):  # a guessing attempt from one address
        _event(SecurityEventKind.LOGIN_FAILED, _at(day, 10, 0, second), "dongli-officer", "10.0.0.66", failed=True)
    for second in range(9):  # a colleague who mistyped, below the threshold
        _event(SecurityEventKind.LOGIN_FAILED, _at(day, 11, 0, second), "xiqing-officer", "10.0.0.7", failed=True)
    _event(SecurityEventKind.EXPORTED, _at(day, 22, 15), "office-policy", target="统计台账 2026年 全市（Excel）")
    _event(SecurityEventKind.EXPORTED, _at(day, 10, 30), "office-policy", target="统计台账 2026年 东丽区（Excel）")
    _event(SecurityEventKind.ROLE_CHANGED, _at(day, 14), "secadmin", target="账号 leader")
    _event(SecurityEventKind.EXPORTED, _at(day, 14, 0, 30), "leader", target="考核结果（Excel）")
    _event(SecurityEventKind.ROLE_CHANGED, _at(day, 15), "secadmin", target="账号 liaison-stats")
    _event(SecurityEventKind.LOGIN, _at(day, 15, 5), "liaison-stats")  # five minutes on: ordinary


def test_the_days_anomalies_are_found_and_nothing_ordinary(world):
    _a_day_with_anomalies(THURSDAY)
    found = [anomaly.text for anomaly in anomalies(THURSDAY)]
    assert found == [
        "地址 10.0.0.66 登录或动态验证码失败 11 次。",
        "office-policy 于22:15导出数据：统计台账 2026年 全市（Excel）。",
        "secadmin 调整 leader 的角色或单位后，leader 在 30 秒内即导出数据。",
    ]
    assert anomalies(THURSDAY + datetime.timedelta(days=1)) == []
    link = anomalies(THURSDAY)[0].link
    assert "ip=10.0.0.66" in link and "since=2026-12-03" in link


def test_on_a_day_off_every_export_is_an_anomaly(world):
    _event(SecurityEventKind.DOWNLOADED, _at(SATURDAY, 10), "dongli-officer", target="附件 签到表.pdf")
    (anomaly,) = anomalies(SATURDAY)
    assert anomaly.text == "dongli-officer 于非工作日下载文件：附件 签到表.pdf。"


def test_the_audit_administrators_are_told_once_each_morning(world):
    _a_day_with_anomalies(THURSDAY)
    assert summarise_security_anomalies(today="2026-12-04") == 1
    (told,) = Notification.objects.filter(kind="security_anomalies")
    assert told.recipient == world.users.auditor
    assert told.subject == "安全审计异常提示：2026年12月3日，3 项"
    assert told.body.startswith("1. 地址 10.0.0.66")
    assert anomalies_summary_send(day=THURSDAY) == 0  # already told
    assert anomalies_summary_send(day=SATURDAY) == 0  # a quiet day: nothing sent
