"""axe-core (npm, a devDependency) in a page: the WCAG 2.0/2.1 A and AA rules, their violations one line each.

The page is one served by through_client.py's server, which serves axe-core at AXE_PATH, a script of the page's own
origin: the Content-Security-Policy (scripts from the page's origin only, none inline) stays as in production.
"""

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/__axe__/axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe's findings, one line each: rule, impact, the first elements and what to fix.
RUN = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × ` +
    v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ") + " — " + (v.nodes[0].failureSummary || "").split("\\n")[1]);
}
"""


def need_axe() -> None:
    import pytest

    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make install-dev` (npm ci) installs axe-core")


def violations(page, where: str) -> list[str]:
    """What axe finds against WCAG 2.1 A and AA on the page as it stands, each line led by `where`."""
    page.add_script_tag(url=AXE_PATH)  # defines window.axe in this page
    return [f"{where}: {line}" for line in page.evaluate(RUN, WCAG_AA)]
