"""Read replicas: which database a read goes to, and who must read from the primary.

Reads go to a streaming replica only inside a web request that allows it (a GET, HEAD or
OPTIONS by a client that did not write within REPLICA_PIN_SECONDS); everything else reads
from the primary: writes and the reads of a writing request, anything inside a transaction,
Celery tasks (a fan-out runs right after a commit: a lagging replica would lose the tweet),
management commands and shells. So replica reads are opt-in by context, set by
core.middleware.ReplicaReadMiddleware; code that must see the latest rows wraps itself in
`primary_reads()`.

A request sticks to one replica (its queries see one consistent state); the next request
takes the next replica (round robin). A replica that cannot be reached is skipped for
REPLICA_RETRY_SECONDS, then tried again; when none is up, reads go to the primary.

Read-your-writes: an unsafe request (POST, PUT, PATCH, DELETE) records a pin in the cache
(Redis) for its user and for its credential (token or session cookie), expiring after
REPLICA_PIN_SECONDS; a read by a pinned user or credential goes to the primary.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class ReadContext:
    """What the current request may read from: a replica (chosen on its first read) or not."""

    replica_allowed: bool
    alias: str | None = None


_context: ContextVar[ReadContext | None] = ContextVar("replica_read_context", default=None)
_down_until: dict[str, float] = {}
_turn = itertools.count()


def replica_aliases() -> list[str]:
    """The database aliases of the replicas (DATABASE_REPLICA_URLS), in order."""
    return list(getattr(settings, "REPLICA_DATABASES", []))


@contextlib.contextmanager
def replica_reads(*, allowed: bool) -> Iterator[None]:
    """Reads in the block may go to a replica (`allowed`) or must go to the primary."""
    token = _context.set(ReadContext(replica_allowed=allowed))
    try:
        yield
    finally:
        _context.reset(token)


def primary_reads() -> contextlib.AbstractContextManager[None]:
    """Reads in the block go to the primary (code that must see what was just committed)."""
    return replica_reads(allowed=False)


def reads_from_primary(function: Callable[P, R]) -> Callable[P, R]:
    """Decorator: the function's reads go to the primary wherever it is called from."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with primary_reads():
            return function(*args, **kwargs)

    return wrapper


def read_alias() -> str:
    """The database the current read goes to (the router's answer)."""
    context = _context.get()
    if context is None or not context.replica_allowed:
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS  # a transaction reads what it writes
    if context.alias is None:
        context.alias = healthy_replica() or DEFAULT_DB_ALIAS
    return context.alias


def reading_from_replica() -> bool:
    """Whether the current context reads from a replica (e.g. to recheck a miss on the primary)."""
    return read_alias() != DEFAULT_DB_ALIAS


def read_connection(model: type | None = None) -> BaseDatabaseWrapper:
    """The connection raw SQL reads go through: the router's choice, like the ORM's."""
    return connections[router.db_for_read(model) if model is not None else read_alias()]


def healthy_replica() -> str | None:
    """The next replica in turn that answers; None when no replica does."""
    aliases = replica_aliases()
    if not aliases:
        return None
    start = next(_turn)
    for step in range(len(aliases)):
        alias = aliases[(start + step) % len(aliases)]
        if _usable(alias):
            return alias
    return None


def _usable(alias: str) -> bool:
    """Connect (or health-check the pooled connection); a failure skips the replica for a while.

    The health check is Django's CONN_HEALTH_CHECKS one (a SELECT 1 once per request on a
    reused connection), so a replica that died under a pooled connection is noticed here and
    not by the query that follows.
    """
    if _down_until.get(alias, 0.0) > time.monotonic():
        return False
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as exc:
        retry = settings.REPLICA_RETRY_SECONDS
        _down_until[alias] = time.monotonic() + retry
        logger.warning(
            "database: replica %s is unreachable (%s); skipped for %s s", alias, exc.__class__.__name__, retry
        )
        with contextlib.suppress(DatabaseError):
            connection.close()
        return False
    _down_until.pop(alias, None)
    return True


# --- read-your-writes pins ----------------------------------------------------------

_PIN_PREFIX = "replica-pin"


def _user_key(user_id: object) -> str:
    return f"{_PIN_PREFIX}:user:{user_id}"


def _credential_key(credential: str) -> str:
    return f"{_PIN_PREFIX}:credential:{hashlib.sha256(credential.encode()).hexdigest()[:32]}"


def _jwt_user_id(raw: str) -> object | None:
    """The user id claim of a JWT, read without checking the signature (None if unreadable).

    For routing only: a forged token gains nothing (at most its own request reads the
    primary before DRF refuses it), and verifying here would cost a second HMAC check on
    every GET (~0.3 ms measured) on top of the one the view's authentication does.
    """
    parts = raw.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, TypeError):
        return None
    from rest_framework_simplejwt.settings import api_settings

    user_id = payload.get(api_settings.USER_ID_CLAIM) if isinstance(payload, dict) else None
    return user_id if isinstance(user_id, int | str) and str(user_id).isdigit() else None


def client_pin_keys(request: HttpRequest) -> list[str]:
    """Pin keys the request's client is known by before any query: its user when it sends a
    JWT, else its bearer token or session cookie (Mastodon tokens, the admin)."""
    found: list[str] = []
    authorization = request.headers.get("Authorization", "")
    scheme, _, credential = authorization.partition(" ")
    if scheme.lower() == "bearer" and credential:
        user_id = _jwt_user_id(credential)
        found.append(_user_key(user_id) if user_id is not None else _credential_key(credential))
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if session:
        found.append(_credential_key(session))
    return found


def is_pinned(request: HttpRequest) -> bool:
    """Whether the request's client wrote within REPLICA_PIN_SECONDS (one cache round trip)."""
    pin_keys = client_pin_keys(request)
    return bool(pin_keys) and bool(cache.get_many(pin_keys))


def pin(request: HttpRequest, response: HttpResponse) -> None:
    """After a write: the client's and its user's next reads go to the primary for a while.

    A session the response starts (a log-in) is pinned too: the next request brings it.
    """
    pin_keys = client_pin_keys(request)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        pin_keys.append(_user_key(user.pk))
    new_session = response.cookies.get(settings.SESSION_COOKIE_NAME)
    if new_session is not None and new_session.value:
        pin_keys.append(_credential_key(new_session.value))
    if pin_keys:
        cache.set_many(dict.fromkeys(pin_keys, 1), timeout=settings.REPLICA_PIN_SECONDS)
