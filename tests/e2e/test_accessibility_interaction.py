"""Accessibility (issue 23) where it takes more than opening a page: the report form in its error state and the
dashboard's three levels (charts drawn) hold WCAG 2.1 A and AA (axe-core), and the report form works from the
keyboard at 200 % zoom (a 1280 × 900 window zoomed to 200 % shows a 640 × 450 px page):

- the first Tab reaches the 跳到主要内容 link, which moves the focus into the page's main content;
- Tab then reaches every field of the form and both buttons, and no field it reaches is hidden under the sticky
  save bar;
- after a save that fails, the focus is on the error summary, whose links move it to the fields they name;
- the city's ledger, as wide as a year of months, scrolls inside its own box, not the page sideways (the visually
  hidden words of its empty cells too).

The pages are answered by the test client in the test's transaction (through_client.py).
"""

import datetime

import pytest
from axe import violations
from browser import requests_in_flight, settle
from django.test import Client
from django.urls import reverse
from through_client import ThroughClient

from coordination.tests.factories import more_towns

ZOOMED = {"width": 640, "height": 450}  # 1280 × 900 at 200 %
# What the focus is on: the element's tag, name or id, its text, whether it is a field of the report form, and
# where it is against the window and the sticky save bar.
FOCUSED = """
() => {
  const element = document.activeElement;
  const box = element.getBoundingClientRect();
  const bar = document.querySelector(".form-actions");
  return {
    tag: element.tagName.toLowerCase(),
    name: element.getAttribute("name") || element.id || "",
    text: (element.innerText || "").trim(),
    field: !!element.closest("#report-form") && ["input", "select", "textarea"].includes(element.tagName.toLowerCase()),
    top: box.top,
    bottom: box.bottom,
    bar: bar && !bar.contains(element) ? bar.getBoundingClientRect().top : null,
  };
}
"""
# The report form's fields a person fills (not the hidden ones).
FIELDS = """
() => [...document.querySelectorAll("#report-form input, #report-form select, #report-form textarea")]
  .filter((field) => field.type !== "hidden" && field.offsetParent !== null).map((field) => field.name)
"""


def _signed_in(world, persona: str) -> Client:
    client = Client()
    client.force_login(getattr(world.users, persona))
    return client


def _failed_save(page) -> None:
    """The report form sent back by a save with a negative investment."""
    page.fill("input[name=fixed_asset_investment]", "-100")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_selector("[data-error-summary]")


def test_the_report_form_with_errors_and_the_dashboards_meet_wcag_2_1_aa(request, world, make_report):
    report = make_report("draft")
    browser = ThroughClient(request.session, _signed_in(world, "officer"))
    form = browser.origin + reverse("report-edit", args=[report.pk])
    dashboards = [
        reverse("dashboard"),
        f"{reverse('dashboard')}?level=district&id={world.dongli.pk}",
        f"{reverse('dashboard')}?level=town&id={world.town.pk}",
    ]

    def with_errors(page) -> list[str]:
        page.goto(form)
        _failed_save(page)
        return violations(page, "officer: the report form with errors")

    def the_dashboards(page) -> list[str]:
        in_flight = requests_in_flight(page)
        problems = []
        for path in dashboards:
            page.goto(browser.origin + path)
            settle(page, in_flight)
            page.wait_for_selector("[data-chart-table]", state="attached")
            problems += violations(page, f"office_policy {path}")
        return problems

    problems = browser.run(with_errors)
    browser.client = _signed_in(world, "office_policy")
    assert problems + browser.run(the_dashboards) == []


def test_the_report_form_works_from_the_keyboard_at_200_percent_zoom(request, world, make_report):
    report = make_report("draft")
    browser = ThroughClient(request.session, _signed_in(world, "officer"))
    form = browser.origin + reverse("report-edit", args=[report.pk])

    def by_keyboard(page) -> dict:
        page.emulate_media(reduced_motion="reduce")  # no smooth scrolling: a field's place is final when read
        page.set_viewport_size(ZOOMED)
        page.goto(form)
        page.keyboard.press("Tab")
        seen = {"first": page.evaluate(FOCUSED)}
        page.keyboard.press("Enter")
        seen["after skip"] = page.evaluate("() => document.activeElement.id")
        reached, hidden = [], []
        for _ in range(200):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused["field"]:
                reached.append(focused["name"])
                if focused["top"] < 0 or (focused["bar"] is not None and focused["bottom"] > focused["bar"]):
                    hidden.append(focused["name"])
            elif focused["tag"] == "button":
                reached.append(focused["text"])
            if focused["text"] == "提交审核":
                break
        seen.update(fields=page.evaluate(FIELDS), reached=reached, hidden=hidden)
        _failed_save(page)  # the page was opened at …#main if the skip link put it in the address
        seen["after failed save"] = page.evaluate("() => document.activeElement.matches('[data-error-summary]')")
        page.keyboard.press("Tab")  # to the summary's first link
        page.keyboard.press("Enter")
        seen["after summary link"] = page.evaluate("() => document.activeElement.name")
        return seen

    seen = browser.run(by_keyboard)
    assert (seen["first"]["text"], seen["after skip"]) == ("跳到主要内容", "main")
    assert set(seen["fields"]) <= set(seen["reached"]), set(seen["fields"]) - set(seen["reached"])
    assert {"保存草稿", "提交审核"} <= set(seen["reached"])
    assert seen["hidden"] == [], "fields reached by Tab but hidden under the save bar"
    assert seen["after failed save"], "the focus is not on the error summary after a failed save"
    assert seen["after summary link"] == "fixed_asset_investment"


def test_the_citys_ledger_does_not_scroll_the_page_sideways_at_200_percent_zoom(request, world, make_report):
    make_report("accepted")
    # A town that reports from July: its earlier months are cells that say, visually hidden, 不需报送.
    more_towns(world.dongli, [3], code="T01", name="金桥新城小镇", reporting_from=datetime.date(2026, 7, 1))
    browser = ThroughClient(request.session, _signed_in(world, "office_policy"))

    def ledger(page) -> dict:
        page.set_viewport_size(ZOOMED)
        page.goto(f"{browser.origin}{reverse('ledger')}?year=2026")
        return page.evaluate(
            """() => ({sideways: document.documentElement.scrollWidth - document.documentElement.clientWidth,
                       boxScrolls: [...document.querySelectorAll(".ledger-scroll")]
                         .some((box) => box.scrollWidth > box.clientWidth)})"""
        )

    assert browser.run(ledger) == {"sideways": 0, "boxScrolls": True}


pytestmark = pytest.mark.django_db
