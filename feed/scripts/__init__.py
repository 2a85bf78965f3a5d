"""The feed's Lua scripts, and for each one the typed call that builds its KEYS and ARGV.

Each script is a file of this folder (shared helpers in `lib/`, put in by `-- include:`
lines: loader.py); the file's header says what its KEYS and ARGV are, and the NamedTuple
of the same name below is the one place that builds them, so no caller counts positions.
Multi-step changes are scripts so that they are atomic and cost one round trip.

- `SlotScript[Call]`: keys of ONE hash slot (a feed's keys, a source list's), run by
  `feed.store.run` (one call) or `feed.store.run_each` (many calls, pipelined) with calls
  that know their keys and arguments.
- `BatchScript[Args]`: one change over many feeds, run by `feed.store.run_feeds` with each
  feed's keys and the arguments the feeds share: one EVALSHA per batch of ~1,000 feeds on a
  single Redis, one per hash slot on a cluster.
"""

from collections.abc import Collection, Sequence
from typing import Generic, NamedTuple, Protocol, TypeVar

from redis.typing import EncodableT

from feed import keys
from feed.scripts.loader import load


class SlotCall(Protocol):
    """A call of a SlotScript: its keys (one slot) and its arguments."""

    def keys(self) -> list[str]: ...

    def argv(self) -> list[EncodableT]: ...


class BatchArgs(Protocol):
    """The arguments a BatchScript's feeds share (their keys come with the batch)."""

    def argv(self) -> list[EncodableT]: ...


C = TypeVar("C", bound=SlotCall)
A = TypeVar("A", bound=BatchArgs)


class LuaScript:
    """A script of this folder: its name (the file's stem) and the text Redis runs, read once."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.source = load(name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class SlotScript(LuaScript, Generic[C]):
    """A script on keys of one slot, called with `call` objects (the type checker holds them to it)."""

    def __init__(self, name: str, call: type[C]) -> None:
        super().__init__(name)
        self.call = call


class BatchScript(LuaScript, Generic[A]):
    """A script over many feeds' keys, with shared arguments of type `args`."""

    def __init__(self, name: str, args: type[A]) -> None:
        super().__init__(name)
        self.args = args


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _feed_keys(user_id: int) -> list[str]:
    return [keys.feed_key(user_id), keys.reposts_key(user_id)]


def _source_keys(author_id: int) -> list[str]:
    return [keys.source_key(author_id), keys.source_reposts_key(author_id)]


def _viewer_keys(user_id: int) -> list[str]:
    return [
        keys.feed_key(user_id),
        keys.reposts_key(user_id),
        keys.sources_key(user_id),
        keys.hidden_key(user_id),
        keys.excluded_key(user_id),
    ]


# --- fan-out and feed maintenance (feed.services) ------------------------------------------


class FanOut(NamedTuple):
    """fan_out.lua over feeds [feed]: the tweet into each, trimmed to max_length; replies the
    1-based positions of the feeds it newly entered (store.positions)."""

    tweet_id: int
    score: int
    max_length: int

    def argv(self) -> list[EncodableT]:
        return [self.tweet_id, self.score, self.max_length]


class Remove(NamedTuple):
    """remove.lua over feeds [feed, reposts]: the tweet and its mark out; replies the positions
    of the feeds that had it (store.positions)."""

    tweet_id: int

    def argv(self) -> list[EncodableT]:
        return [self.tweet_id]


class RepostAdd(NamedTuple):
    """repost_add.lua over feeds [feed, reposts]: a repost entry (score = the repost's time)."""

    tweet_id: int
    score: int
    reposter_id: int
    max_length: int

    def argv(self) -> list[EncodableT]:
        return [self.tweet_id, self.score, self.reposter_id, self.max_length]


class RepostRemove(NamedTuple):
    """repost_remove.lua over feeds [feed, reposts]: replies the 1-based positions of the feeds changed."""

    tweet_id: int
    reposter_id: int

    def argv(self) -> list[EncodableT]:
        return [self.tweet_id, self.reposter_id]


