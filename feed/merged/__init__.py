"""Hybrid fan-out: large accounts are merged into their followers' feeds at read time.

Every author has a *source list* (`chirp:src:{author}`: their newest tweets and reposts,
capped at FEED_MAX_LENGTH, same members and scores as feed entries, its own cluster slot),
written on every post, repost, delete and hide whatever the author's size, so crossing
FANOUT_FOLLOWER_LIMIT either way needs no rebuild. Whether an entry is fanned out is
decided per entry at fan-out time: an author with more followers than the limit is
*merged* (a `MergedAuthor` row), and only their own feed and source list are written.

A viewer's merged followees are a set in the feed's slot (`chirp:feed:{viewer}:src`), read
by the same Lua call as the feed page: a plain read stays one round trip, and so does a
read with sources on a single Redis (the script reads their lists too); a cluster pays one
more (one pipeline: one round trip per node) for the top entries of each source list,
merged here by score. See feed/README.md, "Hybrid fan-out".

- `reads`: the merged read (`read_page`, `read_window`) and the merge itself;
- `replies`: the read scripts' JSON replies parsed;
- `sources`: the source lists (`record`, `unrecord`, `rebuild_source`, `drop_sources`);
- `authors`: who is merged (`is_merged` and the crossings of the limit);
- `viewers`: a viewer's sources, hidden entries and excluded users.
"""

from feed.merged.authors import fanned_out_again, follower_limit, is_merged, reaches_followers
from feed.merged.reads import MergedPage, Window, hide_entries, read_page, read_window
from feed.merged.replies import Entry
from feed.merged.sources import drop_sources, rebuild_source, record, unrecord
from feed.merged.viewers import (
    add_source,
    has_sources,
    hidden_of,
    refresh_hidden,
    remove_source,
    sources_of,
    viewer_extra_keys,
    write_rebuilt,
)

__all__ = [
    "Entry",
    "MergedPage",
    "Window",
    "add_source",
    "drop_sources",
    "fanned_out_again",
    "follower_limit",
    "has_sources",
    "hidden_of",
    "hide_entries",
    "is_merged",
    "reaches_followers",
    "read_page",
    "read_window",
    "rebuild_source",
    "record",
    "refresh_hidden",
    "remove_source",
    "sources_of",
    "unrecord",
    "viewer_extra_keys",
    "write_rebuilt",
]
