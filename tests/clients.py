"""The page tests' client: `login(user)` is the test's Django client, logged in as that user (the pages'
counterpart of conftest's `api`). A test module takes it with `login = clients.login`."""

import pytest


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user
