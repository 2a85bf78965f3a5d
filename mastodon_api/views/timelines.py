"""Timelines: home (the Redis feed, read by time window) and tag."""

from datetime import datetime

from rest_framework.request import Request
from rest_framework.response import Response

from feed.cursors import feed_window
from feed.keys import score
from mastodon_api.base import MastodonView
from mastodon_api.hydrate import Reblog, render_statuses
from mastodon_api.pagination import window
from tweets.selectors import hashtag_tweets, reposts_for, status_time


def _score_of(status_id: int | None) -> tuple[bool, int | None]:
    """(known, feed score) a status id stands for: the time of that tweet or repost (or of the
    newest one before it, when it is gone). Unknown: older than anything."""
    if status_id is None:
        return True, None
    moment: datetime | None = status_time(status_id=status_id)
    return (moment is not None), (score(moment) if moment is not None else None)


class HomeTimelineView(MastodonView):
    """The home feed; a status id cursor becomes a time bound on the feed's scores, so
    pages neither repeat nor skip while new entries arrive at the top."""

    scopes = {"GET": "read:statuses"}

    def get(self, request: Request) -> Response:
        cursor = self.cursor()
        known_max, before = _score_of(cursor.max_id)
        if not known_max:
            return Response([])
        _, since = _score_of(cursor.since_id)
        _, after_min = _score_of(cursor.min_id)
        after = max(filter(None, (since, after_min)), default=None)
        rows = feed_window(
            viewer=request.user, before=before, after=after, limit=cursor.limit, oldest_first=cursor.oldest_first
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
        return self.paged(render_statuses(self.renderer, entries, viewer=request.user))


class TagTimelineView(MastodonView):
    public_methods = ("GET",)
    user_required = False

    def get(self, request: Request, tag: str) -> Response:
        viewer = request.user if request.user.is_authenticated else None
        tweets = window(hashtag_tweets(tag=tag, viewer=viewer), self.cursor())
        return self.paged(render_statuses(self.renderer, tweets, viewer=viewer))
