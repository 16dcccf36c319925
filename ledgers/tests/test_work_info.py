"""Work information (信息报送, R-3.2): the officer writes, the district leader reviews, the office adopts,
adopted items make the month's briefing. Through the pages, as the users do it."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document

from coordination.models import Notification
from ledgers import services
from ledgers.models import WorkInfo, WorkInfoEvent
from ledgers.tests.factories import WORK_INFO_BODY as BODY
from ledgers.tests.factories import write_work_info
from tests.clients import nav_counts
from tianjin_towns.errors import ConflictError
from tianjin_towns.lib import dates

S = WorkInfo.Status


def page(client, user, name, *args, method="get", data=None):
    client.force_login(user)
    return getattr(client, method)(reverse(name, args=args), data or {})


write = write_work_info


def test_officer_writes_leader_reviews_office_adopts_through_the_pages(world, client):
    users = world.users
    response = page(
        client,
        users.officer,
        "work-info-create",
        method="post",
        data={
            "org_unit": world.town.unit.pk,
            "category": "activity",
            "happened_on": (dates.today() - datetime.timedelta(days=2)).isoformat(),
            "title": "华明小镇举办智能制造产业对接会",
            "body": BODY,
            "submit": "1",
        },
    )
    info = WorkInfo.objects.get()
    assert response.status_code == 302 and response.url == reverse("work-info-detail", args=[info.pk])
    assert info.status == S.SUBMITTED and info.submitted_by == users.officer
    # The district leader is told and finds the buttons; the office is not told yet.
    assert Notification.objects.filter(recipient=users.reviewer, kind="work_info_submitted").count() == 1
    assert not Notification.objects.filter(recipient=users.office_policy).exists()
    detail = page(client, users.reviewer, "work-info-detail", info.pk)
    assert "审核通过" in detail.content.decode() and "华明小镇举办智能制造产业对接会" in detail.content.decode()

    assert page(client, users.reviewer, "work-info-approve", info.pk, method="post").status_code == 302
    info.refresh_from_db()
    assert info.status == S.APPROVED
    assert Notification.objects.filter(recipient=users.office_policy, kind="work_info_approved").count() == 1
    # Only the group that accepts statistics adopts; the assessment group cannot.
    assert page(client, users.office_assess, "work-info-accept", info.pk, method="post").status_code == 403

    assert page(client, users.office_policy, "work-info-accept", info.pk, method="post").status_code == 302
    info.refresh_from_db()
    assert info.status == S.ACCEPTED and info.accepted_at is not None
    assert Notification.objects.filter(recipient=users.officer, kind="work_info_accepted").count() == 1
    trail = list(info.events.values_list("action", "from_status", "to_status", "actor__username"))
    assert trail == [
        ("create", "", "draft", "dongli-officer"),
        ("submit", "draft", "submitted", "dongli-officer"),
        ("approve", "submitted", "approved", "dongli-leader"),
        ("accept", "approved", "accepted", "office-policy"),
    ]


def test_returned_with_a_reason_then_corrected_and_submitted_again(world, client):
    users = world.users
    info = services.work_info_submit(actor=users.officer, info=write(world))
    response = page(client, users.reviewer, "work-info-return", info.pk, method="post", data={"reason": " "})
    info.refresh_from_db()
    assert response.status_code == 302 and info.status == S.SUBMITTED  # an empty reason changes nothing
    page(client, users.reviewer, "work-info-return", info.pk, method="post", data={"reason": "请补充参会单位名单"})
    info.refresh_from_db()
    assert info.status == S.RETURNED and info.return_reason == "请补充参会单位名单"
    notice = Notification.objects.get(recipient=users.officer, kind="work_info_returned")
    assert notice.body == "请补充参会单位名单"

    form = page(client, users.officer, "work-info-edit", info.pk)
    assert "请补充参会单位名单" in form.content.decode()
    page(
        client,
        users.officer,
        "work-info-edit",
        info.pk,
        method="post",
        data={
            "category": "meeting",
            "happened_on": info.happened_on.isoformat(),
            "title": info.title,
            "body": BODY + "参会单位：区发改委、区规划局。",
            "submit": "1",
        },
    )
    info.refresh_from_db()
    assert info.status == S.SUBMITTED and info.body.endswith("参会单位：区发改委、区规划局。")
    assert info.org_unit == world.dongli  # the unit cannot be changed on a correction
    assert Notification.objects.filter(recipient=users.reviewer, kind="work_info_submitted").count() == 2


def test_bad_input_is_a_field_error_in_chinese_and_nothing_is_saved(world, client):
    tomorrow = dates.today() + datetime.timedelta(days=1)
    response = page(
        client,
        world.users.officer,
        "work-info-create",
        method="post",
        data={
            "org_unit": world.dongli.pk,
            "category": "work",
            "happened_on": tomorrow.isoformat(),
            "title": "标题",
            "body": "太短",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "发生日期不能晚于今天。" in text and "请填写正文（不少于10个字）。" in text
    assert 'value="标题"' in text  # what was typed stays
    assert not WorkInfo.objects.exists()
    with pytest.raises(ValidationError) as error:
        write(world, unit=world.city)
    assert "工作信息由区或小镇报送。" in error.value.message_dict["org_unit"]


@pytest.mark.parametrize(
    ("status", "service"),
    [
        (S.DRAFT, "approve"),
        (S.DRAFT, "accept"),
        (S.SUBMITTED, "accept"),
        (S.SUBMITTED, "submit"),
        (S.APPROVED, "approve"),
        (S.ACCEPTED, "return"),
        (S.ACCEPTED, "submit"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(world, status, service):
    info = write(world)
    WorkInfo.objects.filter(pk=info.pk).update(status=status)
    kwargs = {"reason": "原因"} if service == "return" else {}
    with pytest.raises(ConflictError):
        getattr(services, f"work_info_{service}")(actor=world.users.office_policy, info=info, **kwargs)
    info.refresh_from_db()
    assert info.status == status
    assert info.events.count() == 1  # only its creation


def test_adopted_items_cannot_be_edited(world, client):
    info = write(world)
    WorkInfo.objects.filter(pk=info.pk).update(status=S.ACCEPTED)
    with pytest.raises(ConflictError):
        services.work_info_update(actor=world.users.officer, info=info, title="改标题")
    client.force_login(world.users.officer)
    response = client.post(
        reverse("work-info-edit", args=[info.pk]),
        {"category": "work", "happened_on": info.happened_on.isoformat(), "title": "改标题", "body": BODY},
        follow=True,
    )
    assert "只有草稿或退回的信息可以修改。" in response.content.decode()
    info.refresh_from_db()
    assert info.title != "改标题"


def test_who_sees_and_who_acts(world, client):
    users = world.users
    draft = write(world, title="东丽区草稿信息")
    sent = services.work_info_submit(actor=users.officer, info=write(world, title="东丽区已报送信息"))
    # A district's items are its own: another district's officer sees neither.
    for info in (draft, sent):
        assert page(client, users.outsider, "work-info-detail", info.pk).status_code == 404
    # A draft is its writers'; the reviewing leader and the office see submitted items only.
    assert page(client, users.reviewer, "work-info-detail", draft.pk).status_code == 404
    assert page(client, users.office_policy, "work-info-detail", draft.pk).status_code == 404
    assert page(client, users.reviewer, "work-info-detail", sent.pk).status_code == 200
    # Leaders read everything submitted and can do nothing with it.
    assert page(client, users.leader, "work-info-detail", sent.pk).status_code == 200
    for name in ("work-info-approve", "work-info-accept", "work-info-return", "work-info-submit"):
        assert page(client, users.leader, name, sent.pk, method="post", data={"reason": "x"}).status_code == 403
    assert page(client, users.leader, "work-info-create").status_code == 403
    # The officer cannot approve its own item; a member-unit liaison sees nothing.
    assert page(client, users.officer, "work-info-approve", sent.pk, method="post").status_code == 403
    assert page(client, users.liaison, "work-info-detail", sent.pk).status_code == 404
    listing = page(client, users.outsider, "work-info-list").content.decode()
    assert "东丽区已报送信息" not in listing


def test_list_filters_and_does_not_query_per_row(world, client, django_assert_max_num_queries):
    users = world.users
    for n in range(3):
        services.work_info_submit(actor=users.officer, info=write(world, title=f"东丽区信息{n}"))
    xiqing = {"actor": users.outsider, "unit": world.xiqing, "happened_on": dates.today()}
    signed = write(world, category="result", title="西青区精武小镇签约项目", **xiqing)
    services.work_info_submit(actor=users.outsider, info=signed)
    client.force_login(users.office_policy)
    url = reverse("work-info-list")
    client.get(url)  # warm the session
    with django_assert_max_num_queries(20):
        few = client.get(url)
    for n in range(3, 23):
        services.work_info_submit(actor=users.officer, info=write(world, title=f"东丽区信息{n}"))
    with django_assert_max_num_queries(20):
        many = client.get(url)
    assert len(few.context["page"].object_list) == 4 and len(many.context["page"].object_list) == 20
    only_xiqing = client.get(url, {"org_unit": world.xiqing.pk}).context["page"].object_list
    assert [i.title for i in only_xiqing] == ["西青区精武小镇签约项目"]
    searched = client.get(url, {"q": "精武"}).context["page"].object_list
    assert [i.title for i in searched] == ["西青区精武小镇签约项目"]
    by_category = client.get(url, {"category": "result"}).context["page"].object_list
    assert [i.title for i in by_category] == ["西青区精武小镇签约项目"]


def test_the_waiting_count_follows_the_workflow(world, client):
    users = world.users
    info = services.work_info_submit(actor=users.officer, info=write(world))
    client.force_login(users.reviewer)
    assert client.get(reverse("work-info-list")).context["waiting"] == 1
    services.work_info_approve(actor=users.reviewer, info=info)
    assert client.get(reverse("work-info-list")).context["waiting"] == 0
    client.force_login(users.office_policy)
    assert nav_counts(client)["info_waiting"] == 1  # the navbar badge


def adopt(world, title: str, day: datetime.date) -> WorkInfo:
    """An item of dongli written, approved and adopted (采用)."""
    users = world.users
    info = services.work_info_submit(actor=users.officer, info=write(world, title=title, happened_on=day))
    services.work_info_approve(actor=users.reviewer, info=info)
    return services.work_info_accept(actor=users.office_policy, info=info)


def test_the_briefing_holds_the_months_adopted_items_only(world, client):
    users = world.users
    month = dates.month_start(dates.today())
    day = max(month, dates.today() - datetime.timedelta(days=1))
    adopt(world, "东丽区召开特色小镇现场推动会", day)
    services.work_info_submit(actor=users.officer, info=write(world, title="尚未采用的信息", happened_on=day))
    response = page(client, users.leader, "work-info-briefing")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "特色小镇建设工作简报" in text
    assert f"{month.year}年{month.month}月特色小镇建设工作动态" in text and "（印发时编号）" in text  # a preview
    assert "一、会议情况" in text
    assert "【东丽区】东丽区召开特色小镇现场推动会" in text and BODY in text
    assert "尚未采用的信息" not in text
    # Another district's officer does not get Dongli's items into a briefing it downloads.
    empty = page(client, users.outsider, "work-info-briefing", data={"month": dates.format_period(month)})
    assert empty.status_code == 302 and "status=accepted" in empty.url


EARLY_DECEMBER = datetime.date(2026, 12, 6)


def test_early_in_a_month_the_briefing_is_the_one_of_the_month_just_ended(world, client, on_day):
    """On 6 December nothing of December is adopted yet: without a month asked for, the briefing is November's."""
    on_day(EARLY_DECEMBER)
    adopt(world, "东丽区召开十月推动会", datetime.date(2026, 10, 20))
    adopt(world, "东丽区召开十一月推动会", datetime.date(2026, 11, 25))
    response = page(client, world.users.office_policy, "work-info-briefing")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "2026年11月特色小镇建设工作动态" in text and "十一月推动会" in text and "十月推动会" not in text
    assert "2026年12月6日" in text  # the issue date, without leading zeros


