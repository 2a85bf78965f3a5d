"""What authentication needs of a user row, cached briefly in Redis, and the request user
built from it without reading the row: for JWTs (accounts.authentication) and for sessions
(`session_user`, the web pages).

Every API request used to load the user's row only to check two things: the account is
active (not suspended) and the access token was issued after the last password change.
Those two facts are cached here per user id (`chirp:authstate:<id>` through Django's cache,
AUTH_USER_CACHE_SECONDS), and `LazyUser` stands in for the row: its id answers at once,
anything else reads the row on first use (one query, as before). The feed only needs
the id, so a feed request reads no user row at all.

A session (the web pages) needs two more facts: the session hash Django checks against the
password (`get_session_auth_hash`, the value the session itself stores, so nothing new is
exposed), the names the page's frame shows (username, display name) and `is_staff` (the
selectors ask it). They are cached in the same entry, so the same `forget` drops them; a
profile edit forgets too (staff is changed in the admin, which forgets).

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
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed

from accounts.models import User
from core.replicas import primary_reads


class AuthState(NamedTuple):
    is_active: bool
    password_changed_at: datetime | None
    # For sessions (None in an entry written before these were cached: then the row is read).
    session_hash: str | None = None
    username: str | None = None
    display_name: str | None = None
    is_staff: bool | None = None  # staff see suspended accounts and hidden tweets (the selectors ask)


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
        state = (
            user.is_active,
            getattr(user, "password_changed_at", None),
            user.get_session_auth_hash(),
            user.username,
            user.display_name,
            user.is_staff,
        )
        cache.set(_key(user.pk), state, ttl)


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
    truth and isinstance(…, User) answer without a query, and so do `is_active`, `username`,
    `display_name` and `is_staff` when `state` has them (until the row is read: then the row answers);
    any other attribute reads the row."""

    def __init__(self, user_id: int, state: AuthState | None = None) -> None:
        super().__init__(partial(_load, user_id))
        self.__dict__["_user_id"] = user_id
        self.__dict__["_facts"] = state

    def _fact(self, name: str) -> Any:
        state = self.__dict__["_facts"]
        if self.__dict__["_wrapped"] is empty and state is not None and getattr(state, name) is not None:
            return getattr(state, name)
        return SimpleLazyObject.__getattr__(self, name)  # the row's (read now if it was not)

    @property
    def is_active(self) -> bool:
        return bool(self._fact("is_active"))

    @property
    def username(self) -> str:
        return str(self._fact("username"))

    @property
    def display_name(self) -> str:
        return str(self._fact("display_name"))

    @property
    def is_staff(self) -> bool:
        return bool(self._fact("is_staff"))

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


# The backend /login signs in with (django.contrib.auth.login records it in the session);
# `session_user` trusts the cache for it alone, as its get_user checks only `is_active`.
_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def session_user(request: HttpRequest) -> User | LazyUser | AnonymousUser:
    """request.user for a session, as django.contrib.auth.get_user decides it, without the
    user row when the cached facts suffice: the user is active and the session's hash is the
    one Django would compute from the current password. Anything else (no entry, another
    hash, inactive, another backend, a signed-out session) goes Django's way, which reads
    the row, flushes a session whose password changed, and is then cached."""
    session = request.session
    try:
        user_id = int(session[SESSION_KEY])
        backend = session[BACKEND_SESSION_KEY]
    except (KeyError, TypeError, ValueError):
        return auth.get_user(request)
    session_hash = session.get(HASH_SESSION_KEY)
    if backend == _MODEL_BACKEND and backend in settings.AUTHENTICATION_BACKENDS and session_hash:
        state = cached_state(user_id)
        if (
            state is not None
            and state.is_active
            and state.session_hash is not None
            and state.username is not None
            and constant_time_compare(str(session_hash), state.session_hash)
        ):
            return LazyUser(user_id, state)
    # From the primary, as the JWT path: a lagging replica could cache a suspended user as active.
    with primary_reads():
        user = auth.get_user(request)
    if isinstance(user, User) and user.is_active:
        remember(user)
    return user
