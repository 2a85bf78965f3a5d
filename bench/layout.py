"""The feed app's Redis layout as the bulk feed builder needs it (see feed/keys.py).

Key names and the sentinel come from feed.keys itself; the score is feed.keys.score of the
tweet's created_at (microseconds since the epoch), which the seed already holds as an integer.
bench.run compares a sample of bulk-built feeds with feed.services.rebuild_feed, so any
drift between this adapter and the feed app shows up as a failed check.
"""

from __future__ import annotations

from feed import keys


def key(user_id: int) -> str:
    return keys.feed_key(user_id)


def score(tweet_id: int, created_us: int) -> str:
    return str(created_us)


def member(tweet_id: int) -> str:
    return str(tweet_id)


def extra_members() -> list[tuple[str, str]]:
    """(score, member) pairs every complete feed holds besides its tweets: the sentinel."""
    return [(str(keys.SENTINEL_SCORE), keys.SENTINEL)]
