"""API fuzzing: schemathesis generates requests from /api/schema/ for every operation and sends them as
two roles (dongli's information officer, who writes, and the office's policy group, who accepts).
No answer may be a server error, and every documented answer must match its schema.

Bounded for CI: a few examples per operation, no shrinking, and the whole module must take less than
TIME_BUDGET seconds (checked by the last test).
"""

import datetime
import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from conftest import report_maker, rolled_back
from coordination.services.tokens import api_token_issue
from tianjin_towns.wsgi import application

MAX_EXAMPLES = 10
TIME_BUDGET = 120  # seconds for the whole module
ROLES = ("officer", "office_policy")
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module", autouse=True)
def started() -> float:
    return time.monotonic()


@pytest.fixture
def in_process_wsgi():
    """Requests go through the WSGI app in this thread, inside the test's transaction: Django must not close
    the connection at the end of each request (its own test client disconnects the same receivers)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# The schema is read once, at collection, from the app itself (generating it touches no database).
# Fuzzing only (random valid and invalid inputs, MAX_EXAMPLES per operation): the coverage phase's
# exhaustive boundary cases would take several minutes once every app has its API.
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)


@pytest.fixture(scope="module")
def prepared(_module_world, django_db_blocker):
    """A report in each state, so that generated ids sometimes hit real objects, and an API token of each role:
    made once for the module, inside its transaction; each operation's test runs in a savepoint within it, so
    what its requests change (a token revoked, a report submitted) is back for the next."""
    with rolled_back(django_db_blocker):
        with django_db_blocker.unblock():
            make_report = report_maker(_module_world)
            for month, status in ((6, "draft"), (7, "submitted"), (8, "district_approved")):
                make_report(status, period=datetime.date(2026, month, 1))
            keys = {
                role: api_token_issue(user=getattr(_module_world.users, role), name="schemathesis").key
                for role in ROLES
            }
        yield keys


@pytest.fixture
def keys(prepared, db, in_process_wsgi) -> dict[str, str]:
    """The roles' API tokens (a test that revokes one replaces it in its own copy)."""
    return dict(prepared)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases on every run: a failure in CI reproduces locally
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_has_no_server_errors_and_answers_as_documented(case, world, keys):
    for role in ROLES:
        if case.method.upper() == "DELETE" and case.path == "/api/v1/auth/token/":
            keys[role] = api_token_issue(user=getattr(world.users, role)).key  # the call revokes the one it presents
        case.call_and_validate(headers={"Authorization": f"Token {keys[role]}"}, checks=CHECKS)


def test_fuzzing_stays_within_its_time_budget(started):
    assert time.monotonic() - started < TIME_BUDGET
