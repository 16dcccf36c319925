"""Query counts, for the tests that a page or an API answer makes no query per row."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_of_get(client, url: str, params=None) -> int:
    """How many queries a GET of `url` makes (it must answer 200), after a first GET has warmed what is read
    once and kept (the session, content types, the working-day calendar)."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)
