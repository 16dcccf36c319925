"""WCAG 2.1 A and AA on every page each persona reaches (issue 23), held by axe-core in Chromium.

The pages: each persona's home page and the pages its navigation menus offer, for every persona of the world (the
administrator and xiqing's reviewing leader too); and every page of the permission matrix (tests/
test_permission_matrix.py): each GET row of a page route, for each persona the row lets in (anonymous for a public
row), its object built as the matrix builds it, that answers with a whole HTML page (downloads, fragments and
redirects are not pages). The lists hold rows (the year's assessments, meetings, a project, work information).

The pages are answered by the test client in the test's transaction (through_client.py), so nothing commits. A
page whose <main> is the same as one this test process has checked already (the office's four groups mostly see
the same lists) is not checked again: what axe judges there is the same markup, and the navigation bar around it is
checked with each persona's home page, which is checked whole. One test per object of the matrix, and per
persona for the pages without one, so that the run's workers share them.
"""

import hashlib
import re
from urllib.parse import urlencode

import pytest
from axe import violations
from browser import requests_in_flight, settle
from django.test import Client
from django.urls import reverse
from test_layout_widths import _lists
from through_client import ThroughClient

from tests import clients
from tests.personas import EVERY_PERSONA
from tests.test_permission_matrix import ADMINS, ANONYMOUS, ROWS, TARGETS, USERS, _route_of, _url_kwargs

# The matrix's GET rows of pages, by the name of the object they open (None: no object).
PAGE_ROWS: dict = {}
for _row in ROWS:
    if _row.method == "GET" and not _route_of(_row).is_api and _row.name != "admin:index":
        PAGE_ROWS.setdefault(_row.target, []).append(_row)

CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=|name="csrf-token" content=)"[^"]*"')
MAIN = re.compile(rb"<main\b.*</main>", re.S)
# The <main> of every page checked in this process (`_key_of`), whichever test checked it.
CHECKED: set[str] = set()


def _whole_page(answer) -> bool:
    status, headers, body = answer
    return status == 200 and headers.get("Content-Type", "").startswith("text/html") and b"<main" in body


def _key_of(body: bytes, whole: bool) -> str:
    """What tells two answers' pages apart for axe: the <main> element (the whole page if `whole`), its CSRF tokens
    aside."""
    found = None if whole else MAIN.search(body)
    return hashlib.sha256(CSRF.sub(rb"\1", found.group(0) if found else body)).hexdigest()


def _client(world, persona: str) -> Client:
    client = Client()
    if persona != ANONYMOUS:
        client.force_login(getattr(world.users, persona))
    return client


def _check(browser: ThroughClient, visits: list[tuple[str, Client, list[str]]]) -> tuple[int, list[str]]:
    """axe over each path of visits, each (persona, its client, paths), that is a whole page whose <main> was not
    checked before (CHECKED; a home page as a whole, navigation bar and all), all in one browser; returns how many
    of them were whole pages and what axe found."""
    pages, to_check = 0, []
    for persona, client, paths in visits:
        browser.client = client
        for path in paths:
            answer = browser.get(path)
            if _whole_page(answer):
                pages += 1
                if (key := _key_of(answer[2], whole=path == "/")) not in CHECKED:
                    CHECKED.add(key)
                    browser.keep(path, answer)
                    to_check.append((persona, client, path))

    def visit(page) -> list[str]:
        in_flight = requests_in_flight(page)
        problems = []
        for persona, client, path in to_check:
            browser.client = client  # for the page and what it asks for after loading
            page.goto(browser.origin + path)
            settle(page, in_flight)
            problems += violations(page, f"{persona} {path}")
        return problems

    return pages, browser.run(visit) if to_check else []


def _row_path(row, target) -> str:
    route = _route_of(row)
    kwargs = row.kwargs(target) if row.kwargs else ({} if target is None else _url_kwargs(route, target))
    path = reverse(row.name, kwargs=kwargs)
    return f"{path}?{urlencode(row.query)}" if row.query else path


def _who_opens(row) -> list[str]:
    """The personas the row lets in, the three administrators (三员分立) too; a row that lets in none of the matrix's
    personas is a superuser's (whom the matrix leaves out)."""
    if not row.ok and not row.admins and not row.public:
        return ["admin"]
    return sorted(row.ok) + sorted(row.admins) + ([ANONYMOUS] if row.public else [])


@pytest.mark.parametrize("persona", [*EVERY_PERSONA, ANONYMOUS])
def test_the_menus_and_the_pages_without_an_object_meet_wcag_2_1_aa(request, world, persona):
    _lists(world)
    client = _client(world, persona)
    browser = ThroughClient(request.session, client)
    paths = ["/"]
    if persona != ANONYMOUS:  # the menus' pages (the Django admin aside)
        entries = clients.bar_entries(getattr(world.users, persona))
        paths += [url for _name, _label, url in entries if url.startswith("/") and not url.startswith("/admin/")]
    paths += [_row_path(row, None) for row in PAGE_ROWS[None] if persona in _who_opens(row)]
    pages, problems = _check(browser, [(persona, client, list(dict.fromkeys(paths)))])
    # The login and password reset pages; the security and audit administrators' few pages; a persona's menus.
    assert pages >= {ANONYMOUS: 5, "security": 2, "auditor": 2}.get(persona, 20)
    assert problems == []


# The matrix's objects that no persona of its opens as a page: files (downloads) and a notification (a redirect to what
# it is about).
NO_PAGE = frozenset(
    {
        "evidence",
        "evidence_event",
        "given_plan_opinion",
        "issued_minutes",  # a file as issued (公文登记 lists it; the meeting's page shows it)
        "meeting_attachment",
        "notification",
        "plan_attachment",
        "project_attachment",
        "visit_file",
    }
)


@pytest.mark.parametrize("target", sorted(name for name in PAGE_ROWS if name is not None and name not in NO_PAGE))
def test_the_pages_of_each_object_meet_wcag_2_1_aa_for_everyone_who_opens_them(request, world, target):
    built = TARGETS[target](world)
    rows = PAGE_ROWS[target]
    visits = []
    for persona in sorted(USERS | ADMINS | {ANONYMOUS, "admin"}):
        paths = [_row_path(row, built) for row in rows if persona in _who_opens(row)]
        if paths:
            visits.append((persona, _client(world, persona), paths))
    pages, problems = _check(ThroughClient(request.session, None), visits)
    assert pages > 0, f"no persona opens a page of {target}: add it to NO_PAGE"
    assert problems == []
