"""The home timeline by offset, as GET /api/feed/ serves it: a read that heals.

Reads go through feed.selectors (Redis) and feed.pull (PostgreSQL); the repairs a read
calls for (rebuild a missing feed, forget stale entries) are services, so selectors
never write and never import services.
"""

import logging

from accounts.models import User
from feed import pull, selectors, services, store
from feed.selectors import FeedItem

logger = logging.getLogger(__name__)


def feed_page(*, viewer: User, limit: int, offset: int) -> tuple[int, list[FeedItem]]:
    """A page of the viewer's home feed: (count, items), newest first.

    One Redis round trip for the ids, their repost marks, the count and the cached
    tweet bodies; one SQL query for what may change (counters, flags, visibility, names).
    A feed missing from Redis is rebuilt first; when Redis is unreachable the page is
    pulled from PostgreSQL instead (slower, same tweets).
    """
    try:
        page = _redis_page_healed(user_id=viewer.pk, limit=limit, offset=offset)
    except store.REDIS_ERRORS as exc:
        logger.warning("feed: Redis unavailable (%s); serving user %s's feed from PostgreSQL", exc, viewer.pk)
        page = None
    if page is None:
        count = pull.pull_feed_count(user_id=viewer.pk)
        pulled = pull.pull_feed_entries(user_id=viewer.pk, limit=limit, offset=offset)
        items, _ = selectors.hydrate(entries=[(entry.tweet_id, entry.reposter_id) for entry in pulled], viewer=viewer)
        return count, items
    items, stale = selectors.hydrate(entries=page.entries, viewer=viewer, blobs=page.blobs)
    if stale:
        services.forget_entries(user_id=viewer.pk, tweet_ids=stale)
    return page.length, items


def _redis_page_healed(*, user_id: int, limit: int, offset: int) -> selectors.RedisPage | None:
    """The Redis page, rebuilding a lost feed once; None if it is gone again at once (do not loop)."""
    page = selectors.redis_page(user_id=user_id, limit=limit, offset=offset)
    if page is None:
        services.rebuild_feed(user_id)
        page = selectors.redis_page(user_id=user_id, limit=limit, offset=offset)
    return page
