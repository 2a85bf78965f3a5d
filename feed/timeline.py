"""The home timeline by offset, as GET /api/feed/ serves it: a read that heals.

Reads go through feed.selectors (Redis) and feed.pull (PostgreSQL); the repairs a read
calls for (rebuild a missing feed, forget stale entries) are services, so selectors
never write and never import services.
"""

import logging

from accounts.models import User
from feed import merged, pull, selectors, services, store
from feed.selectors import FeedItem

logger = logging.getLogger(__name__)


def feed_page(*, viewer: User, limit: int, offset: int, names: bool = False) -> tuple[int, list[FeedItem]]:
    """A page of the viewer's home feed: (count, items), newest first. `names` (the web
    interface): with the authors' display names and whom replies answer (selectors.hydrate).

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
        items, _ = selectors.hydrate(
            entries=[(entry.tweet_id, entry.reposter_id) for entry in pulled], viewer=viewer, names=names
        )
        return count, items
    items, stale = selectors.hydrate(
        entries=[(e.tweet_id, e.reposter_id) for e in page.entries], viewer=viewer, blobs=page.blobs, names=names
    )
    if stale:
        forget_stale(user_id=viewer.pk, entries=page.entries, stale=stale)
    return page.length, items


def forget_stale(*, user_id: int, entries: list[merged.Entry], stale: list[int]) -> None:
    """Drop stale entries of the viewer's feed; hide those of shared source lists for them."""
    gone = set(stale)
    from_sources = [e for e in entries if e.tweet_id in gone and e.source is not None]
    own = [e.tweet_id for e in entries if e.tweet_id in gone and e.source is None]
    if own:
        services.forget_entries(user_id=user_id, tweet_ids=own)
    merged.hide_entries(user_id=user_id, entries=from_sources)


def _redis_page_healed(*, user_id: int, limit: int, offset: int) -> merged.MergedPage | None:
    """The Redis page (merged with the viewer's sources), rebuilding a lost feed once; None
    if it is gone again at once (do not loop)."""
    page = merged.read_page(user_id=user_id, limit=limit, offset=offset)
    if page is None:
        services.rebuild_feed(user_id)
        page = merged.read_page(user_id=user_id, limit=limit, offset=offset)
    return page
