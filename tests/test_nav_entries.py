"""The navigation bar offers each user only what they can use, named as the page it opens (issue 19): every
persona × every entry of NAV_MENUS it is shown, opened as that persona, is the page itself, not a 403 and not a
page that says the user may not use it."""

import html
import re

import pytest

from coordination.templatetags.navigation_tags import NAV_MENUS
from tests import clients
from tests.personas import EVERY_PERSONA

login = clients.login

# What a page says to someone it will not serve (templates/403.html, an empty state such as "您没有填报权限").
REFUSALS = re.compile(r"没有权限|您没有.{0,8}权限|无权")
# Django's admin names its home page 后台管理首页 in its own layout, which has no page title of the platform's.
NOT_PLATFORM_PAGES = {"admin:index"}


def _titles(page: str) -> set[str]:
    """The names a page gives itself: its document title (before " · ") and its heading (without the
    grey addition after it, e.g. the year)."""
    titles = set()
    if match := re.search(r"<title>(.*?)</title>", page, re.S):
        titles.add(html.unescape(match.group(1)).split(" · ")[0].strip())
    if match := re.search(r'<h1 class="page-title">(.*?)(?:<span class="page-title-sub">|</h1>)', page, re.S):
        titles.add(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip())
    return titles


def _main(page: str) -> str:
    """The page without its navigation bar (whose entries are not what the page says)."""
    return re.sub(r"<nav class=\"navbar.*?</nav>", "", page, flags=re.S)


@pytest.mark.parametrize("persona", EVERY_PERSONA)
def test_every_entry_the_bar_shows_opens_a_page_the_user_may_use_named_as_the_entry(login, world, persona):
    user = getattr(world.users, persona)
    client = login(user)
    wrong = []
    for url_name, label, url in clients.bar_entries(user):
        response = client.get(url)
        page = response.content.decode()
        if response.status_code != 200:
            wrong.append(f"{label} ({url}): {response.status_code}")
        elif refusal := REFUSALS.search(_main(page)):
            wrong.append(f"{label} ({url}): says “{refusal.group()}”")
        elif url_name not in NOT_PLATFORM_PAGES and label not in _titles(page):
            wrong.append(f"{label} ({url}): the page is called {sorted(_titles(page))}")
    assert wrong == []


def test_every_entry_is_shown_to_someone(world):
    """So that the test above opens every entry of the table."""
    shown = {
        url_name
        for persona in EVERY_PERSONA
        for url_name, _label, _url in clients.bar_entries(getattr(world.users, persona))
    }
    entries = {menu.url_name for menu in NAV_MENUS if menu.url_name}
    entries |= {link.url_name for menu in NAV_MENUS for link in menu.links}
    assert entries - shown == set()


@pytest.mark.parametrize(
    "persona, offered",
    [
        ("officer", True),
        ("outsider", True),
        ("admin", True),
        ("reviewer", False),
        ("office_policy", False),
        ("office_coord", False),
        ("leader", False),
    ],
)
def test_the_excel_import_is_offered_to_those_who_fill_a_districts_reports(world, persona, offered):
    """The import page tells everybody else 您没有填报权限: the office, the leaders and the district reviewers."""
    shown = {url_name for url_name, _label, _url in clients.bar_entries(getattr(world.users, persona))}
    assert ("ledger-import" in shown) is offered


def test_the_assessment_overview_is_called_as_its_page(world):
    labels = {url_name: label for url_name, label, _url in clients.bar_entries(world.users.office_assess)}
    assert labels["assessment-overview"] == "督查考核"


def test_the_admin_points_to_pages_by_the_names_the_bar_gives_them():
    """A read-only admin page says where its change is made (admin_site.PRODUCT_PAGES): menu › entry as drawn."""
    from tianjin_towns.admin_site import PRODUCT_PAGES

    drawn = {menu.url_name: str(menu.label) for menu in NAV_MENUS if menu.url_name}
    drawn |= {link.url_name: f"{menu.label} › {link.label}" for menu in NAV_MENUS for link in menu.links}
    named = {url_name: str(label) for url_name, label in PRODUCT_PAGES.items() if url_name in drawn}
    assert named == {url_name: drawn[url_name] for url_name in named}


def test_the_bars_links_follow_the_address_the_platform_is_served_under():
    """The bar's links are reversed once and remembered (tianjin_towns.lib.routes.named_url): served under a
    prefix (a reverse proxy's /towns/, SCRIPT_NAME), they must carry that prefix, and the prefix alone."""
    from django.urls import get_script_prefix, reverse, set_script_prefix

    from tianjin_towns.lib.routes import named_url

    before = get_script_prefix()
    try:
        assert named_url("dashboard") == reverse("dashboard") == "/dashboard/"
        set_script_prefix("/towns/")
        assert named_url("dashboard") == reverse("dashboard") == "/towns/dashboard/"
        set_script_prefix("/")
        assert named_url("dashboard") == "/dashboard/"
    finally:
        set_script_prefix(before)
