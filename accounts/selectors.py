"""Reads of the accounts app."""

import re
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import USERNAME_MAX_LENGTH, Follow, User

_USERNAME_RE = re.compile(rf"^[A-Za-z0-9_]{{1,{USERNAME_MAX_LENGTH}}}\Z")


def user_get_by_username(*, username: str, viewer: User | None) -> User:
    """The user named `username` (any case; `me` is the viewer), or Http404."""
    if username.lower() == "me" and viewer is not None and viewer.is_authenticated:
        return viewer
    if not _USERNAME_RE.match(username):
        # Cannot exist (and a NUL byte would upset PostgreSQL): unknown, not a 400 or 500.
        raise Http404("No such user.")
    user = User.objects.visible_to(viewer).filter(username__lower=username.lower()).first()
    if user is None:
        raise Http404("No such user.")
    return user


def user_followers(*, user: User, viewer: User | None) -> QuerySet[User]:
    """Who follows `user`, newest follow first."""
    return (
        User.objects.visible_to(viewer)
        .filter(following_set__followee=user)
        .order_by("-following_set__created_at", "-following_set__id")
    )


def user_following(*, user: User, viewer: User | None) -> QuerySet[User]:
    """Whom `user` follows, newest follow first."""
    return (
        User.objects.visible_to(viewer)
        .filter(follower_set__follower=user)
        .order_by("-follower_set__created_at", "-follower_set__id")
    )


def follower_ids(*, user_id: int, chunk_size: int = 2000) -> Iterator[int]:
    """Stream the ids of `user_id`'s followers (server-side cursor, index-only scan)."""
    return (
        Follow.objects.filter(followee_id=user_id).values_list("follower_id", flat=True).iterator(chunk_size=chunk_size)
    )


def followee_ids(*, user_id: int) -> list[int]:
    """Ids of the accounts `user_id` follows."""
    return list(Follow.objects.filter(follower_id=user_id).values_list("followee_id", flat=True))
