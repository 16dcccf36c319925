"""Pages of meetings, action items, plans, cadence, organisation and policies (thin view tests: status,
permission, one effect, query counts)."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from coordination import services as org
from coordination.models import (
    ActionItem,
    Meeting,
    MeetingKind,
    MeetingState,
    MemberUnit,
    Plan,
    PlanStatus,
    SupportPolicy,
)
from ledgers.models import ReportStatus
from tests import clients
from tianjin_towns.lib import dates

from .factories import PLAN_CONTENT, make_item, make_meeting, make_plan

login = clients.login


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Meetings ---------------------------------------------------------------------------------------


def test_officer_records_a_held_meeting_with_decisions_through_the_form(login, world):
    client = login(world.users.officer)
    assert "登记会议" in _page(client.get(reverse("meeting-create")))
    response = client.post(
        reverse("meeting-create"),
        {
            "kind": MeetingKind.DISTRICT_REGULAR,
            "org_unit": world.dongli.pk,
            "title": "东丽区11月例会",
            "held_on": "2026-11-05",
            "held": "on",
            "attendee_units": [world.town.unit.pk],
            "minutes": "会议研究了年底冲刺工作。",
            "decisions": "华明小镇完成用地报批\n东丽湖小镇完成游客中心验收",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == reverse("meeting-detail", args=[meeting.pk])
    assert meeting.state == MeetingState.HELD and meeting.decisions.count() == 2
    page = _page(client.get(response.url))
    assert "华明小镇完成用地报批" in page and "转为督办事项" in page


def test_form_errors_are_shown_in_chinese_and_nothing_is_saved(login, world):
    client = login(world.users.officer)
    page = _page(
        client.post(
            reverse("meeting-create"),
            {"kind": MeetingKind.JOINT_CONFERENCE, "org_unit": world.dongli.pk, "title": "", "held_on": "2026-11-05"},
        )
    )
    assert "请填写会议名称。" in page
    assert not Meeting.objects.exists()
    page = _page(
        client.post(
            reverse("meeting-create"),
            {
                "kind": MeetingKind.JOINT_CONFERENCE,
                "org_unit": world.dongli.pk,
                "title": "错误",
                "held_on": "2026-11-05",
            },
        )
    )
    assert "市联席会议须由市级主办" in page
    assert not Meeting.objects.exists()


def test_agenda_suggestions_fill_the_form_without_saving(login, world, make_report):
    make_report(ReportStatus.RETURNED, period=datetime.date(2026, 9, 1))
    make_item(world, due_on=datetime.date(2026, 11, 1))
    meetings_before = Meeting.objects.count()
    page = _page(
        login(world.users.officer).post(
            reverse("meeting-create"),
            {
                "kind": MeetingKind.DISTRICT_REGULAR,
                "org_unit": world.dongli.pk,
                "title": "12月例会",
                "suggest": "1",
                "agenda": "听取各小镇汇报",
            },
        )  # fmt: skip
    )
    agenda = page[page.index('id="id_agenda">') : page.index("</textarea>", page.index('id="id_agenda">'))]
    assert agenda.splitlines()[1] == "听取各小镇汇报"  # what was typed stays first
    assert "月报退回待修改：华明智能制造小镇 2026年9月（数据有误）" in agenda.splitlines()
    assert "督办事项：" in agenda
    assert 'value="12月例会"' in page
    assert Meeting.objects.count() == meetings_before


def test_meeting_detail_shows_decisions_with_their_action_items_and_overdue_flag(login, world):
    item = make_item(world, due_on=datetime.date(2026, 11, 1))
    page = _page(login(world.users.leader).get(reverse("meeting-detail", args=[item.meeting_id])))
    assert item.decision.text in page and "逾期" in page and "张伟" in page
    assert "转为督办事项" not in page and reverse("meeting-edit", args=[item.meeting_id]) not in page


def test_outsider_gets_404_and_viewer_403_on_meeting_pages_and_actions(login, world):
    meeting = make_meeting(world, held=False)
    outsider = login(world.users.outsider)
    for name in ("meeting-detail", "meeting-edit", "meeting-minutes-docx"):
        assert outsider.get(reverse(name, args=[meeting.pk])).status_code == 404
    assert outsider.post(reverse("meeting-hold", args=[meeting.pk])).status_code == 404
    viewer = login(world.users.reviewer)  # sees dongli, may not record its meetings
    assert viewer.get(reverse("meeting-detail", args=[meeting.pk])).status_code == 200
    assert viewer.get(reverse("meeting-edit", args=[meeting.pk])).status_code == 403
    assert viewer.post(reverse("meeting-hold", args=[meeting.pk])).status_code == 403
    assert login(world.users.leader).post(reverse("meeting-delete", args=[meeting.pk])).status_code == 403
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.PLANNED


def test_hold_approve_and_docx_download(login, world):
    meeting = make_meeting(world, held=False, held_on=datetime.date(2026, 11, 3), minutes="")
    officer = login(world.users.officer)
    officer.post(reverse("meeting-hold", args=[meeting.pk]))
    org.meeting_update(actor=world.users.officer, meeting=meeting, minutes="会议纪要正文。")
    reviewer = login(world.users.reviewer)
    response = reviewer.post(reverse("meeting-approve-minutes", args=[meeting.pk]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.MINUTES_APPROVED
    response = reviewer.get(reverse("meeting-minutes-docx", args=[meeting.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "attachment" in response["Content-Disposition"]
    document = Document(io.BytesIO(b"".join(response)))
    assert "会议纪要正文。" in [p.text for p in document.paragraphs]


def test_wrong_state_action_shows_a_message_and_changes_nothing(login, world):
    meeting = make_meeting(world)
    response = login(world.users.officer).post(reverse("meeting-delete", args=[meeting.pk]), follow=True)
    assert "已召开的会议不能删除" in response.content.decode()
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_attachment_upload_and_download_checks_access(login, world):
    meeting = make_meeting(world)
    officer = login(world.users.officer)
    officer.post(reverse("meeting-attach", args=[meeting.pk]), {"file": SimpleUploadedFile("签到表.pdf", b"%PDF-1.4")})
    attachment = meeting.attachments.get()
    assert attachment.name == "签到表.pdf"
    url = reverse("meeting-attachment", args=[meeting.pk, attachment.pk])
    assert b"".join(officer.get(url)) == b"%PDF-1.4"
    assert login(world.users.outsider).get(url).status_code == 404
    response = login(world.users.officer).post(
        reverse("meeting-attach", args=[meeting.pk]), {"file": SimpleUploadedFile("x.exe", b"MZ")}, follow=True
    )
    assert "不支持的文件类型" in response.content.decode()
    assert meeting.attachments.count() == 1


def test_meeting_list_query_count_does_not_grow_with_meetings(login, world):
    client = login(world.users.office_coord)
    make_meeting(world, decisions=["甲"])
    with CaptureQueriesContext(connection) as small:
        _page(client.get(reverse("meeting-list")))
    for n in range(12):
        meeting = make_meeting(world, title=f"例会{n}", decisions=["甲", "乙"])
        make_item(world, meeting.decisions.first())
    with CaptureQueriesContext(connection) as large:
        page = _page(client.get(reverse("meeting-list")))
    assert "例会11" in page
    assert len(large.captured_queries) == len(small.captured_queries)


def test_meeting_list_filters_by_kind_host_and_dates(login, world):
    make_meeting(world, title="十月例会", held_on=datetime.date(2026, 10, 15))
    make_meeting(world, title="九月推动会", kind=MeetingKind.DISTRICT_ONSITE, held_on=datetime.date(2026, 9, 15))
    client = login(world.users.office_coord)
    page = _page(client.get(reverse("meeting-list"), {"kind": "district_onsite"}))
    assert "九月推动会" in page and "十月例会" not in page
    page = _page(
        client.get(
            reverse("meeting-list"), {"date_from": "2026-10-01", "date_to": "2026-10-31", "org_unit": world.dongli.pk}
        )
    )
    assert "十月例会" in page and "九月推动会" not in page


# --- Action items -----------------------------------------------------------------------------------


def test_officer_assigns_a_decision_through_the_form(login, world):
    meeting = make_meeting(world, decisions=["华明小镇完成用地报批"])
    decision = meeting.decisions.get()
    client = login(world.users.officer)
    url = reverse("action-item-create", args=[meeting.pk, decision.pk])
    assert "华明智能制造小镇" in _page(client.get(url))
    response = client.post(url, {"responsible": f"u{world.town.unit.pk}", "owner": "张伟", "due_on": "2026-12-20"})
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert (item.responsible_unit, item.title, item.owner) == (world.town.unit, "华明小镇完成用地报批", "张伟")
    page = _page(
        client.post(url, {"responsible": f"u{world.outsider_town.unit.pk}", "owner": "x", "due_on": "2026-12-20"})
    )
    assert "选择一个有效的选项" in page
    assert ActionItem.objects.count() == 1


def test_progress_done_verify_through_the_pages(login, world):
    item = make_item(world)
    officer = login(world.users.officer)
    assert "报告进展" in _page(officer.get(reverse("action-item-detail", args=[item.pk])))
    officer.post(
        reverse("action-item-progress", args=[item.pk]),
        {"done": "on", "resolution": "用地已获批复", "evidence": SimpleUploadedFile("批复.pdf", b"%PDF")},
    )
    item.refresh_from_db()
    assert item.status == "done"
    office = login(world.users.office_coord)
    assert "核验通过" in _page(office.get(reverse("action-item-detail", args=[item.pk])))
    office.post(reverse("action-item-verify", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == "verified"


def test_progress_form_errors_stay_on_the_page(login, world):
    item = make_item(world)
    page = _page(login(world.users.officer).post(reverse("action-item-progress", args=[item.pk]), {"done": "on"}))
    assert "报告办结须填写办理结果" in page
    item.refresh_from_db()
    assert item.status == "open"


def test_outsider_gets_404_and_viewer_403_on_action_items(login, world):
    item = make_item(world)
    outsider = login(world.users.outsider)
    assert outsider.get(reverse("action-item-detail", args=[item.pk])).status_code == 404
    assert outsider.post(reverse("action-item-progress", args=[item.pk]), {"note": "x"}).status_code == 404
    office = login(world.users.office_coord)  # sees it; only the owner's unit reports
    assert office.post(reverse("action-item-progress", args=[item.pk]), {"note": "x"}).status_code == 403
    officer = login(world.users.officer)  # only the office verifies
    assert officer.post(reverse("action-item-verify", args=[item.pk])).status_code == 403
    assert officer.post(reverse("action-item-reject", args=[item.pk]), {"reason": "x"}).status_code == 403
    item.refresh_from_db()
    assert item.status == "open" and item.events.count() == 1


def test_overdue_items_show_on_the_units_and_the_offices_pages(login, world):
    late = make_item(world, due_on=dates.today() - datetime.timedelta(days=25), title="逾期的事项")
    make_item(world, late.decision, unit=world.town2.unit, due_on=datetime.date(2027, 1, 31), title="未到期的事项")
    for user in (world.users.officer, world.users.office_coord):
        page = _page(login(user).get(reverse("action-item-list"), {"overdue": "on"}))
        assert "逾期的事项" in page and "未到期的事项" not in page
        assert "逾期 25 天" in page
    home = _page(login(world.users.officer).get(reverse("home")))
    assert "我单位的督办事项" in home and "逾期的事项" in home
    home = _page(login(world.users.office_coord).get(reverse("home")))
    assert "您的范围内有 1 项督办事项已逾期" in home
    assert _page(login(world.users.outsider).get(reverse("action-item-list"))).count("逾期的事项") == 0


def test_action_item_list_query_count_does_not_grow_with_items(login, world):
    client = login(world.users.office_coord)
    make_item(world)
    with CaptureQueriesContext(connection) as small:
        _page(client.get(reverse("action-item-list")))
    meeting = make_meeting(world, decisions=[f"决定{n}" for n in range(10)])
    for n, decision in enumerate(meeting.decisions.all()):
        make_item(
            world,
            decision,
            unit=world.town2.unit if n % 2 else world.dongli,
            due_on=datetime.date(2026, 11, 20 + n % 5),
        )
    with CaptureQueriesContext(connection) as large:
        _page(client.get(reverse("action-item-list")))
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Plans ------------------------------------------------------------------------------------------


def test_plan_submit_return_resubmit_approve_through_the_pages(login, world):
    officer = login(world.users.officer)
    response = officer.post(
        reverse("plan-create"),
        {
            "org_unit": world.town.unit.pk,
            "kind": "cultivation",
            "title": "华明小镇培育方案",
            **PLAN_CONTENT,
            "sub-TOTAL_FORMS": "2",
            "sub-INITIAL_FORMS": "0",
            "sub-0-name": "产业园二期",
            "sub-0-responsible_unit": "区工业和信息化局",
            "sub-1-name": "",
            "sub-1-responsible_unit": "",
            "attachments": [SimpleUploadedFile("方案.pdf", b"%PDF")],
        },
    )
    plan = Plan.objects.get()
    assert response.status_code == 302, response.content.decode()[:3000]
    assert plan.versions.get().attachments.get().name == "方案.pdf"
    planning = login(world.users.office_planning)
    planning.post(reverse("plan-review", args=[plan.pk]), {"decision": "return", "comments": "补充创建点位"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED
    officer = login(world.users.officer)
    page = _page(officer.get(reverse("plan-resubmit", args=[plan.pk])))
    assert "补充创建点位" in page and "产业园二期" in page
    officer.post(
        reverse("plan-resubmit", args=[plan.pk]),
        {**PLAN_CONTENT, "sites": "新增：华明示范镇东区", "sub-TOTAL_FORMS": "1", "sub-INITIAL_FORMS": "1",
         "sub-0-name": "产业园二期", "sub-0-responsible_unit": "区工业和信息化局"},
    )  # fmt: skip
    plan.refresh_from_db()
    assert (plan.status, plan.current_version) == (PlanStatus.SUBMITTED, 2)
    login(world.users.office_planning).post(reverse("plan-review", args=[plan.pk]), {"decision": "approve"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    client = login(world.users.leader)
    latest = _page(client.get(reverse("plan-detail", args=[plan.pk])))
    assert "新增：华明示范镇东区" in latest and "有修改" in latest and "审查通过" in latest
    first = _page(client.get(reverse("plan-detail", args=[plan.pk]), {"v": 1}))
    assert "补充创建点位" in first and "华明工业园区、华明示范镇核心区" in first


def test_returning_a_plan_without_comments_shows_an_error(login, world):
    plan = make_plan(world)
    response = login(world.users.office_planning).post(
        reverse("plan-review", args=[plan.pk]), {"decision": "return", "comments": ""}, follow=True
    )
    assert "请填写审查意见" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_plan_pages_permissions(login, world):
    plan = make_plan(world)
    assert login(world.users.outsider).get(reverse("plan-detail", args=[plan.pk])).status_code == 404
    assert login(world.users.outsider).post(reverse("plan-review", args=[plan.pk])).status_code == 404
    assert login(world.users.office_coord).post(reverse("plan-review", args=[plan.pk])).status_code == 403
    assert login(world.users.leader).get(reverse("plan-create")).status_code == 403
    assert login(world.users.officer).post(reverse("plan-review", args=[plan.pk])).status_code == 403
    assert login(world.users.officer).get(reverse("plan-resubmit", args=[plan.pk])).status_code == 302  # not returned
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_plan_list_query_count_does_not_grow_with_plans(login, world):
    client = login(world.users.office_planning)
    make_plan(world)
    with CaptureQueriesContext(connection) as small:
        _page(client.get(reverse("plan-list")))
    for n in range(8):
        make_plan(world, unit=world.town2.unit if n % 2 else world.town.unit)
    with CaptureQueriesContext(connection) as large:
        _page(client.get(reverse("plan-list")))
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Cadence, organisation, policies ----------------------------------------------------------------


def test_cadence_page_shows_each_rule_and_links_cells_to_meetings(login, world):
    make_meeting(world, held_on=datetime.date(2026, 3, 10))
    page = _page(login(world.users.office_coord).get(reverse("cadence"), {"year": 2026}))
    assert "区例会" in page and "市联席会议" in page and "2026-Q3" in page
    assert f"org_unit={world.dongli.pk}&amp;date_from=2026-03-01&amp;date_to=2026-03-31" in page
    district_page = _page(login(world.users.officer).get(reverse("cadence"), {"year": 2026}))
    assert "东丽区" in district_page and "西青区" not in district_page and "市联席会议" not in district_page


def test_organisation_page_lists_groups_routes_member_units_and_officers(login, world):
    page = _page(login(world.users.leader).get(reverse("organisation")))
    for text in ("规划编制组", "规划方案审查", "市统计局", "东丽信息员", "东丽主管领导"):
        assert text in page


def test_liaison_records_own_member_units_policy_only(login, world):
    stats = MemberUnit.objects.get(code="statistics")
    other = MemberUnit.objects.create(code="finance", name="市财政局")
    client = login(world.users.liaison)
    page = _page(client.get(reverse("policy-create")))
    assert "市统计局" in page and "市财政局" not in page
    client.post(
        reverse("policy-create"),
        {"member_unit": stats.pk, "title": "关于加强特色小镇统计监测的通知", "document_number": "津统发〔2026〕12号",
         "issued_on": "2026-05-10"},
    )  # fmt: skip
    policy = SupportPolicy.objects.get()
    assert policy.member_unit == stats and policy.created_by == world.users.liaison
    client.post(reverse("policy-create"), {"member_unit": other.pk, "title": "越权", "issued_on": "2026-05-10"})
    assert SupportPolicy.objects.count() == 1
    assert "关于加强特色小镇统计监测的通知" in _page(login(world.users.officer).get(reverse("policy-list")))
    assert login(world.users.officer).get(reverse("policy-edit", args=[policy.pk])).status_code == 403
    assert login(world.users.office_policy).get(reverse("policy-edit", args=[policy.pk])).status_code == 200


def test_every_page_renders_for_every_persona(login, world):
    item = make_item(world)
    plan = make_plan(world)
    for name, user in vars(world.users).items():
        client = login(user)
        for url in (reverse("meeting-list"), reverse("action-item-list"), reverse("plan-list"), reverse("cadence"),
                    reverse("organisation"), reverse("policy-list"), reverse("home")):  # fmt: skip
            assert client.get(url).status_code == 200, (name, url)
    assert login(world.users.leader).get(reverse("action-item-detail", args=[item.pk])).status_code == 200
    assert login(world.users.leader).get(reverse("plan-detail", args=[plan.pk])).status_code == 200
