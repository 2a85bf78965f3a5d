"""My favourites and bookmarks: statuses, newest favourite (bookmark) first, paged by its own id."""

from django.db.models import F, QuerySet
from rest_framework.request import Request
from rest_framework.response import Response

from mastodon_api.base import MastodonView
from mastodon_api.hydrate import render_statuses
from mastodon_api.pagination import window
from tweets.models import Tweet
from tweets.selectors import bookmarked_tweets, liked_tweets


class _MarkedStatusesView(MastodonView):
    """Statuses I marked, paged as Mastodon pages them: by the id of the favourite (or
    bookmark), not of the status, so the Link header carries those ids."""

    def page(self, qs: QuerySet[Tweet]) -> Response:
        """`qs` carries `rel_id`, the mark's id (ids grow with time)."""
        rows = window(qs, self.cursor(), "rel_id")
        if not rows:
            return Response([])
        statuses = render_statuses(self.renderer, rows, viewer=self.me)
        return self.paged(statuses, first_id=rows[0].rel_id, last_id=rows[-1].rel_id)


class FavouritesView(_MarkedStatusesView):
    scopes = {"GET": "read:favourites"}

    def get(self, request: Request) -> Response:
        return self.page(liked_tweets(user=self.me).annotate(rel_id=F("likes__id")))


class BookmarksView(_MarkedStatusesView):
    scopes = {"GET": "read:bookmarks"}

    def get(self, request: Request) -> Response:
        return self.page(bookmarked_tweets(user=self.me).annotate(rel_id=F("bookmarks__id")))
