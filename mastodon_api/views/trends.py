"""GET /api/v1/trends/tags: section 6's trending hashtags as Mastodon Tag entities."""

from rest_framework.request import Request
from rest_framework.response import Response

from mastodon_api.base import MastodonView
from mastodon_api.errors import Unprocessable
from tweets.selectors import hashtag_history, trending_hashtags

DEFAULT_LIMIT = 10
MAX_LIMIT = 20  # Mastodon's; Chirp's list itself holds at most tweets.selectors.TRENDING_SIZE


class TrendingTagsView(MastodonView):
    """The same list for everyone, in the native order (most distinct tweets in the last 24
    hours), each with its last seven days of use; `limit` and `offset` as Mastodon takes them."""

    public_methods = ("GET",)
    user_required = False

    def get(self, request: Request) -> Response:
        try:
            limit = max(1, min(int(request.query_params.get("limit") or DEFAULT_LIMIT), MAX_LIMIT))
            offset = max(0, int(request.query_params.get("offset") or 0))
        except ValueError:
            raise Unprocessable("limit and offset must be numbers") from None
        names = [str(row["tag"]) for row in trending_hashtags()][offset : offset + limit]
        history = hashtag_history(names=names)
        return Response([self.renderer.tag(name, history[name]) for name in names])
