"""Who is merged: an author with more followers than FANOUT_FOLLOWER_LIMIT, decided per entry
at fan-out time and recorded in PostgreSQL (`MergedAuthor`: user, since), so a rebuilt feed
knows its sources whatever Redis lost."""

from itertools import islice

from django.conf import settings
from django.db import connection as db
from django.utils import timezone

from accounts.selectors import follower_ids
from feed import keys, scripts, signals, store
from feed.models import MergedAuthor
from feed.pull import TABLES, kept_from

TABLES_M = {**TABLES, "merged": MergedAuthor._meta.db_table}


def follower_limit() -> int:
    return settings.FANOUT_FOLLOWER_LIMIT


def is_merged(*, user_id: int, num_followers: int, since: int | None) -> bool:
    """Decide for one new entry whether `user_id` is merged (True: write only their own feed
    and source list) or fanned out, recording a crossing of FANOUT_FOLLOWER_LIMIT.

    `since` is the user's MergedAuthor.since (None: not merged so far), read with the entry.
    """
    if num_followers > follower_limit():
        if since is None:
            _become_merged(user_id)
        return True
    if since is not None:
        # Downward: fanned out from now on. Followers keep the author as a source until
        # their feed is next rebuilt (a read drops the duplicate entries), so no merged
        # entry vanishes.
        _no_longer_merged(user_id)
    return False


def _no_longer_merged(user_id: int) -> None:
    """The downward crossing: forget the row, and say so (the streams stop listening to the author)."""
    deleted, _ = MergedAuthor.objects.filter(pk=user_id).delete()
    if deleted:
        signals.merged_changed.send(sender=MergedAuthor, user_id=user_id, merged=False)


def _become_merged(user_id: int) -> None:
    """The upward crossing: record it, then add the author to each follower's sources (one
    batch write, once). Recorded first, so a feed rebuilt meanwhile has the source too."""
    with db.cursor() as cursor:
        cursor.execute(
            "INSERT INTO {merged} (user_id, since) VALUES (%s, %s) ON CONFLICT DO NOTHING RETURNING 1".format(
                **TABLES_M
            ),
            [user_id, keys.score(timezone.now())],
        )
        if cursor.fetchone() is None:
            return  # another fan-out did it
    signals.merged_changed.send(sender=MergedAuthor, user_id=user_id, merged=True)
    kept = kept_from([user_id])
    client = store.connection()
    followers = (uid for uid in follower_ids(user_id=user_id) if uid not in kept)
    while batch := list(islice(followers, 1000)):
        # One pipeline per batch (one round trip per node on a cluster).
        calls = [scripts.AddOneSource(follower_id=f, author_id=user_id) for f in batch]
        store.run_each(scripts.ADD_ONE_SOURCE, client, calls)


def fanned_out_again(user_id: int) -> None:
    """A chunked fan-out (below the follower limit): the author is not merged any more."""
    _no_longer_merged(user_id)


def reaches_followers(*, user_id: int, score: int | None) -> bool:
    """Whether an entry of `user_id` (removed from their source list with this score) may
    be in followers' feeds: yes unless the user is merged and the entry is newer than that."""
    since = MergedAuthor.objects.filter(pk=user_id).values_list("since", flat=True).first()
    return since is None or score is None or score < since
