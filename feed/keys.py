"""The Redis layout of home feeds. Only this module builds key names.

- ``chirp:feed:{user_id}``: sorted set, member = tweet id (decimal string), score = time
  of entry in microseconds since the epoch (the tweet's ``created_at``, or the repost's
  ``created_at`` for an entry brought in by a repost). Holds one extra member, the
  sentinel ``"0"`` with score 0: it marks a feed built completely from the database. A
  key without it was only touched by fan-outs (the user never read it since Redis lost
  it) and is rebuilt on the next read.
- ``chirp:feed:{user_id}:rp``: hash, tweet id -> reposter's user id, for the entries
  that are in the feed only because someone the user follows (or the user) reposted it.
- ``chirp:feed:{user_id}:src``: set of the followed authors merged into this feed at read
  time (hybrid fan-out, feed.merged); same slot as the feed, so the read returns it.
- ``chirp:feed:{user_id}:hide``: set of "tweet id:reposter id" repost entries of source
  lists this viewer must not see (the tweet's author is followed, is the viewer, or is
  blocked either way or muted).
- ``chirp:feed:{user_id}:excl``: set of the users this viewer blocks, is blocked by or
  mutes (written by the feed's rebuild, which every block and mute causes), so a merged
  read filters their tweets out of the sources' reposts.
- ``chirp:src:{author_id}``: sorted set, the author's newest tweets and reposts (same
  members, scores and sentinel as a feed), kept for every author: the source list.
- ``chirp:src:{author_id}:rp``: hash, tweet id -> the tweet's author id, for the source
  list's repost entries.
"""

from datetime import UTC, datetime, timedelta

SENTINEL = "0"
SENTINEL_SCORE = 0

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def feed_key(user_id: int) -> str:
    return f"chirp:feed:{{{user_id}}}"


def reposts_key(user_id: int) -> str:
    return f"chirp:feed:{{{user_id}}}:rp"


def sources_key(user_id: int) -> str:
    return f"chirp:feed:{{{user_id}}}:src"


def hidden_key(user_id: int) -> str:
    return f"chirp:feed:{{{user_id}}}:hide"


def excluded_key(user_id: int) -> str:
    return f"chirp:feed:{{{user_id}}}:excl"


def source_key(author_id: int) -> str:
    return f"chirp:src:{{{author_id}}}"


def source_reposts_key(author_id: int) -> str:
    return f"chirp:src:{{{author_id}}}:rp"


def feed_keys(user_ids: list[int]) -> list[str]:
    return [f"chirp:feed:{{{user_id}}}" for user_id in user_ids]


def feed_and_reposts_keys(user_ids: list[int]) -> list[str]:
    """[feed, reposts, feed, reposts, ...] for the Lua scripts that touch both."""
    keys: list[str] = []
    for user_id in user_ids:
        keys.append(f"chirp:feed:{{{user_id}}}")
        keys.append(f"chirp:feed:{{{user_id}}}:rp")
    return keys


def score(moment: datetime) -> int:
    """Microseconds since the epoch: exact in a Redis double until the year 2255."""
    return (moment - _EPOCH) // _MICROSECOND
