"""Notifications (R-6.2): stored once per occasion, e-mailed once after the commit, the notification centre
with its unread badge, and GET /api/v1/notifications/."""

import datetime
import time

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from coordination import notifications, services, tasks
from coordination.models import Notification
from tests import clients
from tests.queries import queries_of_get
from tests.workers import celery_broker, free_port

NOTIFICATIONS = "/api/v1/notifications/"


@pytest.fixture
def queued(monkeypatch):
    """The e-mail deliveries handed to the broker, instead of a broker."""
    sent = []
    monkeypatch.setattr(tasks.email_notifications, "apply_async", lambda args, **options: sent.append(args[0]))
    return sent


def tell(users, occasion="test:1", subject="月报已报送，请审核", link="/reports/1/", kind="report_submitted"):
    return services.notify(recipients=users, kind=kind, subject=subject, body="正文", link=link, occasion=occasion)


def with_email(user, address=None):
    user.email = address or f"{user.username}@example.gov.cn"
    user.save(update_fields=["email"])
    return user


# --- Storing and e-mailing ---------------------------------------------------------------------


def test_notify_queues_the_email_only_after_the_commit(world, queued, django_capture_on_commit_callbacks):
    reviewer = with_email(world.users.reviewer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = tell([reviewer, world.users.office_policy])  # the office member has no e-mail address
        assert queued == []  # nothing reaches the broker before the commit
    assert len(callbacks) == 1
    assert queued == [[n.pk for n in created if n.recipient == reviewer]]


def test_notify_twice_for_one_occasion_stores_and_queues_nothing_more(
    world, queued, django_capture_on_commit_callbacks
):
    reviewer = with_email(world.users.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        tell([reviewer])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert tell([reviewer]) == []
    assert callbacks == []
    assert Notification.objects.filter(recipient=reviewer).count() == 1
    assert len(queued) == 1


def test_a_broker_outage_leaves_the_notification_stored_and_the_caller_unharmed(world, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.email_notifications, "apply_async", refuse)
    reviewer = with_email(world.users.reviewer)
    (notification,) = tell([reviewer])
    tasks.queue_notification_emails([notification.pk])  # what the on-commit hook runs: it must not raise
    assert "left to the sweep" in caplog.text
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_queueing_against_a_dead_broker_returns_at_once(world, caplog):
    (notification,) = tell([with_email(world.users.reviewer)])
    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"):  # nothing listens there
        started = time.monotonic()
        tasks.queue_notification_emails([notification.pk])
        assert time.monotonic() - started < 1
    assert "broker unreachable" in caplog.text


def test_emails_go_out_once_with_the_subject_and_an_absolute_link(world, settings):
    settings.SITE_URL = "https://towns.example.gov.cn"
    reviewer = with_email(world.users.reviewer)
    (notification,) = tell([reviewer])
    assert services.notifications_email(ids=[notification.pk]) == 1
    assert services.notifications_email(ids=[notification.pk]) == 0
    assert services.notifications_email() == 0  # the sweep finds nothing left either
    (message,) = mail.outbox
    assert message.to == [reviewer.email]
    assert message.subject == "[天津市特色小镇规划建设协同平台] 月报已报送，请审核"
    assert "https://towns.example.gov.cn/reports/1/" in message.body
    assert "东丽主管领导，您好" in message.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_the_sweep_sends_what_was_never_emailed_and_skips_users_without_an_address(world):
    reviewer = with_email(world.users.reviewer)
    tell([reviewer, world.users.officer], occasion="a")
    tell([reviewer], occasion="b")
    old = tell([reviewer], occasion="c")[0]
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=10))
    assert services.notifications_email() == 2  # a and b; c is too old to be worth a mail now
    assert {m.to[0] for m in mail.outbox} == {reviewer.email}
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 2  # the officer's, and c


def test_a_mail_server_failure_keeps_what_went_out_and_raises_for_a_retry(world, monkeypatch):
    reviewer = with_email(world.users.reviewer)
    first, second = tell([reviewer], occasion="a")[0], tell([reviewer], occasion="b")[0]
    calls = []

    def send(self, fail_silently=False):
        calls.append(self.subject)
        if len(calls) == 2:
            raise ConnectionRefusedError("smtp down")
        return 1

    monkeypatch.setattr(notifications._Message, "send", send)
    with pytest.raises(ConnectionRefusedError):
        services.notifications_email(ids=[first.pk, second.pk])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.emailed_at is not None
    assert second.emailed_at is None


# --- The notification centre -------------------------------------------------------------------


login = clients.login


def test_navbar_shows_the_unread_count_on_every_page(login, world):
    """Every page has the bell and its badge, which nav_counts.js fills with the count the server gives it."""
    tell([world.users.reviewer], occasion="a")
    tell([world.users.reviewer], occasion="b")
    client = login(world.users.reviewer)
    page = client.get(reverse("home")).content.decode()
    assert 'data-nav-count="unread"' in page and 'data-nav-bell="通知中心，{n} 条未读"' in page
    assert clients.nav_counts(client)["unread"] == 2
    client.post(
        reverse("notification-read", args=[Notification.objects.filter(recipient=world.users.reviewer).first().pk])
    )
    assert clients.nav_counts(client)["unread"] == 1
    assert clients.nav_counts(login(world.users.officer))["unread"] == 0


