"""GET /healthz: is the database reachable, is the broker reachable."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except Exception:
        return False


@never_cache
@require_GET
def healthz(request):
    database = _database_ok()
    body = {"database": "ok" if database else "unavailable", "broker": "ok" if _broker_ok() else "unavailable"}
    return JsonResponse(body, status=200 if database else 503)
