"""The page tests' client: `login(user)` is the test's Django client, logged in as that user (the pages'
counterpart of conftest's `api`). A test module takes it with `login = clients.login`."""

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