class MergeEntry(NamedTuple):
    """An entry for merge.lua (feed.pull.FeedEntry has the same shape): `mark` is the reposter
    in a feed, the tweet's author in a source list's repost entry; None for an own entry."""

    tweet_id: int
    score: int
    mark: int | None


Entries = Sequence[tuple[int, int, int | None]]


class Merge(NamedTuple):
    """merge.lua: entries into one feed or source list (`into_feed`, `into_source`), trimmed;
    replies how many were added or moved, or -1 if only_if_complete and it is not complete."""

    zset_key: str
    marks_key: str
    max_length: int
    only_if_complete: bool
    entries: Entries

    @classmethod
    def into_feed(cls, user_id: int, *, max_length: int, only_if_complete: bool, entries: Entries) -> "Merge":
        return cls(keys.feed_key(user_id), keys.reposts_key(user_id), max_length, only_if_complete, entries)

    @classmethod
    def into_source(cls, author_id: int, *, max_length: int, only_if_complete: bool, entries: Entries) -> "Merge":
        list_key, marks_key = _source_keys(author_id)
        return cls(list_key, marks_key, max_length, only_if_complete, entries)

    def keys(self) -> list[str]:
        return [self.zset_key, self.marks_key]

    def argv(self) -> list[EncodableT]:
        args: list[EncodableT] = [self.max_length, _flag(self.only_if_complete)]
        for tweet_id, score, mark in self.entries:
            args += (tweet_id, score, mark or "")
        return args


class Purge(NamedTuple):
    """purge.lua: after an unfollow, the followee's tweets (ids) and reposts out of the
    user's feed; replies the removed tweet ids."""

    user_id: int
    followee_id: int
    tweet_ids: Sequence[int]

    def keys(self) -> list[str]:
        return _feed_keys(self.user_id)

    def argv(self) -> list[EncodableT]:
        return [self.followee_id, *self.tweet_ids]


# --- the merged read and source lists (feed.merged) ------------------------------------------


class FeedPage(NamedTuple):
    """feed_page.lua: ranks start..stop of the user's feed (0..stop when they have sources),
    with the bodies of format `body_version` ("" for none), and the sources' lists when
    `read_sources` (a single Redis only: their keys are on other slots)."""

    user_id: int
    start: int
    stop: int
    partial: bool
    body_version: str
    read_sources: bool

    def keys(self) -> list[str]:
        return _viewer_keys(self.user_id)

    def argv(self) -> list[EncodableT]:
        viewer: EncodableT = self.user_id if self.read_sources else ""
        return ["partial" if self.partial else "", self.start, self.stop, self.body_version, viewer]


class ScoreWindow(NamedTuple):
    """Up to `limit` entries with lower < score < upper (ZRANGEBYSCORE bounds such as "(123"
    or "+inf"), newest first or `oldest_first`."""

    upper: str
    lower: str
    limit: int
    oldest_first: bool

    def argv(self) -> list[EncodableT]:
        return [self.upper, self.lower, self.limit, _flag(self.oldest_first)]


class RankWindow(NamedTuple):
    """A source list's newest entries, ranks 0..stop, only those scored at or above `floor` (None: all)."""

    stop: int
    floor: int | None

    def argv(self) -> list[EncodableT]:
        return [self.stop, "" if self.floor is None else self.floor]


class FeedWindow(NamedTuple):
    """feed_window.lua: a score window of the user's feed, with the bodies of format
    `body_version` ("" for none)."""

    user_id: int
    window: ScoreWindow
    body_version: str = ""

    def keys(self) -> list[str]:
        return _viewer_keys(self.user_id)

    def argv(self) -> list[EncodableT]:
        return [*self.window.argv(), self.body_version]


