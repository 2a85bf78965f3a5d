"""A home feed read by time window rather than by offset: cursor paging (the Mastodon API's
max_id/since_id/min_id), which new entries arriving at the top cannot shift.

Bounds are feed scores (microseconds, `keys.score`), made from moments by `upper_bound` and
`lower_bound` (callers never compute scores); a page never repeats or skips an entry whatever
is fanned in meanwhile. Same rules as `timeline.feed_page`: a feed missing from Redis is
rebuilt first, and when Redis cannot answer the window is cut from the pulled feed.
"""

import logging
from datetime import datetime

from django.conf import settings

from accounts.models import User
from feed import keys, store
from feed.merged import Window, read_window
from feed.pull import pull_feed_entries
from feed.selectors import FeedItem, hydrate
from feed.services import rebuild_feed

logger = logging.getLogger(__name__)

Entry = tuple[int, int | None, int]  # tweet id, reposter id, score


def upper_bound(moment: datetime, *, inclusive: bool = False) -> int:
    """`feed_window`'s `before` for the entries older than `moment` (or at it too, when inclusive)."""
    return keys.score(moment) + (1 if inclusive else 0)


def lower_bound(moment: datetime) -> int:
    """`feed_window`'s `after` for the entries newer than `moment`."""
    return keys.score(moment)


def _redis_window(
    user_id: int, before: int | None, after: int | None, count: int, oldest_first: bool
) -> tuple[list[Entry], dict[int, list] | None] | None:
    """(entries, the cached bodies the read brought) of the Redis feed; None when it cannot be read."""
    upper = f"({before}" if before is not None else "+inf"
    lower = f"({max(after or 0, keys.SENTINEL_SCORE)}"  # never the sentinel

    def read() -> Window | None:
        # The feed merged with the viewer's sources (feed.merged): one round trip, two with sources.
        return read_window(user_id=user_id, upper=upper, lower=lower, count=count, oldest_first=oldest_first)

    found = read()
    if found is None:  # a read that heals: the feed was lost
        rebuild_feed(user_id)
        found = read()
        if found is None:
            return None
    return [(e.tweet_id, e.reposter_id, e.score) for e in found.entries], found.blobs


def _pulled_window(user_id: int, before: int | None, after: int | None, count: int, oldest_first: bool) -> list[Entry]:
    entries = [
        (e.tweet_id, e.reposter_id, e.score)
        for e in pull_feed_entries(user_id=user_id, limit=settings.FEED_MAX_LENGTH, offset=0)
        if (before is None or e.score < before) and (after is None or e.score > after)
    ]
    if oldest_first:
        entries.reverse()
    return entries[:count]


def feed_window(
    *,
    viewer: User,
    before: int | None = None,
    after: int | None = None,
    limit: int = 20,
    oldest_first: bool = False,
    accounts: bool = False,
) -> list[tuple[FeedItem, int, int | None]]:
    """Up to `limit` (item, score, reposter id) of the viewer's feed with after < score < before, newest
    first, or the oldest ones first when `oldest_first`. Entries that can no longer be shown
    are skipped (a few more are read to fill the page). `accounts`: items as
    `selectors.hydrate(accounts=True)` makes them (the Mastodon API)."""
    found: list[tuple[FeedItem, int, int | None]] = []
    for _ in range(3):
        want = limit - len(found) + 5
        blobs: dict[int, list] | None = None
        try:
            window = _redis_window(viewer.pk, before, after, want, oldest_first)
        except store.REDIS_ERRORS as exc:
            logger.warning("feed: Redis unavailable (%s); serving user %s's window from PostgreSQL", exc, viewer.pk)
            window = None
        if window is None:
            entries = _pulled_window(viewer.pk, before, after, want, oldest_first)
        else:
            entries, blobs = window
        if not entries:
            break
        pending = entries
        while pending and len(found) < limit:
            # Hydrate only as many as the page still needs; the spare ones read with them
            # (stale entries are rare) are hydrated only when some of these turn out stale.
            batch, pending = pending[: limit - len(found)], pending[limit - len(found) :]
            items, _stale = hydrate(
                entries=[(tweet_id, reposter) for tweet_id, reposter, _ in batch],
                viewer=viewer,
                blobs=blobs,
                accounts=accounts,
            )
            by_key = {(item.tweet.pk, item.reposted_by is not None): item for item in items}
            for tweet_id, reposter, score in batch:
                item = by_key.get((tweet_id, reposter is not None))
                if item is not None:
                    found.append((item, score, reposter))
        if len(found) >= limit or len(entries) < want:
            break
        last = entries[-1][2]
        if oldest_first:
            after = last
        else:
            before = last
    return found
