"""GET /healthz: each dependency "ok" or its error; 503 when any fails.

A health check reports, it never crashes: a check that raises (or cannot even be
imported) is reported as that dependency's error, and the answer is always JSON. Each
check is bounded by its client's own timeout (DB_CONNECT_TIMEOUT, the Redis socket
timeouts, the broker connection timeout), so a dead dependency costs seconds, not a hang.
A check of something this deployment does not use (the feeds' Redis Cluster without
FEED_REDIS_CLUSTER_URL) raises NotConfigured and is left out of the answer.
"""

import logging
from collections.abc import Callable
from typing import Any

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


class NotConfigured(Exception):
    """Raised by a check whose dependency is not configured here: it is left out of /healthz."""


class FeedClusterDegraded(Exception):
    """A master of the feeds' Redis Cluster says its cluster is not ok (slots uncovered)."""


def check_feed_cluster() -> None:
    """The feeds' Redis Cluster (FEED_REDIS_CLUSTER_URL): every master answers and says
    cluster_state:ok. Checked through the slot map the app itself uses, reloaded once if a
    master does not answer (a failover since the last command)."""
    if not settings.FEED_REDIS_CLUSTER_URL:
        raise NotConfigured
    from feed import store

    client = store.connection()
    try:
        states = _cluster_states(client)
    except store.REDIS_ERRORS:
        client.nodes_manager.initialize()
        states = _cluster_states(client)
    degraded = {name: state for name, state in states.items() if state != "ok"}
    if degraded:
        raise FeedClusterDegraded(degraded)


def _cluster_states(client: Any) -> dict[str, str]:
    """cluster_state of each master, by node name."""
    return {
        node.name: client.get_redis_connection(node).execute_command("CLUSTER INFO").get("cluster_state", "?")
        for node in client.get_primaries()
    }


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
        except NotConfigured:
            continue
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
