"""The page tests' client: `login(user)` is the test's Django client, logged in as that user (the pages'
counterpart of conftest's `api`). A test module takes it with `login = clients.login`. Also what the navigation bar
shows a user (`bar_entries`) and the badges its pages get (`nav_counts`)."""

import pytest


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def nav_counts(client) -> dict:
    """The navigation bar's badges as the signed-in client's pages get them (GET /nav/counts/, nav_counts.js)."""
    from django.urls import reverse

    response = client.get(reverse("nav-counts"))
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    return response.json()


def bar_entries(user) -> list[tuple[str, str, str]]:
    """(URL name, label, URL) of every entry the navigation bar shows the user, dropdown links and plain links alike
    (NAV_MENUS as coordination.templatetags.navigation_tags.nav_menus draws it)."""
    from coordination.templatetags.navigation_tags import nav_menus

    shown = []
    for entry in nav_menus(user, None):
        menu = entry["menu"]
        if "links" in entry:
            shown += [(item["link"].url_name, str(item["link"].label), item["url"]) for item in entry["links"]]
        else:
            shown.append((menu.url_name, str(menu.label), entry["url"]))
    return shown
