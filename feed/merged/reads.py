"""The merged read: a page (or a cursor window) of a viewer's feed merged with their sources'
lists, by score, one entry per tweet, without the entries not for this viewer."""

import logging
from collections.abc import Iterable
from typing import Any, NamedTuple

from redis import Redis

from feed import keys, objects, scripts, store
from feed.merged.replies import (
    Entry,
    Header,
    SourcePage,
    decode,
    hidden_member,
    parse_header,
    parse_page,
    source_page_from,
)
from feed.merged.sources import max_length, rebuild_source

logger = logging.getLogger(__name__)


class MergedPage(NamedTuple):
    """A page of the merged feed: its length, its entries, and the cached tweet bodies the
    read brought (decoded JSON; misses absent), or None when they were not asked for (a
    cluster: feed.selectors.hydrate fetches them)."""

    length: int
    entries: list[Entry]
    blobs: dict[int, list] | None


def _body_version(client: Any) -> str:
    """Ask the scripts for the cached bodies on a single Redis only (on a cluster the body
    keys are on other slots than the feed and the lists): the bodies' version, or ""."""
    return "" if store.is_cluster(client) else objects.BODY_VERSION


def read_page(*, user_id: int, limit: int, offset: int, partial: bool = False) -> MergedPage | None:
    """(count, entries) of a page of the viewer's feed merged with their sources' lists.

    One round trip when the viewer follows no merged author or on a single Redis (feed_page.lua
    reads the sources' lists too), two on a cluster (one per node for the lists). None when the
    feed is missing (the caller rebuilds it). Raises RedisError when Redis cannot answer.
    The count is exact except for a tweet held by two lists (reposted by two followed
    accounts, or by an author since they crossed the limit) beyond the page, counted twice.
    `partial`: read a feed without its sentinel as it is (for tests that inspect Redis).
    """
    client = store.connection()
    stop = offset + limit - 1
    # On a single Redis the sources' lists are read by the same call.
    call = scripts.FeedPage(
        user_id=user_id,
        start=offset,
        stop=stop,
        partial=partial,
        body_version=_body_version(client),
        read_sources=not store.is_cluster(client),
    )
    reply = store.run(scripts.FEED_PAGE, client, call)
    if reply is None:
        return None
    try:
        header, pages = parse_page(reply)
    except ValueError:  # a damaged cached body: read without bodies (hydrate fetches them, a miss)
        logger.warning("feed: unreadable merged page of user %s with bodies; reading without", user_id)
        call = call._replace(body_version="")
        reply = store.run(scripts.FEED_PAGE, client, call)
        if reply is None:
            return None
        header, pages = parse_page(reply)
    blobs = header.blobs if call.body_version else None
    if not header.sources:
        return MergedPage(header.total, header.entries, blobs)
    missing = [source for source in header.sources if source not in pages]
    if missing:  # a cluster, or lists Redis lost (rebuilt by _read_sources)
        # Only source entries that can reach the page: one older than the feed's own (stop+1)-th
        # entry is outranked by the feed's first stop+1 (distinct tweets; the feed never holds a
        # repost of a merged followee's tweet, so no older own entry can overrule one of them).
        floor = header.entries[stop].score if len(header.entries) > stop else None
        window = scripts.RankWindow(stop=stop, floor=floor)
        pages |= _read_sources(client, user_id, header, window, with_bodies=bool(call.body_version), only=missing)
    merged = _merge(user_id, header, pages)
    if merged.overruled:
        hide_entries(user_id=user_id, entries=merged.overruled)
    total = header.total + sum(page.total - page.excluded for page in pages.values()) - merged.duplicates
    cap = max_length()
    if blobs is not None:
        for page in pages.values():
            blobs.update(page.blobs)
    return MergedPage(min(total, cap), merged.entries[offset : min(offset + limit, cap)], blobs)


class Window(NamedTuple):
    """A window of the merged feed: its entries and the cached tweet bodies the read brought
    (as MergedPage's `blobs`; None on a cluster)."""

    entries: list[Entry]
    blobs: dict[int, list] | None


def read_window(*, user_id: int, upper: str, lower: str, count: int, oldest_first: bool) -> Window | None:
    """Up to `count` entries with lower < score < upper (ZRANGEBYSCORE bounds), newest first
    or oldest first, from the feed and the sources' lists, with their cached bodies (in the
    same round trip on a single Redis, as read_page); None when the feed is missing."""
    client = store.connection()
    window = scripts.ScoreWindow(upper=upper, lower=lower, limit=count, oldest_first=oldest_first)
    call = scripts.FeedWindow(user_id=user_id, window=window, body_version=_body_version(client))
    reply = store.run(scripts.FEED_WINDOW, client, call)
    if reply is None:
        return None
    try:
        header = parse_header(reply)
    except ValueError:  # a damaged cached body: read without bodies (hydrate fetches them, a miss)
        logger.warning("feed: unreadable window of user %s with bodies; reading without", user_id)
        call = call._replace(body_version="")
        reply = store.run(scripts.FEED_WINDOW, client, call)
        if reply is None:
            return None
        header = parse_header(reply)
    blobs = header.blobs if call.body_version else None
    if not header.sources:
        return Window(header.entries, blobs)
    pages = _read_sources(client, user_id, header, window, with_bodies=bool(call.body_version))
    if blobs is not None:
        for page in pages.values():
            blobs.update(page.blobs)
    entries = _merge(user_id, header, pages).entries
    if oldest_first:
        entries.reverse()
    return Window(entries[:count], blobs)


