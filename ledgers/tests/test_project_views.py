"""The project ledger's pages (issue 15, R-3.3): districts register and edit their towns' projects; the office
and the leaders read every project; an outsider never sees another district's."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ledgers import services as ledger
from ledgers.models import Project, ProjectAttachment
from ledgers.tests import factories
from tests import clients

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


login = clients.login


def make_project(world, code="P-01", town=None, **fields):
    return factories.make_project(world, code, town=town, **fields)


def form_data(**overrides):
    data = {
        "name": "华明大道管网工程",
        "category": "infrastructure",
        "owner": "东丽区城投公司",
        "status": "new",
        "content": "道路及雨污水管网。",
        "total_investment": "8000",
        "land_mu": "",
        "planned_start": "2026-03-01",
        "planned_finish": "2027-06-30",
        "actual_start": "2026-04-15",
        "actual_finish": "",
        "plan_year_0": "2026",
        "plan_amount_0": "3000",
        "plan_year_1": "2027",
        "plan_amount_1": "5000",
    }
    return data | overrides


# --- Create and edit --------------------------------------------------------------------------------


def test_district_officer_registers_a_project_in_the_browser(login, world):
    client = login(world.users.officer)
    assert client.get(reverse("project-create")).status_code == 200
    response = client.post(reverse("project-create"), form_data(town=world.town.pk, code="XM-09"))
    assert response.status_code == 302
    project = Project.objects.get(town=world.town, code="XM-09")
    assert response.url == reverse("project-detail", args=[project.pk])
    assert (project.owner, project.status, project.actual_start) == (
        "东丽区城投公司",
        "new",
        datetime.date(2026, 4, 15),
    )
    assert {p.year: p.amount for p in project.year_plans.all()} == {2026: Decimal("3000"), 2027: Decimal("5000")}


def test_bad_input_comes_back_with_an_error_per_field_and_saves_nothing(login, world):
    client = login(world.users.officer)
    data = form_data(town=world.town.pk, code="XM-09", total_investment="很多", actual_finish="2026-01-01")
    response = client.post(reverse("project-create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "total_investment" in form.errors
    assert not Project.objects.filter(code="XM-09").exists()
    # Dates out of order are the service's to refuse, still on the field.
    response = client.post(
        reverse("project-create"), form_data(town=world.town.pk, code="XM-09", actual_finish="2026-01-01")
    )
    assert response.context["form"].errors["actual_finish"] == ["实际竣工日期不能早于实际开工日期。"]
    assert not Project.objects.filter(code="XM-09").exists()
    # A plan's year out of range is said once, not also as missing; the field is named and tied to its error.
    response = client.post(reverse("project-create"), form_data(town=world.town.pk, code="XM-09", plan_year_0="1999"))
    assert response.context["form"].errors["plan_year_0"] == ["确保该值大于或等于2000。"]
    page = response.content.decode()
    assert 'aria-label="年度" aria-invalid="true" aria-describedby="id_plan_year_0-error"' in page
    assert '<div class="invalid-feedback d-block" id="id_plan_year_0-error">确保该值大于或等于2000。</div>' in page


def test_district_leader_edits_a_project_and_a_year_plan_is_removed_when_cleared(login, world):
    project = make_project(world)
    client = login(world.users.reviewer)
    page = client.get(reverse("project-edit", args=[project.pk]))
    assert page.status_code == 200 and page.context["form"]["plan_amount_0"].value() == Decimal("12000")
    data = form_data(status="suspended", plan_year_0="2026", plan_amount_0="", plan_year_1="2027", plan_amount_1="900")
    response = client.post(reverse("project-edit", args=[project.pk]), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "suspended" and project.code == "P-01"
    assert {p.year: p.amount for p in project.year_plans.all()} == {2027: Decimal("900")}
    history = client.get(reverse("project-detail", args=[project.pk])).content.decode()
    assert "停缓建" in history and "2026年计划投资" in history


def test_viewers_cannot_register_or_edit_projects(login, world):
    project = make_project(world)
    for viewer in (world.users.leader, world.users.office_policy):
        client = login(viewer)
        assert client.get(reverse("project-detail", args=[project.pk])).status_code == 200
        assert client.get(reverse("project-create")).status_code == 403
        assert client.post(reverse("project-edit", args=[project.pk]), form_data()).status_code == 403
    assert Project.objects.get(pk=project.pk).name == "智能装备产业园"


def test_outsider_gets_404_for_another_districts_project(login, world):
    project = make_project(world)
    client = login(world.users.outsider)
    for name in ("project-detail", "project-edit"):
        assert client.get(reverse(name, args=[project.pk])).status_code == 404
    assert client.post(reverse("project-edit", args=[project.pk]), form_data()).status_code == 404
    upload = SimpleUploadedFile("批复.pdf", PDF, content_type="application/pdf")
    assert client.post(reverse("project-attachment-upload", args=[project.pk]), {"file": upload}).status_code == 404
    # A town of another district cannot be chosen either.
    response = client.post(reverse("project-create"), form_data(town=world.town.pk, code="X-1"))
    assert response.status_code == 200 and "town" in response.context["form"].errors
    assert not Project.objects.filter(code="X-1").exists()


# --- List ---------------------------------------------------------------------------------------------


def test_project_list_filters_and_searches_within_the_users_scope(login, world):
    make_project(world, owner="华明投资", status=Project.Status.CONTINUING)
    make_project(world, code="P-02", name="温泉度假区", town=world.town2, status=Project.Status.PREPARING)
    ledger.project_create(
        actor=world.users.outsider,
        town=world.outsider_town,
        code="X-01",
        name="精武文化园",
        category=Project.Category.PUBLIC_SERVICE,
        total_investment=Decimal("100"),
    )

    def codes(user, **query):
        response = login(user).get(reverse("project-list"), query)
        assert response.status_code == 200
        return [p.code for p in response.context["page"].object_list]

    assert codes(world.users.officer) == ["P-01", "P-02"]
    assert codes(world.users.outsider) == ["X-01"]
    assert sorted(codes(world.users.leader)) == ["P-01", "P-02", "X-01"]
    assert codes(world.users.officer, status="preparing") == ["P-02"]
    assert codes(world.users.officer, town=world.town2.pk) == ["P-02"]
    assert codes(world.users.officer, q="华明投资") == ["P-01"]
    assert codes(world.users.leader, category="public_service") == ["X-01"]
    assert codes(world.users.leader, district=world.dongli.pk) == ["P-01", "P-02"]


def test_project_list_query_count_does_not_grow_with_projects(login, world, django_assert_max_num_queries):
    client = login(world.users.office_policy)
    make_project(world)
    client.get(reverse("project-list"))  # warm the per-process caches (content types, session)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("project-list")).status_code == 200
    for index in range(2, 20):
        make_project(world, code=f"P-{index:02d}", town=world.town2 if index % 2 else world.town)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("project-list"))
    assert response.status_code == 200 and len(response.context["page"].object_list) == 19


# --- Attachments ----------------------------------------------------------------------------------


def test_officer_uploads_an_attachment_that_only_those_who_see_the_project_download(login, world):
    project = make_project(world)
    client = login(world.users.officer)
    upload = SimpleUploadedFile("立项批复.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("project-attachment-upload", args=[project.pk]), {"file": upload, "note": "发改委批复"}
    )
    assert response.status_code == 302
    attachment = ProjectAttachment.objects.get(project=project)
    assert (attachment.name, attachment.note) == ("立项批复.pdf", "发改委批复")
    url = reverse("project-attachment", args=[project.pk, attachment.pk])
    download = login(world.users.leader).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert login(world.users.outsider).get(url).status_code == 404
    # The leader sees it but may not add documents.
    again = SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf")
    assert (
        login(world.users.leader)
        .post(reverse("project-attachment-upload", args=[project.pk]), {"file": again})
        .status_code
        == 403
    )


def test_a_renamed_executable_is_refused_as_an_attachment(login, world):
    project = make_project(world)
    fake = SimpleUploadedFile("照片.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    response = login(world.users.officer).post(
        reverse("project-attachment-upload", args=[project.pk]), {"file": fake}, follow=True
    )
    assert "内容与扩展名不符" in response.content.decode()
    assert not ProjectAttachment.objects.exists()


def test_report_entry_form_links_to_the_project_ledger_instead_of_the_admin(login, world, make_report):
    report = make_report()
    page = login(world.users.officer).get(reverse("report-edit", args=[report.pk])).content.decode()
    assert "项目台账由管理员维护" not in page
    assert reverse("project-list") in page
