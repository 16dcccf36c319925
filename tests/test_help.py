"""The help page (使用帮助, issue 19): each user reads the sections of the roles it acts in, with the deadlines
the platform applies and the people to ask."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from coordination import services as org
from coordination.models import SubmissionKind
from ledgers import deadlines
from tests import clients
from tianjin_towns.lib import dates

login = clients.login

SECTIONS = ("officer", "reviewer", "office", "liaison", "leader", "admin")  # each titled 〈角色〉工作指引


def _help(client) -> str:
    response = client.get(reverse("help"))
    assert response.status_code == 200
    return response.content.decode()


def _sections(page: str) -> set[str]:
    return {key for key in SECTIONS if f'<section id="help-{key}"' in page}


def test_each_persona_reads_the_section_of_its_role(login, world):
    u = world.users
    expected = {
        u.officer: {"officer"},
        u.reviewer: {"reviewer"},
        u.office_policy: {"office"},
        u.liaison: {"liaison"},
        u.leader: {"leader"},
    }
    for user, sections in expected.items():
        assert _sections(_help(login(user))) == sections, user.username


def test_a_user_acting_in_several_roles_reads_each_section(login, world):
    assert _sections(_help(login(world.users.admin))) == set(SECTIONS)  # the superuser acts in every role
    administrator = org.user_create(
        username="it-admin", password="x-pass-12345", role="admin", org_unit=world.city, full_name="运维"
    )
    # An administrator holds no report permissions of its own: only its section.
    assert _sections(_help(login(administrator))) == {"admin"}


def test_office_section_shows_the_work_routed_to_the_users_group(login, world):
    page = _help(login(world.users.office_policy))
    assert "统计数据验收</h3>" in page and "规划方案审查</h3>" not in page
    page = _help(login(world.users.office_planning))
    assert "规划方案审查</h3>" in page and "统计数据验收</h3>" not in page
    org.submission_route_set(actor=world.users.admin, kind=SubmissionKind.PLANS, working_group=world.groups["policy"])
    assert "规划方案审查</h3>" in _help(login(world.users.office_policy))


def test_deadlines_follow_the_settings_and_the_calendar(login, world, settings):
    settings.REPORT_DUE_DAY, settings.REPORT_CLOSE_DAY, settings.MEETING_REMINDER_DAY = 12, 22, 18
    last_month = dates.last_ended_period()
    page = _help(login(world.users.officer))
    assert "上月月报须在每月12日前提交" in page and "关闭日（每月22日" in page and "每月18日仍未召开" in page
    reminder = dates.today().replace(day=18)
    for day in (deadlines.due_date(last_month), deadlines.close_date(last_month), reminder):
        assert f"{day.year}年{day.month}月{day.day}日" in page
    assert "本月区例会、区现场推动会尚未召开的" in page  # the monthly cadence rules


def test_officer_reads_whom_to_ask_and_how_to_mend_a_returned_report(login, world):
    page = _help(login(world.users.officer))
    assert "月报被退回后怎么办" in page and "申请更正" in page
    assert "东丽主管领导" in page  # the reviewing leader of the officer's district
    assert "统计数据验收" in page and "综合政策组" in page and "office-policy" in page  # routed group and member


def test_help_page_opens_for_every_signed_in_user_and_sends_others_to_log_in(client, world):
    response = client.get(reverse("help"))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    for user in get_user_model().objects.filter(is_active=True):
        client.force_login(user)
        assert client.get(reverse("help")).status_code == 200, user.username