def test_the_briefing_dialog_offers_the_months_with_adopted_items_the_latest_chosen(world, client, on_day):
    on_day(EARLY_DECEMBER)
    adopt(world, "东丽区召开十月推动会", datetime.date(2026, 10, 20))
    adopt(world, "东丽区召开十一月推动会", datetime.date(2026, 11, 25))
    response = page(client, world.users.office_policy, "work-info-list")
    assert response.context["briefing_months"] == [datetime.date(2026, 11, 1), datetime.date(2026, 10, 1)]
    dialog = response.content.decode()
    assert 'action="/work-info/briefing/"' in dialog and 'method="get"' in dialog
    assert '<option value="2026-11" selected>2026年11月</option>' in dialog
    assert '<option value="2026-10">2026年10月</option>' in dialog
    assert "2026-12" not in dialog.split('id="briefing-dialog"')[1]  # December has nothing adopted
    # A month chosen in the list's filter that has adopted items is the dialog's choice.
    october = client.get(reverse("work-info-list"), {"month": "2026-10"}).content.decode()
    assert '<option value="2026-10" selected>2026年10月</option>' in october


def test_without_any_adopted_item_the_briefing_says_so(world, client):
    services.work_info_submit(actor=world.users.officer, info=write(world, title="尚未采用的信息"))
    listed = page(client, world.users.office_policy, "work-info-list").content.decode()
    assert "还没有已采用的工作信息" in listed and 'name="month" id="briefing-dialog' not in listed
    response = client.get(reverse("work-info-briefing"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("work-info-list")
    assert "还没有已采用的工作信息，无法生成简报。" in response.content.decode()


def test_events_record_each_save(world):
    info = write(world)
    services.work_info_update(actor=world.users.officer, info=info, title="新标题：东丽区现场推动会")
    assert list(info.events.values_list("action", flat=True)) == [
        WorkInfoEvent.Action.CREATE,
        WorkInfoEvent.Action.SAVE,
    ]
    info.refresh_from_db()
    assert info.title == "新标题：东丽区现场推动会"


def test_create_with_submit_writes_and_submits_in_one_operation(world):
    info = write(world, submit=True)
    assert info.status == S.SUBMITTED and info.submitted_by == world.users.officer
    assert list(info.events.values_list("action", flat=True)) == [
        WorkInfoEvent.Action.CREATE,
        WorkInfoEvent.Action.SUBMIT,
    ]


def test_create_with_submit_refused_saves_nothing(world, monkeypatch):
    from ledgers.services import work_info as work_info_services

    def refuse(**_kwargs):
        raise ValidationError("报送失败")

    monkeypatch.setattr(work_info_services, "work_info_submit", refuse)
    with pytest.raises(ValidationError):
        write(world, submit=True)
    assert not WorkInfo.objects.exists() and not WorkInfoEvent.objects.exists()


def test_update_with_submit_saves_and_submits_a_returned_item(world):
    users = world.users
    info = services.work_info_submit(actor=users.officer, info=write(world))
    services.work_info_return(actor=users.reviewer, info=info, reason="请补充参会部门")
    info = services.work_info_update(actor=users.officer, info=info, body=BODY + "区农委也参加。", submit=True)
    info.refresh_from_db()
    assert info.status == S.SUBMITTED and info.body.endswith("区农委也参加。")
    assert list(info.events.values_list("action", flat=True))[-2:] == [
        WorkInfoEvent.Action.SAVE,
        WorkInfoEvent.Action.SUBMIT,
    ]


def test_update_with_submit_refused_saves_nothing(world, monkeypatch):
    from ledgers.services import work_info as work_info_services

    def refuse(**_kwargs):
        raise ValidationError("报送失败")

    info = write(world)
    monkeypatch.setattr(work_info_services, "work_info_submit", refuse)
    with pytest.raises(ValidationError):
        services.work_info_update(actor=world.users.officer, info=info, title="改过的标题", submit=True)
    info.refresh_from_db()
    assert info.title == "东丽区召开特色小镇现场推动会" and info.status == S.DRAFT
    assert list(info.events.values_list("action", flat=True)) == [WorkInfoEvent.Action.CREATE]


def test_the_navbar_inbox_badge_counts_work_information_too(world, client):
    users = world.users
    services.work_info_submit(actor=users.officer, info=write(world))
    services.work_info_submit(actor=users.officer, info=write(world, title="第二条信息"))
    client.force_login(users.reviewer)
    home = client.get(reverse("home")).context["home_inbox"]
    assert home.work_info_count == 2
    assert nav_counts(client) | {"unread": 0} == {
        "waiting": home.total,
        "info_waiting": 2,
        "problems_waiting": 0,
        "unread": 0,
    }
