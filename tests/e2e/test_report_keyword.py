"""Browser check of the reports' keyword (issue 19): the search's 查看全部 for 月报 opens 月报管理 listing as many
reports as the search counted, and the list's keyword box shows whole what it matches (小镇、区、月份或状态)
at a laptop's, a desktop's and a phone's width.

The browser, its thread and the database's restoration are test_browser_flows' (see its docstring).
"""

import datetime

import pytest
from django.urls import reverse
from test_browser_flows import database_as_found, in_browser, log_in  # noqa: F401 (fixtures and steps shared)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SEPT, OCT = datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)
KEYWORD = "东丽区 2026年10月"

# Whether the placeholder fits inside the box (its text measured in the box's own font, against the room left
# inside the padding).
PLACEHOLDER_FITS = """
(input) => {
  const style = getComputedStyle(input);
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {placeholder: input.placeholder, fits: context.measureText(input.placeholder).width <= room};
}
"""


def test_the_searchs_more_link_lists_the_reports_it_counted_and_the_box_says_what_it_matches(
    in_browser,  # noqa: F811 (the fixture imported above)
    live_server,
    world,
    make_report,
):
    make_report("submitted", period=OCT)
    make_report("district_approved", town=world.town2, period=OCT)
    make_report("submitted", town=world.town2, period=SEPT)
    make_report("submitted", town=world.outsider_town, period=OCT)
    base = live_server.url

    def visit(page) -> dict:
        seen = {}
        log_in(page, base, "office-policy")
        for width in (1280, 1440, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{base}{reverse('search')}?q={KEYWORD}")
            section = page.locator("#search-reports")
            counted = section.locator(".card-header .small").inner_text()
            section.get_by_role("link", name="查看全部").click()
            page.wait_for_url("**/reports/?q=*")
            listed = page.locator("main").get_by_text("共 ", exact=False).first.inner_text()
            box = page.locator("#id_q")
            seen[width] = (
                counted.split("|")[0].strip(),
                listed.strip(),
                box.input_value(),
                box.evaluate(PLACEHOLDER_FITS),
            )
        return seen

    for width, (counted, listed, typed, box) in in_browser(visit).items():
        assert (counted, listed, typed) == ("共 2 条", "共 2 份", KEYWORD), width
        assert box == {"placeholder": "小镇、区、月份或状态", "fits": True}, width
