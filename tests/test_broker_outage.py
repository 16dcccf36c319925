"""Failure behaviour (R-6.2): with Redis down the API still saves and submits a report, the leader's
notification is stored, and once Redis is back the sweep e-mails it, once.

Redis here is a private redis-server on its own port that the test stops and starts; the machine's
Redis is never touched.
"""

import time

import pytest

from coordination import tasks as coordination_tasks
from coordination.models import Notification
from ledgers.models import MonthlyReport, ReportStatus
from tests.workers import (
    RedisServer,
    Worker,
    celery_broker,
    sent_mails,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()


def test_with_redis_down_a_report_is_submitted_and_the_leader_is_emailed_once_it_is_back(
    world, make_report, api, redis_server, tmp_path
):
    leader = world.users.reviewer
    leader.email = "dongli-leader@example.gov.cn"
    leader.save()
    report = make_report(ReportStatus.DRAFT)
    (tmp_path / "mail").mkdir()

    with celery_broker(redis_server.url):  # nothing listens there yet: the broker is down
        started = time.monotonic()
        response = api(world.users.officer).post(f"/api/v1/monthly-reports/{report.pk}/submit/")
        assert response.status_code == 200, response.content
        assert time.monotonic() - started < 5  # the request does not hang on the broker
        assert MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
        (notification,) = Notification.objects.filter(recipient=leader, kind="report_submitted")
        assert notification.emailed_at is None  # stored, waiting for the broker

        redis_server.start()
        worker = Worker(redis_server.url, "celery", tmp_path / "mail", tmp_path, tmp_path / "worker.log")
        try:
            worker.wait_ready()
            # What beat runs every five minutes: the sweep of notifications never e-mailed.
            assert coordination_tasks.email_pending_notifications.delay().get(timeout=30) == 1
            assert coordination_tasks.email_pending_notifications.delay().get(timeout=30) == 0
        finally:
            worker.stop()

    messages = [m for m in sent_mails(tmp_path / "mail") if f"To: {leader.email}" in m]
    assert len(messages) == 1
    assert Notification.objects.get(pk=notification.pk).emailed_at is not None
    assert Notification.objects.filter(recipient=leader).count() == 1
