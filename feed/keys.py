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
- ``chirp:feed:{user_id}:hide``: set of "tweet id:source id:score" entries of source
  lists this viewer must not see (found stale by a read, or a repost of a tweet whose
  author the viewer follows, is, blocks, is blocked by or mutes).
- ``chirp:feed:{user_id}:excl``: set of the users this viewer blocks, is blocked by or
  mutes (written by the feed's rebuild, which every block and mute causes), so a merged
  read filters their tweets out of the sources' reposts.
- ``chirp:src:{author_id}``: sorted set, the author's newest tweets and reposts (same
  members, scores and sentinel as a feed), kept for every author: the source list.
- ``chirp:src:{author_id}:rp``: hash, tweet id -> the tweet's author id, for the source
  list's repost entries.
- ``chirp:tweet:{tweet_id}``: hash, the tweet-object cache (feed.objects): field ``v`` the
  body format's version, field ``b`` the immutable body (JSON). The hash tag is the tweet
  id, so on a cluster each body lives on its own slot, fetched by one pipelined batch.
- ``chirp:fanout:{tweet_id}:done:<dispatch>`` (set of finished chunk indexes) and
  ``chirp:fanout:{tweet_id}:lease`` (a chunked fan-out is under way): the bookkeeping of a
  fan-out split into chunks, in one hash slot (the braces are a hash tag); gone once it completed.
"""

from datetime import UTC, datetime, timedelta

SENTINEL = "0"
SENTINEL_SCORE = 0

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


# The read scripts (feed/scripts/lib/entries.lua) build body keys from member ids: prefix + id + suffix
# (see tweet_key); feed.scripts.loader declares these constants in the scripts that name them.
TWEET_KEY_PREFIX = "chirp:tweet:{"
TWEET_KEY_SUFFIX = "}"


# Source list keys are prefix + author id + suffix: feed_page.lua builds them so on a single Redis.
SOURCE_KEY_PREFIX = "chirp:src:{"
SOURCE_KEY_SUFFIX = "}"
SOURCE_REPOSTS_KEY_SUFFIX = "}:rp"


def tweet_key(tweet_id: int) -> str:
    return f"chirp:tweet:{{{tweet_id}}}"


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


def all_feed_keys(user_id: int) -> list[str]:
    """Every key of a user's feed (one hash slot): what dropping the feed deletes."""
    return [feed_key(user_id), reposts_key(user_id), sources_key(user_id), hidden_key(user_id), excluded_key(user_id)]


def source_key(author_id: int) -> str:
    return f"{SOURCE_KEY_PREFIX}{author_id}{SOURCE_KEY_SUFFIX}"


def source_reposts_key(author_id: int) -> str:
    return f"{SOURCE_KEY_PREFIX}{author_id}{SOURCE_REPOSTS_KEY_SUFFIX}"


def feed_keys(user_ids: list[int]) -> list[str]:
    return [f"chirp:feed:{{{user_id}}}" for user_id in user_ids]


def feed_and_reposts_keys(user_ids: list[int]) -> list[str]:
    """[feed, reposts, feed, reposts, ...] for the Lua scripts that touch both."""
    keys: list[str] = []
    for user_id in user_ids:
        keys.append(f"chirp:feed:{{{user_id}}}")
        keys.append(f"chirp:feed:{{{user_id}}}:rp")
    return keys


def fan_out_chunks_key(tweet_id: int, dispatch: str) -> str:
    """Set of the chunk indexes of one dispatch of a chunked fan-out that finished
    (feed.services.record_chunk_done); hash-tagged on the tweet like the lease."""
    return f"chirp:fanout:{{{tweet_id}}}:done:{dispatch}"


def fan_out_lease_key(tweet_id: int) -> str:
    """Present while a chunked fan-out of the tweet is dispatched and may be running."""
    return f"chirp:fanout:{{{tweet_id}}}:lease"


def score(moment: datetime) -> int:
    """Microseconds since the epoch: exact in a Redis double until the year 2255."""
    return (moment - _EPOCH) // _MICROSECOND


def from_score(value: int) -> datetime:
    """The moment a score stands for (UTC), the inverse of `score`."""
    return _EPOCH + timedelta(microseconds=value)
