"""WCAG 2.1 A and AA in the browser (issue 23), held by axe-core (npm, a devDependency): every page the navigation
menus offer the office, the administrator and a district's officer, the report form in its error state, and the
dashboard at the city, district and town levels. No rule of the WCAG 2.0/2.1 A and AA tags may be violated.

axe runs in the page through DevTools (page.evaluate), so the Content-Security-Policy that forbids inline scripts
stays in force for the page itself. The browser, its thread and the database's restoration are
test_browser_flows' (see its docstring).
"""

from pathlib import Path

import pytest
from django.urls import reverse
from test_browser_flows import database_as_found, in_browser, log_in  # noqa: F401 (fixtures and steps shared)
from test_layout_widths import _lists, _nav_pages

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PERSONAS = ("office-policy", "admin", "dongli-officer")
# axe's findings, one line each: rule, impact, the first elements and what to fix.
RUN = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × ` +
    v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ") + " — " + (v.nodes[0].failureSummary || "").split("\\n")[1]);
}
"""


def _violations(page, where: str, axe_source: str) -> list[str]:
    page.evaluate(axe_source)  # defines window.axe in this page
    return [f"{where}: {line}" for line in page.evaluate(RUN, WCAG_AA)]


@pytest.fixture
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make install-dev` (npm ci) installs axe-core")
    return AXE.read_text(encoding="utf-8")


# One test per persona (and one for the error state and the dashboards), so that the run's workers share them.
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_a_persona_reaches_meets_wcag_2_1_aa(
    in_browser,  # noqa: F811 (the fixture imported above)
    live_server,
    world,
    axe_source,
    persona,
):
    _lists(world)
    base = live_server.url

    def visit(page) -> tuple[int, list[str]]:
        log_in(page, base, persona)
        paths = ["/", *_nav_pages(page)]
        problems = []
        for path in paths:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            problems += _violations(page, f"{persona} {path}", axe_source)
        return len(paths), problems

    seen, problems = in_browser(visit)
    assert seen > 12  # the persona's menus
    assert problems == []


def test_the_report_form_with_errors_and_the_dashboards_meet_wcag_2_1_aa(
    in_browser,  # noqa: F811
    live_server,
    world,
    make_report,
    axe_source,
):
    report = make_report("draft")
    base = live_server.url
    dashboards = [
        reverse("dashboard"),
        f"{reverse('dashboard')}?level=district&id={world.dongli.pk}",
        f"{reverse('dashboard')}?level=town&id={world.town.pk}",
    ]

    def visit(page) -> list[str]:
        # The report form sent back with errors (its summary, invalid fields and their messages).
        log_in(page, base, "dongli-officer")
        page.goto(f"{base}{reverse('report-edit', args=[report.pk])}")
        page.fill("input[name=fixed_asset_investment]", "-100")
        page.get_by_role("button", name="保存草稿").click()
        page.wait_for_selector("[data-error-summary]")
        problems = _violations(page, "dongli-officer report form with errors", axe_source)
        # The dashboard's three levels, charts drawn.
        log_in(page, base, "office-policy")
        for path in dashboards:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            problems += _violations(page, f"office-policy {path}", axe_source)
        return problems

    assert in_browser(visit) == []
