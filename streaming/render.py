"""What the stream process asks of the other apps, synchronously (it runs these in its
database threads): Mastodon entities rendered with mastodon_api's serializers, and the
feed's rules for who may see what. Each event is rendered once per event (per server URL),
for every listener; only the viewer's flags of a reblog are looked up per listener, in one
query per event.
"""

from typing import Any

from django.db import close_old_connections

from accounts.models import User
from feed import selectors as feed_selectors
from feed.pull import kept_from
from mastodon_api.entities import Renderer
from mastodon_api.hydrate import NOTIFICATION_FIELDS, Reblog, render_notifications, render_statuses
from notifications.selectors import visible_notifications
from tweets.selectors import interactions, reposts_for, tweets_by_ids


def fresh_connection() -> None:
    """Drop a database connection that broke or outlived CONN_MAX_AGE (a request would)."""
    close_old_connections()


def status(*, base: str, tweet_id: int, reposter_id: int | None) -> dict[str, Any] | None:
    """The Status entity of a tweet, or of its repost by `reposter_id` (a reblog), as anyone
    sees it (no viewer flags); None when it is gone (deleted, hidden, author suspended)."""
    tweet = tweets_by_ids(ids=[tweet_id], viewer=None).get(tweet_id)
    if tweet is None:
        return None
    entry: Any = tweet
    if reposter_id is not None:
        repost = reposts_for(pairs=[(tweet_id, reposter_id)]).get((tweet_id, reposter_id))
        if repost is None:
            return None  # undone meanwhile
        entry = Reblog(repost.pk, repost.created_at, reposter_id, tweet)
    rendered = render_statuses(Renderer.for_base(base), [entry], viewer=None)
    return rendered[0] if rendered else None


def with_flags(entity: dict[str, Any], *, liked: bool, reposted: bool) -> dict[str, Any]:
    """A status (or reblog) entity with one viewer's `favourited` and `reblogged`."""
    flags = {"favourited": liked, "reblogged": reposted}
    if entity.get("reblog"):
        return {**entity, **flags, "reblog": {**entity["reblog"], **flags}}
    return {**entity, **flags}


def flags(*, tweet_id: int, user_ids: list[int]) -> tuple[set[int], set[int]]:
    """Which listeners liked, and which reposted, the tweet (one query)."""
    return interactions(tweet_id=tweet_id, user_ids=user_ids)


def notification(*, base: str, notification_id: int, recipient_id: int) -> dict[str, Any] | None:
    """The Notification entity as its recipient sees it, or None (gone, or hidden by a mute
    or block since)."""
    viewer = User.objects.filter(pk=recipient_id, is_active=True).first()
    if viewer is None:
        return None
    rows = list(visible_notifications(viewer_id=recipient_id).filter(pk=notification_id).values(*NOTIFICATION_FIELDS))
    rendered = render_notifications(Renderer.for_base(base), rows, viewer=viewer)
    return rendered[0] if rendered else None


def excluded_among(*, user_ids: list[int], others: list[int]) -> set[int]:
    """Which of these listeners must not see content by `others` (block either way, mute):
    the set the fan-out leaves out (feed.pull.kept_from)."""
    if not user_ids:
        return set()
    return kept_from(others) & set(user_ids)


def merged_entry_viewers(
    *, candidates: list[int], source_id: int, author_id: int, reposter_id: int | None
) -> list[int]:
    return feed_selectors.merged_entry_viewers(
        candidates=candidates, source_id=source_id, author_id=author_id, reposter_id=reposter_id
    )


def merged_followees(*, user_id: int) -> list[int]:
    return feed_selectors.merged_followees(user_id=user_id)


def merged_author_ids() -> set[int]:
    return feed_selectors.merged_author_ids()


def followers_among(*, author_id: int, user_ids: list[int]) -> set[int]:
    return feed_selectors.followers_among(author_id=author_id, user_ids=user_ids)
