"""The read scripts' replies parsed (feed/scripts/feed_page.lua, feed_window.lua, source_read.lua).

Each reply is ONE JSON text (ids, marks, scores, and for each entry the number of its cached
body or null) followed by those bodies as they are cached (feed/scripts/lib/entries.lua): the
client parses the text and the bodies joined into one JSON array, two parses instead of
hundreds of RESP items, and Lua never copies the bodies into a string of its own.
"""

from typing import Any, NamedTuple

from core import fastjson


class Entry(NamedTuple):
    """A feed entry as a read sees it: `source` is the merged author whose list it came from
    (None: the viewer's own feed), so a stale one is forgotten in the right place."""

    tweet_id: int
    reposter_id: int | None
    score: int
    source: int | None


class Header(NamedTuple):
    """The viewer's side of a read: the feed's count, sources, hidden entries ("tweet:source:score"),
    excluded users, its entries, and the cached bodies that came with them (decoded JSON)."""

    total: int
    sources: list[int]
    hidden: set[str]
    excluded: set[int]
    entries: list[Entry]
    blobs: dict[int, list]


class SourcePage(NamedTuple):
    """A source list's part of a read: its count, how many of its entries are not for this
    viewer, its entries (tweet id, the tweet's author for a repost entry, score), the bodies."""

    total: int
    excluded: int
    entries: list[tuple[int, int | None, int]]
    blobs: dict[int, list]


def hidden_member(tweet_id: int, source: int, score: int) -> str:
    """A member of the viewer's hidden set: a source list's entry, as feed_page.lua parses it."""
    return f"{tweet_id}:{source}:{score}"


class Reply(NamedTuple):
    """A read script's reply decoded: its JSON text and the bodies the text numbers (1-based)."""

    data: list[Any]
    bodies: list[Any]


def decode(reply: Any) -> Reply:
    """One reply (`[text, body, ...]`) decoded; ValueError for a damaged cached body."""
    text, *raw_bodies = reply
    bodies = fastjson.loads(b"[" + b",".join(raw_bodies) + b"]") if raw_bodies else []
    if len(bodies) != len(raw_bodies):  # a damaged body that parsed as more than one value
        raise ValueError("cached bodies do not match their count")
    return Reply(fastjson.loads(text), bodies)


def parse_header(raw: Any) -> Header:
    """feed_window.lua's reply (the shape of feed_page.lua's when it read no source list)."""
    reply = decode(raw)
    return header_from(reply.data, reply.bodies)


def header_from(reply: list[Any], bodies: list[Any]) -> Header:
    count, n_sources = int(reply[0]), int(reply[1])
    sources = [int(s) for s in reply[2 : 2 + n_sources]]
    at = 2 + n_sources
    n_hidden = int(reply[at])
    hidden = set(reply[at + 1 : at + 1 + n_hidden])
    at += 1 + n_hidden
    n_excluded = int(reply[at])
    excluded = {int(x) for x in reply[at + 1 : at + 1 + n_excluded]}
    flat = reply[at + 1 + n_excluded :]
    entries = []
    blobs: dict[int, list] = {}
    for i in range(0, len(flat), 4):
        tweet_id = flat[i]
        entries.append(Entry(tweet_id, flat[i + 1] or None, int(flat[i + 2]), None))
        if flat[i + 3] is not None:
            blobs[tweet_id] = bodies[flat[i + 3] - 1]
    return Header(count, sources, hidden, excluded, entries, blobs)


def parse_page(raw: Any) -> tuple[Header, dict[int, SourcePage]]:
    """feed_page.lua's reply: the header, and the pages of the source lists it read (a single
    Redis, when the viewer has sources: the header is then the reply's first element); a
    list it found missing has none."""
    data, bodies = decode(raw)
    if not data or not isinstance(data[0], list):
        return header_from(data, bodies), {}
    pages = {int(source): source_page_from(page, bodies) for source, page in data[1:] if page is not False}
    return header_from(data[0], bodies), pages


def source_page_from(data: list[Any], bodies: list[Any]) -> SourcePage:
    """source_read.lua's reply decoded (or one source's part of feed_page.lua's), with the
    bodies of its reply."""
    flat = data[2:]
    entries = []
    blobs: dict[int, list] = {}
    for i in range(0, len(flat), 4):
        tweet_id = flat[i]
        entries.append((tweet_id, flat[i + 1] or None, int(flat[i + 2])))
        if flat[i + 3] is not None:
            blobs[tweet_id] = bodies[flat[i + 3] - 1]
    return SourcePage(int(data[0]), int(data[1]), entries, blobs)
