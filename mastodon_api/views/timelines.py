"""Timelines: home (the Redis feed, read by time window) and tag."""

from rest_framework.request import Request
from rest_framework.response import Response

from feed.cursors import feed_window, lower_bound, upper_bound
from mastodon_api.base import MastodonView
from mastodon_api.hydrate import Reblog, render_statuses
from mastodon_api.pagination import window
from tweets.selectors import hashtag_tweets, reposts_for, status_time


def _upper_bound(status_id: int | None) -> tuple[bool, int | None]:
    """(any, feed bound) for max_id: below that status's time; when no status has that id, at
    or below the time of the newest one before it. (False, None): nothing older."""
    if status_id is None:
        return True, None
    found = status_time(status_id=status_id)
    if found is None:
        return False, None
    moment, exact = found
    return True, upper_bound(moment, inclusive=not exact)


def _lower_bound(status_id: int | None) -> int | None:
    """Feed bound for since_id/min_id: above the time of that status (or of the newest one
    before it); None when no status is that old."""
    if status_id is None:
        return None
    found = status_time(status_id=status_id)
    return lower_bound(found[0]) if found else None


class HomeTimelineView(MastodonView):
    """The home feed; a status id cursor becomes a time bound on the feed's scores, so
    pages neither repeat nor skip while new entries arrive at the top."""

    scopes = {"GET": "read:statuses"}

    def get(self, request: Request) -> Response:
        cursor = self.cursor()
        anything, before = _upper_bound(cursor.max_id)
        if not anything:
            return Response([])
        after = max(filter(None, (_lower_bound(cursor.since_id), _lower_bound(cursor.min_id))), default=None)
        rows = feed_window(
            viewer=self.me, before=before, after=after, limit=cursor.limit, oldest_first=cursor.oldest_first
        )
        if cursor.oldest_first:
            rows.reverse()
        pairs = [(item.tweet.pk, reposter) for item, _, reposter in rows if reposter is not None]
        reposts = reposts_for(pairs=pairs)
        entries: list = []
        for item, _, reposter in rows:
            if reposter is None:
                entries.append(item.tweet)
            elif (repost := reposts.get((item.tweet.pk, reposter))) is not None:
                entries.append(Reblog(repost.pk, repost.created_at, reposter, item.tweet))
        return self.paged(render_statuses(self.renderer, entries, viewer=self.me))


class TagTimelineView(MastodonView):
    public_methods = ("GET",)
    user_required = False

    def get(self, request: Request, tag: str) -> Response:
        viewer = self.viewer
        tweets = window(hashtag_tweets(tag=tag, viewer=viewer), self.cursor())
        return self.paged(render_statuses(self.renderer, tweets, viewer=viewer))
