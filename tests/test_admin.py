"""The Django admin: under the platform's name with a way back, every label in Chinese, and no way
around a service (the models that change only through services are read-only there)."""

import datetime
import re
import time
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from coordination import services as org
from coordination.models import MemberUnit, OrgUnit, SubmissionKind, SubmissionRoute, Town, UserProfile
from ledgers.models import Indicator, MonthlyReport, Project, ReportStatus
from tianjin_towns import admin_site

CJK = re.compile(r"[\u4e00-\u9fff]")
THIRD_PARTY_APPS = {"auth", "axes", "django_celery_beat"}


def _admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(world, client):
    client.force_login(world.users.admin)
    return client


def test_admin_index_shows_the_platform_name_and_a_link_back_to_the_platform(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert "<title>后台管理首页 | 天津市特色小镇规划建设协同平台 · 后台管理</title>" in html
    assert '<div id="site-name"><a href="/admin/">天津市特色小镇规划建设协同平台 · 后台管理</a></div>' in html
    assert '<a href="/" id="back-to-platform">返回平台</a>' in html
    assert "Django" not in html.split("<body", 1)[1].split('id="content-start"', 1)[0]  # no Django branding


def test_every_model_in_the_admin_has_a_chinese_name():
    unnamed = []
    with translation.override("zh-hans"):
        for model in admin.site._registry:
            opts = model._meta
            for what, label in (
                ("app", opts.app_config.verbose_name),
                ("verbose_name", opts.verbose_name),
                ("verbose_name_plural", opts.verbose_name_plural),
            ):
                if not CJK.search(str(label)):
                    unnamed.append(f"{opts.label} {what}={label!r}")
    assert unnamed == []


def test_every_list_column_and_filter_in_the_admin_is_headed_in_chinese():
    from django.contrib.admin.utils import get_fields_from_path, label_for_field

    english = []
    with translation.override("zh-hans"):
        for model, model_admin in admin.site._registry.items():
            headings = [label_for_field(name, model, model_admin) for name in model_admin.list_display]
            for spec in model_admin.list_filter:
                if isinstance(spec, str):
                    headings.append(get_fields_from_path(model, spec)[-1].verbose_name)
                elif isinstance(spec, type):  # a SimpleListFilter names itself
                    headings.append(spec.title)
            for heading in headings:
                if not CJK.search(str(heading)) and str(heading) not in {"ID"}:
                    english.append(f"{model._meta.label}: {heading}")
    assert english == []


def test_every_detail_page_row_in_the_admin_is_labelled_in_chinese(world, rf):
    """The platform's models: each row of a detail page and each column of its histories."""
    from django.contrib.admin.utils import flatten_fieldsets, label_for_field

    request = rf.get("/admin/")
    request.user = world.users.admin
    english = []
    with translation.override("zh-hans"):
        for model, model_admin in admin.site._registry.items():
            if model._meta.app_label in THIRD_PARTY_APPS:
                continue  # rendered and checked in test_third_party_pages_in_the_admin_have_chinese_labels
            form = model_admin.get_form(request, None)
            labels = form._meta.labels or {}
            for name in flatten_fieldsets(model_admin.get_fieldsets(request)):
                label = labels.get(name) or label_for_field(name, model, model_admin, form=form)
                if not CJK.search(str(label)):
                    english.append(f"{model._meta.label}.{name}: {label}")
            for inline in model_admin.get_inline_instances(request):
                for name in inline.fields or ():
                    label = label_for_field(name, inline.model, inline)
                    if not CJK.search(str(label)):
                        english.append(f"{inline.model._meta.label}.{name}: {label}")
    assert english == []


@pytest.fixture
def third_party_rows(world):
    """A row of each third-party model the admin shows, so that its list and detail page render fields."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    login = {
        "username": "dongli-officer",
        "ip_address": "10.0.0.8",
        "user_agent": "Firefox",
        "path_info": "/accounts/login/",
    }
    AccessAttempt.objects.create(**login, get_data="", post_data="", failures_since_start=5)
    AccessLog.objects.create(**login)
    AccessFailureLog.objects.create(**login, locked_out=True)
    crontab = CrontabSchedule.objects.create(minute="30", hour="8", timezone="Asia/Shanghai")
    IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    ClockedSchedule.objects.create(clocked_time=datetime.datetime(2026, 12, 6, 9, tzinfo=datetime.UTC))
    SolarSchedule.objects.create(event="sunrise", latitude="39.1", longitude="117.2")
    PeriodicTask.objects.create(name="月报催报", task="ledgers.tasks.remind_due_reports", crontab=crontab)


LABEL = re.compile(r'<th scope="col"[^>]*>(.*?)</th>|<label[^>]*>(.*?)</label>|<h3>(.*?)</h3>', re.S)


def _labels(html: str) -> set[str]:
    """Column headers, field labels and filter titles of an admin page, as text."""
    main = html.split('id="content-start"', 1)[1]
    found = set()
    for match in LABEL.finditer(main):
        text = re.sub(r"<[^>]+>|\s+", " ", next(group for group in match.groups() if group is not None)).strip()
        if text:
            found.add(text)
    return found


def test_third_party_pages_in_the_admin_have_chinese_labels(admin_client, third_party_rows):
    """django-axes, django-celery-beat and auth: every column, field and filter is labelled
    in Chinese on the list and on the detail page, as they render (translations included)."""
    english = []
    for model in admin.site._registry:
        if model._meta.app_label not in THIRD_PARTY_APPS:
            continue
        obj = model._default_manager.order_by("pk").first()
        pages = [_admin_url(model, "changelist")]
        if obj is not None:
            pages.append(_admin_url(model, "change", obj.pk))
        for url in pages:
            response = admin_client.get(url)
            assert response.status_code == 200, url
            for label in _labels(response.content.decode()):
                if re.search(r"[A-Za-z]{2,}", label) and not CJK.search(label) and label not in {"ID"}:
                    english.append(f"{url}: {label}")
    assert english == []


def test_login_lockouts_list_is_in_chinese(admin_client, third_party_rows):
    from axes.models import AccessAttempt

    html = admin_client.get(_admin_url(AccessAttempt, "changelist")).content.decode()
    assert "登录失败记录" in html
    assert "锁定状态" in html and "浏览器标识" in html
    assert "Status" not in html and "access attempt" not in html


# --- Read-only models ---------------------------------------------------------------------------------


@pytest.fixture
def service_objects(world, make_report):
    """One row of each model that changes only through a service, keyed by model."""
    route = org.submission_route_set(
        actor=world.users.admin, kind=SubmissionKind.ASSESSMENTS, working_group=world.groups["coord"]
    )
    project = Project.objects.create(
        town=world.town, code="P-001", name="智能制造产业园", category="industry", total_investment=Decimal("1000")
    )
    indicator = Indicator.objects.first() or Indicator.objects.create(code="x", name="测试指标", unit="万元")
    return {
        UserProfile: world.users.officer.profile,
        Town: world.town,
        OrgUnit: world.dongli,
        MemberUnit: MemberUnit.objects.get(code="statistics"),
        SubmissionRoute: route,
        MonthlyReport: make_report(ReportStatus.DRAFT),
        Project: project,
        Indicator: indicator,
        get_user_model(): world.users.officer,
        Group: Group.objects.get(name="officer"),
    }


READ_ONLY_MODELS = [
    UserProfile,
    Town,
    OrgUnit,
    MemberUnit,
    SubmissionRoute,
    MonthlyReport,
    Project,
    Indicator,
    get_user_model(),
    Group,
]


@pytest.mark.parametrize("model", READ_ONLY_MODELS, ids=lambda m: m._meta.label)
def test_models_changed_by_services_cannot_be_added_changed_or_deleted_in_the_admin(
    model, admin_client, service_objects
):
    obj = service_objects[model]
    before = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}

    assert admin_client.get(_admin_url(model, "add")).status_code == 403
    assert admin_client.post(_admin_url(model, "add"), {}).status_code == 403
    assert admin_client.post(_admin_url(model, "change", obj.pk), {"name": "改名"}).status_code == 403
    assert admin_client.post(_admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403

    obj.refresh_from_db()
    assert {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields} == before


@pytest.mark.parametrize("model", READ_ONLY_MODELS, ids=lambda m: m._meta.label)
def test_read_only_pages_have_no_save_button_and_point_to_the_product_page(model, admin_client, service_objects):
    obj = service_objects[model]
    admin_class = admin.site._registry[model]
    label = str(admin_site.PRODUCT_PAGES[admin_class.service_page])

    change = admin_client.get(_admin_url(model, "change", obj.pk))
    changelist = admin_client.get(_admin_url(model, "changelist"))

    assert change.status_code == 200 and changelist.status_code == 200
    html = change.content.decode()
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert "deletelink" not in html
    listing = changelist.content.decode()
    assert 'id="service-page-note"' in listing and label in listing
    assert _admin_url(model, "add") not in listing  # no 「增加」 button


def test_a_user_password_cannot_be_reset_in_the_admin(world, admin_client):
    officer = world.users.officer
    page = admin_client.get(reverse("admin:auth_user_change", args=[officer.pk])).content.decode()
    url = reverse("admin:auth_user_password_change", args=[officer.pk])

    assert "password/" not in page  # no 「重置密码」 button
    assert admin_client.post(url, {"password1": "n3w-Passw0rd!", "password2": "n3w-Passw0rd!"}).status_code == 403
    officer.refresh_from_db()
    assert not officer.check_password("n3w-Passw0rd!")


def test_the_admin_changes_passwords_on_the_platform_page(admin_client):
    """The platform's page runs the password service (one-time password, tokens); the admin's does not."""
    response = admin_client.get(reverse("admin:password_change"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")


def test_a_working_group_is_renamed_in_the_admin_but_keeps_its_code(world, admin_client):
    """Its name and duties are edited here; its code keys the default routes and the grants."""
    group = world.groups["policy"]
    url = reverse("admin:coordination_workinggroup_change", args=[group.pk])
    data = {"code": "renamed", "name": "综合政策组（更名）", "duties": "政策研究", "order": 0}

    assert admin_client.post(url, data).status_code == 302
    group.refresh_from_db()
    assert (group.code, group.name) == ("policy", "综合政策组（更名）")
    assert admin_client.get(reverse("admin:coordination_workinggroup_add")).status_code == 403


def test_user_profile_add_page_no_longer_fails(admin_client):
    """It answered 500 (IntegrityError on org_unit): a profile without the grant service is refused."""
    assert admin_client.get(reverse("admin:coordination_userprofile_add")).status_code == 403


def test_org_unit_rename_in_the_admin_is_refused_and_keeps_the_name(world, admin_client):
    url = reverse("admin:coordination_orgunit_change", args=[world.dongli.pk])
    data = {"code": "120110", "name": "东丽新区", "slug": "dongli", "level": "district", "parent": world.city.pk}

    assert admin_client.post(url, {**data, "order": 1}).status_code == 403

    world.dongli.refresh_from_db()
    assert world.dongli.name == "东丽区"
    assert not world.dongli.name_changes.exists()


def test_no_object_permission_pages_for_org_units(world, admin_client):
    """guardian's object-permission pages would grant rights outside user_assign_role."""
    with pytest.raises(NoReverseMatch):
        reverse("admin:coordination_orgunit_permissions", args=[world.dongli.pk])


def test_the_note_names_the_product_page_even_before_it_exists(admin_client, monkeypatch):
    def no_route(name, *args, **kwargs):
        raise NoReverseMatch(name)

    monkeypatch.setattr(admin_site, "reverse", no_route)

    html = admin_client.get(reverse("admin:coordination_memberunit_changelist")).content.decode()

    assert "系统管理 › 成员单位" in html
    assert 'id="service-page-note"' in html


def test_the_note_links_to_the_product_page_when_it_exists():
    page = admin_site.product_page("report-list")
    assert page["url"] == reverse("report-list") and "月报管理" in str(page["label"])


def test_api_tokens_cannot_be_made_for_someone_else_in_the_admin(world, admin_client):
    from coordination.models import ApiToken

    assert admin_client.get(reverse("admin:coordination_apitoken_add")).status_code == 403
    response = admin_client.post(reverse("admin:coordination_apitoken_add"), {"user": world.users.officer.pk})
    assert response.status_code == 403
    assert not ApiToken.objects.filter(user=world.users.officer).exists()


def test_the_admin_revokes_a_token_and_the_account_history_says_so(world, admin_client):
    from coordination.models import UserRoleEvent
    from coordination.services.tokens import api_token_issue

    token = api_token_issue(user=world.users.officer, name="报表脚本")
    changelist = admin_client.get(reverse("admin:coordination_apitoken_changelist")).content.decode()
    assert token.prefix in changelist and token.key not in changelist and token.key_hash not in changelist

    response = admin_client.post(
        reverse("admin:coordination_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = UserRoleEvent.objects.get(user=world.users.officer, action=UserRoleEvent.Action.API_TOKEN_REVOKED)
    assert event.actor == world.users.admin and token.prefix in event.reason


def test_office_member_cannot_open_the_admin(world, client):
    """A viewer of the platform who is not staff is sent to the admin's login page."""
    client.force_login(world.users.office_policy)
    response = client.get(reverse("admin:coordination_userprofile_changelist"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_superuser_can_browse_every_admin_page(admin_client, service_objects):
    """Every change list, and the detail page of its first row, renders (no label or query errors)."""
    started = time.monotonic()
    failures = []
    for model in admin.site._registry:
        response = admin_client.get(_admin_url(model, "changelist"))
        if response.status_code != 200:
            failures.append(f"{model._meta.label} changelist {response.status_code}")
            continue
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            if model._meta.model_name == "tokenproxy":  # the token admin addresses rows by user id
                continue
            response = admin_client.get(_admin_url(model, "change", obj.pk))
            if response.status_code != 200:
                failures.append(f"{model._meta.label} change {response.status_code}")
    assert failures == []
    assert time.monotonic() - started < 60
