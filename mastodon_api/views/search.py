"""GET /api/v2/search: accounts, statuses and hashtags."""

from rest_framework.request import Request
from rest_framework.response import Response

from mastodon_api.base import MastodonView
from mastodon_api.errors import Unprocessable
from mastodon_api.hydrate import render_statuses
from search.selectors import search_tweets, search_users
from tweets.selectors import hashtags_matching

MAX_QUERY = 100


class SearchView(MastodonView):
    scopes = {"GET": "read:search"}

    def get(self, request: Request) -> Response:
        params = request.query_params
        q = params.get("q", "").strip()
        if not q:
            raise Unprocessable("q is missing")
        q = q[:MAX_QUERY]
        kind = params.get("type", "")
        if kind not in ("", "accounts", "statuses", "hashtags"):
            raise Unprocessable("type must be accounts, statuses or hashtags")
        try:
            limit = max(1, min(int(params.get("limit", 20)), 40))
            offset = max(0, int(params.get("offset", 0)))
        except ValueError:
            raise Unprocessable("limit and offset must be numbers") from None
        viewer = self.me
        result: dict[str, list] = {"accounts": [], "statuses": [], "hashtags": []}
        if kind in ("", "accounts"):
            name = q.lstrip("@").split("@")[0] or q
            _, users = search_users(q=name, viewer=viewer, limit=limit, offset=offset)
            result["accounts"] = [self.renderer.account(user) for user in users]
        if kind in ("", "statuses"):
            _, tweets = search_tweets(q=q, viewer=viewer, limit=limit, offset=offset)
            result["statuses"] = render_statuses(self.renderer, tweets, viewer=viewer)
        if kind in ("", "hashtags") and offset == 0:
            result["hashtags"] = [
                self.renderer.tag(name) for name in hashtags_matching(prefix=q.lstrip("#"), limit=limit)
            ]
        return Response(result)
