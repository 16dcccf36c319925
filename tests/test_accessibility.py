"""Accessibility (issue 23) as the pages carry it: a keyboard user skips the navigation bar with the first Tab, a
screen reader is told what an icon means instead of reading an icon's label where labels are not allowed, the
ledger's wide table can be scrolled from the keyboard, and link lists are not announced as tabs. (The colours
and focus outlines are the stylesheet's; axe-core in the browser tests is the rest of issue 23.)"""

import datetime
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from lxml import html

from ledgers import services as ledger
from ledgers.models import ReportStatus
from tests import clients

SEPT = datetime.date(2026, 9, 1)
login = clients.login  # the fixture: login(user) is the test client signed in as user


@pytest.mark.parametrize("page", ["home", "report-list", "ledger", "notification-list"])
def test_the_first_link_of_every_page_skips_to_its_main_content(login, world, page):
    tree = html.fromstring(login(world.users.officer).get(reverse(page)).content)
    first = tree.xpath("//body//a")[0]
    assert first.text_content().strip() == "跳到主要内容"
    assert first.get("href") == "#main"
    main = tree.xpath("//main")
    assert len(main) == 1 and main[0].get("id") == "main"  # the link's target, focusable from the link
    assert main[0].get("tabindex") == "-1"


def test_a_change_arrow_is_read_as_words_not_as_a_label_on_an_icon():
    page = render_to_string(
        "includes/change_list.html", {"changes": [{"label": "税收收入", "old": "150", "new": "152"}]}
    )
    tree = html.fromstring(page)
    icons = tree.xpath("//i")
    assert icons and all(i.get("aria-hidden") == "true" and i.get("aria-label") is None for i in icons)
    assert "改为" in " ".join(tree.xpath("//*[contains(@class, 'visually-hidden')]/text()"))
    assert re.sub(r"\s+", " ", tree.text_content()).count("改为") == 1


def test_the_ledgers_wide_table_is_a_named_region_reached_by_tab(login, world, make_report):
    make_report(ReportStatus.ACCEPTED, period=SEPT)
    page = login(world.users.office_policy).get(reverse("ledger"), {"year": 2026}).content
    (box,) = html.fromstring(page).xpath("//div[contains(@class, 'ledger-scroll')]")
    assert box.get("tabindex") == "0" and box.get("role") == "region"
    assert box.get("aria-label")


def test_the_notification_filters_are_links_not_tabs(login, world):
    tree = html.fromstring(login(world.users.officer).get(reverse("notification-list")).content)
    assert not tree.xpath("//*[@role='tablist' or @role='tab']")
    (filters,) = tree.xpath("//ul[contains(@class, 'notification-tabs')]")
    assert filters.get("aria-label") == "通知筛选"
    assert [a.text_content().split()[0] for a in filters.xpath(".//a")] == ["全部", "未读"]


def test_an_invalid_field_says_so_and_is_described_by_its_error_and_help(login, world):
    """The member-unit form sent without a name and with a negative order: each field with an error is marked
    invalid and points at its error (and its help text), which exist under those ids; a valid field is not."""
    response = login(world.users.admin).post(reverse("member-unit-create"), {"name": "", "order": "-1"})
    assert response.status_code == 200  # the form again, with its errors
    tree = html.fromstring(response.content)
    name, order, short_name = (tree.get_element_by_id(f"id_{field}") for field in ("name", "order", "short_name"))
    assert name.get("aria-invalid") == "true" and name.get("aria-describedby") == "id_name-error"
    assert tree.get_element_by_id("id_name-error").text_content().strip() == "请填写成员单位名称。"
    assert order.get("aria-invalid") == "true" and order.get("aria-describedby") == "id_order-error id_order-help"
    assert tree.get_element_by_id("id_order-error").text_content().strip()
    assert "数字小的排在前面" in tree.get_element_by_id("id_order-help").text_content()
    assert short_name.get("aria-invalid") is None and short_name.get("aria-describedby") == "id_short_name-help"


def test_a_report_saved_with_errors_opens_on_a_summary_whose_items_lead_to_their_fields(
    login, world, make_report, full_values
):
    """The summary takes the focus on load (static/js/focus.js finds it by data-error-summary) and each of
    its errors is a link to the field it is about, which is marked invalid."""
    report = make_report(period=SEPT)
    data = {**full_values, "fixed_asset_investment": "-5", "action": "save"}
    tree = html.fromstring(login(world.users.officer).post(reverse("report-edit", args=[report.pk]), data).content)
    (summary,) = tree.xpath("//*[@data-error-summary]")
    assert summary.get("tabindex") == "-1" and summary.get("role") == "alert"
    links = summary.xpath(".//li/a")
    assert links and all(link.get("href").startswith("#id_") for link in links)
    field = tree.get_element_by_id(links[0].get("href")[1:])
    assert field.get("name") == "fixed_asset_investment" and field.get("aria-invalid") == "true"
    assert "不能为负数" in links[0].text_content()
    assert tree.xpath("//script[contains(@src, 'js/focus.js')]")


def test_a_project_rows_error_is_tied_to_its_field_and_listed_in_the_summary(login, world, make_report, full_values):
    """The report form's project rows are not built with form_field: their invalid fields carry the same marks."""

    report = make_report(period=SEPT)
    project = ledger.project_create(
        actor=world.users.officer, town=world.town, code="P-01", name="智能装备产业园一期", category="industry",
        total_investment=Decimal("50000"), annual_investment=Decimal("12000"),
    )  # fmt: skip
    data = {**full_values, f"p{project.pk}-investment_month": "八百", "action": "save"}
    tree = html.fromstring(login(world.users.officer).post(reverse("report-edit", args=[report.pk]), data).content)
    field = tree.get_element_by_id(f"id_p{project.pk}-investment_month")
    assert field.get("aria-invalid") == "true"
    error = tree.get_element_by_id(field.get("aria-describedby"))
    assert error.text_content().strip()
    assert tree.xpath(f"//*[@data-error-summary]//a[@href='#id_p{project.pk}-investment_month']")
    assert tree.get_element_by_id("id_evidence-report").get("aria-invalid") is None  # only what is wrong
