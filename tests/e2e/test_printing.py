"""Browser check of printing (issue 19): the report page and the ledger print on A4 without the navigation, the
buttons and the filters, their tables unboxed so that they split across pages with the header row repeated on
each; the dashboard's charts are redrawn to the printed panel instead of being cut at its right edge.

The browser, its thread and the database's restoration are test_browser_flows' (see its docstring).
"""

import pytest
from browser import after_two_frames  # tests/e2e/browser.py, beside this module
from django.urls import reverse
from test_browser_flows import database_as_found, in_browser, log_in  # noqa: F401 (fixtures and steps shared)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# What print media leaves on the page: the navigation bar and buttons shown, the first table's header display,
# and the horizontal overflow of the boxes around tables (visible: the table may run onto the next page).
PRINTED = """
() => {
  const shown = (element) => element && getComputedStyle(element).display !== "none" && element.getClientRects().length > 0;
  const table = document.querySelector("main table");
  return {
    navbar: shown(document.querySelector("nav.app-navbar")),
    buttons: [...document.querySelectorAll("main .btn")].filter(shown).map((b) => b.innerText.trim()).slice(0, 5),
    header: table ? getComputedStyle(table.querySelector("thead")).display : null,
    boxed: [...document.querySelectorAll("main .table-responsive")].filter(
      (box) => getComputedStyle(box).overflowX !== "visible").length,
  };
}
"""

# Each chart's box, its canvas as laid out, and the width the canvas was drawn at (a chart only scaled down by
# CSS is blurred and its labels shrunk; redrawn, it fits its box at full resolution).
CHARTS = """
() => [...document.querySelectorAll("[_echarts_instance_]")].map((element) => {
  const canvas = element.querySelector("canvas");
  return {id: element.id, box: element.clientWidth, canvas: canvas ? canvas.getBoundingClientRect().width : 0,
          pixels: canvas ? canvas.width : 0};
})
"""


def test_the_report_and_the_ledger_print_without_the_screens_furniture(
    in_browser,  # noqa: F811 (the fixture imported above)
    live_server,
    make_report,
):
    report = make_report("accepted")
    base = live_server.url

    def visit(page) -> dict:
        log_in(page, base, "office-policy")
        seen = {}
        for name, path in (
            ("report", reverse("report-detail", args=[report.pk])),
            ("ledger", f"{reverse('ledger')}?year=2026"),
        ):
            page.goto(base + path)
            assert page.evaluate(PRINTED)["navbar"], "the screen shows the navigation bar"
            page.emulate_media(media="print")
            seen[name] = page.evaluate(PRINTED)
            page.emulate_media(media="screen")
        return seen

    seen = in_browser(visit)
    for name in ("report", "ledger"):
        assert seen[name] == {"navbar": False, "buttons": [], "header": "table-header-group", "boxed": 0}, name


def test_the_dashboards_charts_are_redrawn_to_the_printed_page(
    in_browser,  # noqa: F811
    live_server,
    make_report,
):
    make_report("accepted")
    base = live_server.url

    def visit(page) -> tuple[list, list]:
        page.set_viewport_size({"width": 1000, "height": 900})  # the charts drawn wider than the printed panel
        log_in(page, base, "office-policy")
        page.goto(f"{base}{reverse('dashboard')}?year=2026")
        page.wait_for_function("document.querySelectorAll('[_echarts_instance_] canvas').length > 0")
        on_screen = page.evaluate(CHARTS)
        page.emulate_media(media="print")
        after_two_frames(page)  # the print media query's listeners (static/js/chart_print.js) have run
        return on_screen, page.evaluate(CHARTS)

    on_screen, printed = in_browser(visit)
    assert on_screen and len(printed) == len(on_screen)
    for screen, chart in zip(on_screen, printed, strict=True):
        assert chart["canvas"] <= chart["box"] + 1, f"chart {chart['id']} is cut at the printed panel's edge: {chart}"
        resolution = screen["pixels"] / screen["box"]  # the canvas's pixels per CSS pixel, as ECharts draws
        assert chart["pixels"] <= resolution * chart["box"] + 2, (
            f"chart {chart['id']} is not redrawn for print: {chart}"
        )
