"""Timelines: home (the Redis feed, read by time window), public and tag."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from feed.cursors import feed_window, lower_bound, upper_bound
from mastodon_api.base import MastodonView
from mastodon_api.hydrate import render_feed_items, render_statuses
from mastodon_api.pagination import window
from tweets.selectors import hashtag_tweets, public_tweets, status_time


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
            viewer=self.me,
            before=before,
            after=after,
            limit=cursor.limit,
            oldest_first=cursor.oldest_first,
            accounts=True,
        )
        if cursor.oldest_first:
            rows.reverse()
        return self.paged(render_feed_items(self.renderer, [item for item, _, _ in rows]))


class TagTimelineView(MastodonView):
    public_methods = ("GET",)
    user_required = False

    def get(self, request: Request, tag: str) -> Response:
        viewer = self.viewer
        tweets = window(hashtag_tweets(tag=tag, viewer=viewer), self.cursor())
        return self.paged(render_statuses(self.renderer, tweets, viewer=viewer))


_ID_PARAMETERS = [
    OpenApiParameter(name, str, description=f"{what} (a status id: digits)", required=False)
    for name, what in (
        ("max_id", "Statuses older than this one"),
        ("since_id", "Statuses newer than this one"),
        ("min_id", "The statuses just newer than this one (the page above it)"),
    )
]


class PublicTimelineView(MastodonView):
    """Every tweet, newest first (Chirp is one server: `local` and `remote=false` change
    nothing, `remote=true` is an empty list)."""

    public_methods = ("GET",)
    user_required = False
    schema = AutoSchema()  # type: ignore[assignment]  # documented in /api/schema/, unlike the older Mastodon paths

    @extend_schema(
        operation_id="mastodon_timelines_public",
        tags=["mastodon"],
        summary="Public timeline (Mastodon API)",
        description=(
            "Every tweet as a Mastodon Status entity, newest first, paged by status id with a "
            "`Link` header. A token is optional: with one, tweets a block stands between and "
            "muted authors are left out."
        ),
        parameters=[
            # The zero-width mount of the Mastodon paths (config/urls.py); config.openapi drops it.
            OpenApiParameter("var", str, OpenApiParameter.PATH),
            *_ID_PARAMETERS,
            OpenApiParameter("limit", int, description="1..40, default 20 (out of range is clamped)", required=False),
            OpenApiParameter("local", bool, description="Accepted: every status is local", required=False),
            OpenApiParameter("remote", bool, description="true: an empty list (no federation)", required=False),
        ],
        responses={
            200: OpenApiResponse(
                response={"type": "array", "items": {"type": "object", "description": "A Mastodon Status entity"}},
                description="Statuses, newest first.",
            ),
            401: OpenApiResponse(description="A token was sent and is invalid, revoked or expired."),
            422: OpenApiResponse(description="A malformed id or limit."),
            429: OpenApiResponse(description="Rate limited; see Retry-After."),
        },
    )
    def get(self, request: Request) -> Response:
        if _flag(request, "remote"):
            return Response([])
        viewer = self.viewer
        tweets = window(public_tweets(viewer=viewer), self.cursor())
        return self.paged(render_statuses(self.renderer, tweets, viewer=viewer))


def _flag(request: Request, name: str) -> bool:
    """A Mastodon boolean query parameter (true/1/on)."""
    return request.query_params.get(name, "").lower() in ("true", "1", "on", "yes")