class SourceRead(NamedTuple):
    """source_read.lua: a source list's part of a viewer's page; `skip` the authors whose
    tweets a repost must not bring (the viewer's sources, excluded users), `hidden` the
    viewer's hidden "tweet:score" entries of this list. Replies false for a list to rebuild."""

    author_id: int
    body_version: str
    window: RankWindow | ScoreWindow
    viewer_id: int
    skip: Sequence[int]
    hidden: Sequence[str]

    def keys(self) -> list[str]:
        return _source_keys(self.author_id)

    def argv(self) -> list[EncodableT]:
        mode = "rank" if isinstance(self.window, RankWindow) else "window"
        return [
            self.body_version,
            mode,
            *self.window.argv(),
            self.viewer_id,
            len(self.skip),
            *self.skip,
            *self.hidden,
        ]


class SourceRemove(NamedTuple):
    """source_remove.lua: the tweet (or only a repost entry of it) out of the author's source
    list; replies the entry's score, or None."""

    author_id: int
    tweet_id: int
    only_repost: bool

    def keys(self) -> list[str]:
        return _source_keys(self.author_id)

    def argv(self) -> list[EncodableT]:
        return [self.tweet_id, _flag(self.only_repost)]


class AddSource(NamedTuple):
    """add_source.lua: after following a merged author, whose newest tweets are `tweet_ids`;
    replies -1 for a feed not built, else the repost entries dropped."""

    follower_id: int
    followee_id: int
    tweet_ids: Sequence[int]

    def keys(self) -> list[str]:
        return [keys.feed_key(self.follower_id), keys.reposts_key(self.follower_id), keys.sources_key(self.follower_id)]

    def argv(self) -> list[EncodableT]:
        return [self.followee_id, *self.tweet_ids]


class AddOneSource(NamedTuple):
    """add_one_source.lua: a merged author into one follower's sources (the upward crossing)."""

    follower_id: int
    author_id: int

    def keys(self) -> list[str]:
        return [keys.sources_key(self.follower_id)]

    def argv(self) -> list[EncodableT]:
        return [self.author_id]


class Refresh(NamedTuple):
    """refresh.lua: the user's hidden and excluded sets replaced, excluded users out of their sources."""

    user_id: int
    hidden: Sequence[str]
    excluded: Collection[int]

    def keys(self) -> list[str]:
        return [keys.hidden_key(self.user_id), keys.excluded_key(self.user_id), keys.sources_key(self.user_id)]

    def argv(self) -> list[EncodableT]:
        return [len(self.hidden), *self.hidden, *self.excluded]


class FillBody(NamedTuple):
    """fill_body.lua: a tweet's cached body (feed.objects), written unless the key holds a
    tombstone (a body invalidated because it changed); replies 1 if written."""

    tweet_id: int
    version: str
    body: bytes
    ttl: int
    tombstone: str

    def keys(self) -> list[str]:
        return [keys.tweet_key(self.tweet_id)]

    def argv(self) -> list[EncodableT]:
        return [self.version, self.body, self.ttl, self.tombstone]


FAN_OUT = BatchScript("fan_out", FanOut)
REMOVE = BatchScript("remove", Remove)
REPOST_ADD = BatchScript("repost_add", RepostAdd)
REPOST_REMOVE = BatchScript("repost_remove", RepostRemove)
MERGE = SlotScript("merge", Merge)
PURGE = SlotScript("purge", Purge)
FEED_PAGE = SlotScript("feed_page", FeedPage)
FEED_WINDOW = SlotScript("feed_window", FeedWindow)
SOURCE_READ = SlotScript("source_read", SourceRead)
SOURCE_REMOVE = SlotScript("source_remove", SourceRemove)
ADD_SOURCE = SlotScript("add_source", AddSource)
ADD_ONE_SOURCE = SlotScript("add_one_source", AddOneSource)
REFRESH = SlotScript("refresh", Refresh)
FILL_BODY = SlotScript("fill_body", FillBody)