def hide_entries(*, user_id: int, entries: Iterable[Entry]) -> None:
    """Remember source-list entries a read found this viewer cannot see (excluded author or
    reposter, the tweet's author followed, gone): shared lists are not edited for one
    viewer. Cleared whenever the viewer's follows, blocks or mutes change; best effort."""
    members = [hidden_member(e.tweet_id, e.source, e.score) for e in entries if e.source is not None]
    if not members:
        return
    try:
        store.connection().sadd(keys.hidden_key(user_id), *members)
    except store.REDIS_ERRORS as exc:
        logger.warning("feed: could not hide stale source entries for user %s: %s", user_id, exc)


def _source_read(
    viewer_id: int,
    header: Header,
    source: int,
    body_version: str,
    window: scripts.RankWindow | scripts.ScoreWindow,
) -> scripts.SourceRead:
    """The call reading one source list for this viewer: the authors whose tweets a repost must
    not bring (sources, excluded users), and the viewer's hidden entries of this source
    ("tweet:score")."""
    prefix_len = len(str(source)) + 1
    mine = []
    for member in header.hidden:
        tweet, _, rest = member.partition(":")
        if rest[:prefix_len] == f"{source}:":
            mine.append(f"{tweet}:{rest[prefix_len:]}")
    skip = [*header.sources, *header.excluded]
    return scripts.SourceRead(source, body_version, window, viewer_id, skip, mine)


def _read_sources(
    client: Redis,
    viewer_id: int,
    header: Header,
    window: scripts.RankWindow | scripts.ScoreWindow,
    with_bodies: bool = True,
    only: list[int] | None = None,
) -> dict[int, SourcePage]:
    """Each source list's part of the page (or of the `only` ones), in one pipeline (one round
    trip per node); a list Redis lost is rebuilt from PostgreSQL and read again."""
    pages: dict[int, SourcePage] = {}
    wanted = list(header.sources if only is None else only)
    body_version = _body_version(client) if with_bodies else ""
    for attempt in range(2):
        calls = [_source_read(viewer_id, header, source, body_version, window) for source in wanted]
        replies = store.run_each(scripts.SOURCE_READ, client, calls)
        missing = []
        for source, reply in zip(wanted, replies, strict=True):
            if reply is None:
                missing.append(source)
                continue
            try:
                data, bodies = decode(reply)
            except ValueError:  # a damaged cached body: this list again without bodies
                if not body_version:
                    raise
                logger.warning("feed: unreadable source list %s with bodies; reading without", source)
                return _read_sources(client, viewer_id, header, window, with_bodies=False, only=only)
            pages[source] = source_page_from(data, bodies)
        if not missing or attempt == 1:
            break
        for source in missing:
            rebuild_source(source)
        wanted = missing
    return pages


def _better(new: Entry, old: Entry) -> bool:
    """Which of two entries of one tweet the feed shows: its own entry beats a repost entry
    (the viewer follows its author), else the newest repost (then the higher reposter id)."""
    if (new.reposter_id is None) != (old.reposter_id is None):
        return new.reposter_id is None
    return (new.score, new.reposter_id or 0) > (old.score, old.reposter_id or 0)


class _Merged(NamedTuple):
    entries: list[Entry]
    duplicates: int
    # Sources' repost entries of tweets the viewer sees by their own right (they follow the
    # author): never shown while that holds, so hidden for them to keep the count exact.
    overruled: list[Entry]


def _merge(viewer_id: int, header: Header, pages: dict[int, SourcePage]) -> _Merged:
    """The feed's and the sources' entries merged newest first, one per tweet, without the
    entries not for this viewer."""
    # A repost never brings a tweet by a followed (merged) author or the viewer, nor by
    # someone the viewer blocks, is blocked by or mutes.
    skip = {*header.sources, *header.excluded, viewer_id}
    best: dict[int, Entry] = {}
    overruled: list[Entry] = []
    considered = 0

    def consider(entry: Entry) -> None:
        nonlocal considered
        considered += 1
        current = best.get(entry.tweet_id)
        if current is None:
            best[entry.tweet_id] = entry
            return
        winner, loser = (entry, current) if _better(entry, current) else (current, entry)
        best[entry.tweet_id] = winner
        if winner.reposter_id is None and loser.reposter_id is not None and loser.source is not None:
            overruled.append(loser)

    for entry in header.entries:
        consider(entry)
    for source, page in pages.items():
        for tweet_id, author, score in page.entries:
            if header.hidden and hidden_member(tweet_id, source, score) in header.hidden:
                continue
            if author is None:
                consider(Entry(tweet_id, None, score, source))
            elif author not in skip:
                consider(Entry(tweet_id, source, score, source))
    ordered = sorted(best.values(), key=lambda e: (e.score, str(e.tweet_id)), reverse=True)
    return _Merged(ordered, considered - len(best), overruled)
