"""Browser check of the layout at a laptop's, a desktop's and a phone's width (issue 19): every page of the
navigation menus of the office's policy group and of the administrator at 1280, 1440 and 390 px, and of a
district's information officer (who works on site) on a phone, with a little of everything in the lists.

Nothing inside the main content may stick out of the window unless it sits in a box that scrolls sideways,
the page itself never scrolls sideways, and a box that scrolls shows it (a fade or a shadow at the edge that
hides content). The year's assessments list (督查考核) shows its last column, 操作, on a laptop and a
desktop; on a phone it is in view or its box scrolls. A district's report form keeps each project's
本月完成投资 field in view on a phone.

Each page is loaded once per persona, at the persona's first width, and settled (what it asks for after loading,
the navigation bar's counts or the dashboard's cadence panel, answered and shown); then it is checked at each of
the persona's widths, the window resized in between. A page resized to a width is laid out as one opened at it:
the stylesheet's media queries follow the window, and the one script that lays out for its width, the dashboard's
charts, redraws on resize (every element's box compared over all the pages and widths: the same). A script that
read the window's width once, on loading, would need the page opened again at each width.
The browser, its thread and the database's restoration are test_browser_flows' (see its docstring).
"""

import pytest
from browser import nav_pages, requests_in_flight, resize, settle  # tests/e2e/browser.py, beside this module
from django.urls import reverse
from test_browser_flows import database_as_found, in_browser, log_in  # noqa: F401 (fixtures and steps shared)

from assessments.models import RunKind
from assessments.tests.factories import make_run, make_scheme, publish
from coordination.models import MeetingKind
from coordination.tests.factories import make_meeting
from ledgers.tests.factories import make_project, write_work_info

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTHS = (1280, 1440, 390)
PHONE = 390
PERSONAS = {"office-policy": WIDTHS, "admin": WIDTHS, "dongli-officer": (PHONE,)}

# What sticks out of the window in <main>, outside any box that scrolls sideways; how far the page itself
# scrolls sideways; and the boxes that scroll sideways without a cue.
OVERFLOW = """
() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (element) => ["auto", "scroll"].includes(getComputedStyle(element).overflowX);
  const name = (element) => element.tagName.toLowerCase() + (element.className && typeof element.className === "string"
    ? "." + element.className.trim().split(/\\s+/).join(".") : "") + " «" + (element.innerText || "").trim().slice(0, 20) + "»";
  const outside = [];
  const uncued = [];
  for (const element of document.querySelectorAll("main *")) {
    const box = element.getBoundingClientRect();
    if (scrolls(element) && element.scrollWidth > element.clientWidth + 1) {
      const style = getComputedStyle(element);
      if (style.maskImage === "none" && style.backgroundImage === "none") uncued.push(name(element));
    }
    if (!box.width || !box.height || (box.left >= -1 && box.right <= width + 1)) continue;
    let scrolled = false;
    for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
      if (scrolls(parent)) { scrolled = true; break; }
    }
    if (!scrolled) outside.push(name(element));
  }
  return {outside: outside.slice(0, 5), uncued: uncued.slice(0, 5),
          sideways: document.documentElement.scrollWidth - width};
}
"""

# Where the last column of the first table in <main> (its header cell) ends against the box that shows it.
LAST_COLUMN = """
(table) => {
  const box = table.parentElement;
  const cell = table.querySelector("thead tr th:last-child").getBoundingClientRect();
  const style = getComputedStyle(box);
  return {
    visible: cell.right <= box.getBoundingClientRect().right + 1,
    scrolls: ["auto", "scroll"].includes(style.overflowX) && box.scrollWidth > box.clientWidth,
    label: table.querySelector("thead tr th:last-child").innerText.trim(),
  };
}
"""


def _lists(world) -> None:
    """Rows in the lists: the year's two assessments (one published), two meetings, a project, work information."""
    scheme = make_scheme(world, 2026)
    publish(world, make_run(world, scheme, points=12))
    make_run(world, scheme, RunKind.ANNUAL)
    make_meeting(world, title="东丽区特色小镇建设工作10月例会暨华明智能制造小镇产业园二期用地报批协调会")
    make_meeting(
        world, kind=MeetingKind.DISTRICT_ONSITE, held=False, title="东丽区特色小镇现场推动会（东丽湖温泉小镇）"
    )
    make_project(world)
    write_work_info(world, submit=True)


def test_no_list_page_sticks_out_of_the_window_at_laptop_desktop_and_phone_widths(
    in_browser,  # noqa: F811 (the fixture imported above)
    live_server,
    world,
):
    _lists(world)
    base = live_server.url

    def visit(page) -> list[str]:
        in_flight = requests_in_flight(page)
        problems = []
        for persona, widths in PERSONAS.items():
            log_in(page, base, persona)
            pages = nav_pages(page)
            assert len(pages) > 10, pages
            for path in pages:
                page.set_viewport_size({"width": widths[0], "height": 900})
                page.goto(base + path)
                settle(page, in_flight)
                for width in widths:
                    resize(page, width, 900)
                    found = page.evaluate(OVERFLOW)
                    where = f"{persona} {width}px {path}"
                    if found["sideways"] > 0:
                        problems.append(f"{where}: the page scrolls sideways by {found['sideways']} px")
                    problems += [f"{where}: sticks out: {name}" for name in found["outside"]]
                    problems += [f"{where}: scrolls without a cue: {name}" for name in found["uncued"]]
        return problems

    assert in_browser(visit) == []


def test_the_assessments_last_column_and_the_months_investment_fields_stay_in_view(
    in_browser,  # noqa: F811
    live_server,
    world,
    make_report,
):
    _lists(world)
    report = make_report("draft")
    base = live_server.url
    overview = f"{base}{reverse('assessment-overview')}?year=2026"
    report_form = f"{base}{reverse('report-edit', args=[report.pk])}"

    def visit(page) -> dict:
        seen = {}
        log_in(page, base, "office-assess")
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        page.goto(overview)
        for width in WIDTHS:
            resize(page, width, 900)
            seen[width] = page.locator("main table").first.evaluate(LAST_COLUMN)
        log_in(page, base, "dongli-officer")
        page.set_viewport_size({"width": PHONE, "height": 844})
        page.goto(report_form)
        field = page.get_by_label("智能装备产业园 本月完成投资")
        seen["field"] = field.evaluate(
            "input => [input.getBoundingClientRect().right, input.closest('.table-responsive').getBoundingClientRect().right]"
        )
        return seen

    seen = in_browser(visit)
    for width in (1280, 1440):
        assert seen[width] == {"visible": True, "scrolls": False, "label": "操作"}, width
    assert seen[PHONE]["label"] == "操作" and (seen[PHONE]["visible"] or seen[PHONE]["scrolls"])
    field_right, box_right = seen["field"]
    assert field_right <= box_right, "the month's investment field is off the right edge of the phone's screen"
