"""What JWT authentication needs of a user row, cached briefly in Redis, and the request
user built from it without reading the row.

Every API request used to load the user's row only to check two things: the account is
active (not suspended) and the access token was issued after the last password change.
Those two facts are cached here per user id (`chirp:authstate:<id>` through Django's cache,
AUTH_USER_CACHE_SECONDS), and `LazyUser` stands in for the row: its id answers at once,
anything else reads the row on first use (one query, as before). The feed only needs
the id, so a feed request reads no user row at all.

Kept exact: the services that change either fact (suspend, unsuspend, password change,
an admin edit) call `forget`, which deletes the entry at once and again after commit, so
the next request reads the row. The one window left is a request that read the row just
before such a commit and writes the entry just after the second delete; the TTL bounds it.
"""

import time
from datetime import datetime
from functools import partial
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed

from accounts.models import User
from core.replicas import primary_reads


class AuthState(NamedTuple):
    is_active: bool
    password_changed_at: datetime | None


def _key(user_id: int) -> str:
    return f"authstate:{user_id}"  # Django's cache adds the "chirp" prefix


def cached_state(user_id: int) -> AuthState | None:
    """The cached facts of a user, or None (never cached, expired, forgotten, Redis down)."""
    value = cache.get(_key(user_id))
    return AuthState(*value) if value is not None else None


def remember(user: User) -> None:
    """Cache the facts of a user row just read for authentication."""
    ttl = getattr(settings, "AUTH_USER_CACHE_SECONDS", 30)
    if ttl > 0:
        cache.set(_key(user.pk), (user.is_active, getattr(user, "password_changed_at", None)), ttl)


def forget(user_id: int) -> None:
    """Drop a user's cached facts now and once the current transaction commits (a request
    reading the old row meanwhile may have written it back)."""
    key = _key(user_id)
    cache.delete(key)
    transaction.on_commit(partial(cache.delete, key))


def _load(user_id: int) -> User:
    """The row behind a LazyUser, read on first use; a user gone meanwhile is a 401."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        with primary_reads():  # a replica may not have a new account yet
            user = User.objects.filter(pk=user_id).first()
    if user is None or not user.is_active:
        raise AuthenticationFailed(_("User not found"), code="user_not_found")
    return user


class LazyUser(SimpleLazyObject):
    """request.user when authentication decided from the cache: `pk`/`id`, `is_authenticated`,
    truth and isinstance(…, User) answer without a query; any other attribute reads the row."""

    def __init__(self, user_id: int) -> None:
        super().__init__(partial(_load, user_id))
        self.__dict__["_user_id"] = user_id

    @property  # type: ignore[misc]
    def __class__(self) -> Any:  # isinstance(lazy, User) without loading the row
        return User

    @property
    def pk(self) -> int:
        return self.__dict__["_user_id"]

    id = pk
    is_authenticated = True
    is_anonymous = False

    def __bool__(self) -> bool:  # DRF's IsAuthenticated: `request.user and ...`
        return True


def _logged_out_key(jti: str) -> str:
    return f"loggedout:{jti}"


def remember_logged_out(*, jti: str, expires_at: float) -> None:
    """Record that the access token `jti` sent a native logout, until it expires anyway.

    The stream process refuses such a token (section 10); the REST API keeps SimpleJWT's rule
    (an access token lives its ACCESS_TOKEN_MINUTES)."""
    ttl = int(expires_at - time.time()) + 1
    if ttl > 0:
        cache.set(_logged_out_key(jti), 1, ttl)


def logged_out(jti: str) -> bool:
    """Whether the access token `jti` sent a native logout (False when Redis is down)."""
    return cache.get(_logged_out_key(jti)) is not None
