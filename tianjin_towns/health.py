"""GET /healthz: is the database reachable, is the broker reachable; what every other page answers when the
database is not (a 503 that says so, fast, instead of a 500); and the error handlers (pages render their
template, API paths answer JSON)."""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger("tianjin_towns.health")
RETRY_AFTER_SECONDS = 30


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


_broker_clients: dict = {}  # by broker URL: one client and its connection pool per process


def _broker_ok() -> bool:
    import redis

    try:
        # A client made afresh for every probe (its pool, its driver info) cost 3-5 ms of CPU, half the probe's, and
        # the deadline-day load test probes before every step (docs/performance.md, "Load and faults").
        client = _broker_clients.get(settings.CELERY_BROKER_URL)
        if client is None:
            client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1)
            _broker_clients[settings.CELERY_BROKER_URL] = client
        return bool(client.ping())
    except Exception:
        return False


@never_cache
@require_GET
def healthz(request):
    database = _database_ok()
    body = {"database": "ok" if database else "unavailable", "broker": "ok" if _broker_ok() else "unavailable"}
    return JsonResponse(body, status=200 if database else 503)


def database_unavailable(request, exception: Exception) -> HttpResponse:
    """503 while PostgreSQL is unreachable: JSON for the API, the 503 page for browsers.

    Renders without the request's context: the navbar would ask the database for the user.
    """
    log.error("database unavailable: %s", str(exception).strip().splitlines()[0] if str(exception).strip() else "")
    if request.path.startswith("/healthz"):  # a middleware met the outage before the view: still JSON
        broker = "ok" if _broker_ok() else "unavailable"
        response = JsonResponse({"database": "unavailable", "broker": broker}, status=503)
    elif request.path.startswith("/api/"):
        response = JsonResponse({"detail": _("数据库暂时无法访问，请稍后重试。")}, status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """handler500: a database outage outside a view (a session save, a middleware) is a 503 too; an API path
    answers JSON."""
    exception = sys.exc_info()[1]
    if isinstance(exception, (OperationalError, InterfaceError)):
        return database_unavailable(request, exception)
    if request.path.startswith(("/api/", "/healthz")):
        return JsonResponse({"detail": _("服务器内部错误，请稍后重试。")}, status=500)
    return defaults.server_error(request)


# The other error handlers: pages as Django renders them, API paths as JSON (API.md: "Errors on /api/ paths
# are JSON, 404 included"), e.g. /api/v1/monthly-reports/-1/, which no URL pattern matches.


def bad_request(request, exception=None, problems: dict[str, list[str]] | None = None):
    """A 400: the refused fields and why (`problems`, from tianjin_towns.input_limits), or a request Django
    refused itself (a body too large, a suspicious header)."""
    if request.path.startswith("/api/"):
        return JsonResponse(problems or {"detail": _("请求无效。")}, status=400)
    context = {"problems": sorted((problems or {}).items())}
    return TemplateResponse(request, "400.html", context, status=400).render()


def permission_denied(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("您没有执行该操作的权限。")}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到。")}, status=404)
    return defaults.page_not_found(request, exception)
