"""GET /healthz: each dependency "ok" or its error; 503 when any fails.

A health check reports, it never crashes: a check that raises (or cannot even be
imported) is reported as that dependency's error, and the answer is always JSON. Each
check is bounded by its client's own timeout (DB_CONNECT_TIMEOUT, the Redis socket
timeouts, the broker connection timeout), so a dead dependency costs seconds, not a hang.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def check_database() -> None:
    # A connection broken by a restart is replaced before use (CONN_HEALTH_CHECKS).
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    from django_redis import get_redis_connection

    get_redis_connection("default").ping()


def check_broker() -> None:
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def run_checks() -> dict[str, str]:
    """Run every configured check; never raises."""
    results: dict[str, str] = {}
    for name, path in settings.HEALTH_CHECKS.items():
        try:
            check: Callable[[], None] = import_string(path)
            check()
            results[name] = "ok"
        except Exception as exc:  # a health check reports, it does not crash
            logger.warning("health check %s failed: %s: %s", name, exc.__class__.__name__, exc)
            results[name] = f"error: {exc.__class__.__name__}"
    return results


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results = run_checks()
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(results, status=200 if healthy else 503)