def test_notification_centre_lists_own_notifications_newest_first(login, world):
    tell([world.users.reviewer], occasion="a", subject="第一条")
    tell([world.users.reviewer], occasion="b", subject="第二条")
    tell([world.users.officer], occasion="c", subject="别人的通知")
    page = login(world.users.reviewer).get(reverse("notification-list")).content.decode()
    assert page.index("第二条") < page.index("第一条")
    assert "别人的通知" not in page
    assert "2 条未读通知" in page


def test_opening_a_notification_marks_it_read_and_follows_its_link(login, world):
    (notification,) = tell([world.users.reviewer], link="/reports/7/")
    response = login(world.users.reviewer).get(reverse("notification-open", args=[notification.pk]))
    assert response.status_code == 302
    assert response.url == "/reports/7/"
    notification.refresh_from_db()
    assert notification.read


def test_a_link_to_another_site_is_not_followed(login, world):
    (notification,) = tell([world.users.reviewer], link="https://evil.example.com/")
    response = login(world.users.reviewer).get(reverse("notification-open", args=[notification.pk]))
    assert response.url == reverse("notification-list")


def test_mark_one_and_all_read(login, world):
    first, second, third = (tell([world.users.reviewer], occasion=o)[0] for o in ("a", "b", "c"))
    client = login(world.users.reviewer)
    response = client.post(reverse("notification-read", args=[first.pk]), {"next": "/notifications/?show=unread"})
    assert response.url == "/notifications/?show=unread"
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    client.post(reverse("notification-read-all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    page = client.get(reverse("notification-list") + "?show=unread").content.decode()
    assert "没有未读通知" in page


def test_someone_elses_notification_is_not_found(login, world):
    (notification,) = tell([world.users.reviewer])
    client = login(world.users.outsider)
    assert client.get(reverse("notification-open", args=[notification.pk])).status_code == 404
    assert client.post(reverse("notification-read", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert not notification.read


def test_marking_read_only_accepts_post(login, world):
    (notification,) = tell([world.users.reviewer])
    assert login(world.users.reviewer).get(reverse("notification-read", args=[notification.pk])).status_code == 405


def test_anonymous_users_are_sent_to_login(client, world):
    response = client.get(reverse("notification-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_notification_centre_query_count_does_not_grow_with_notifications(login, world):
    client = login(world.users.reviewer)
    tell([world.users.reviewer], occasion="first")
    few = queries_of_get(client, reverse("notification-list"))
    for index in range(30):
        tell([world.users.reviewer], occasion=f"more-{index}")
    assert queries_of_get(client, reverse("notification-list")) == few


# --- API ---------------------------------------------------------------------------------------


def test_api_lists_the_callers_notifications_newest_first_with_read(world, api):
    tell([world.users.reviewer], occasion="a", subject="第一条")
    tell([world.users.reviewer], occasion="b", subject="第二条")
    tell([world.users.officer], occasion="c", subject="别人的")
    body = api(world.users.reviewer).get(NOTIFICATIONS).json()
    assert [row["subject"] for row in body["results"]] == ["第二条", "第一条"]
    assert body["results"][0]["read"] is False
    assert set(body["results"][0]) >= {"id", "kind", "subject", "body", "link", "created_at", "read", "read_at"}


def test_api_marks_read_and_filters_unread(world, api):
    first, second = (tell([world.users.reviewer], occasion=o)[0] for o in ("a", "b"))
    client = api(world.users.reviewer)
    response = client.post(f"{NOTIFICATIONS}{first.pk}/read/")
    assert response.status_code == 200
    assert response.json()["read"] is True
    assert [row["id"] for row in client.get(NOTIFICATIONS, {"unread": "true"}).json()["results"]] == [second.pk]
    assert client.get(f"{NOTIFICATIONS}unread-count/").json() == {"unread": 1}
    assert client.post(f"{NOTIFICATIONS}read-all/").json() == {"unread": 0}


def test_api_answers_404_for_someone_elses_notification_and_401_without_login(world, api):
    (notification,) = tell([world.users.reviewer])
    client = api(world.users.outsider)
    assert client.get(f"{NOTIFICATIONS}{notification.pk}/").status_code == 404
    assert client.post(f"{NOTIFICATIONS}{notification.pk}/read/").status_code == 404
    assert client.get(NOTIFICATIONS).json()["results"] == []
    assert api().get(NOTIFICATIONS).status_code in (401, 403)


def test_api_list_query_count_does_not_grow(world, api):
    client = api(world.users.reviewer)
    tell([world.users.reviewer], occasion="first")
    with CaptureQueriesContext(connection) as few:
        client.get(NOTIFICATIONS)
    for index in range(20):
        tell([world.users.reviewer], occasion=f"n{index}")
    with CaptureQueriesContext(connection) as many:
        client.get(NOTIFICATIONS)
    assert len(many) == len(few)
