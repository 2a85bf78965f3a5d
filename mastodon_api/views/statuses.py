"""Statuses: create, get, delete, context, favourite, unfavourite, reblog, unreblog, bookmark,
unbookmark, favourited_by, reblogged_by."""

from django.db.models import F
from django.http import Http404
from rest_framework.request import Request
from rest_framework.response import Response

from mastodon_api.base import MastodonView
from mastodon_api.errors import Unprocessable
from mastodon_api.hydrate import Reblog, render_statuses
from mastodon_api.views.accounts import UserListView
from mastodon_api.views.common import original_tweet, status_or_404
from tweets import services as tweet_services
from tweets.selectors import reposts_for, thread_ids, tweet_get, tweet_likers, tweet_reposters, tweets_by_ids


class _StatusView(MastodonView):
    def render_one(self, entry: object) -> dict:
        rendered = render_statuses(self.renderer, [entry], viewer=self.viewer)
        if not rendered:
            raise Http404("Record not found")
        return rendered[0]

    def fresh(self, tweet_id: int) -> object:
        """The tweet again after an action: counters and the viewer's flags as they are now."""
        return tweet_get(tweet_id=tweet_id, viewer=self.viewer)


class StatusCreateView(_StatusView):
    scopes = {"POST": "write:statuses"}

    def post(self, request: Request) -> Response:
        data = request.data
        media = data.getlist("media_ids[]") if hasattr(data, "getlist") else data.get("media_ids")
        if media:
            raise Unprocessable("Validation failed: media attachments are not supported on this server")
        if (hasattr(data, "get") and data.get("poll")) or any(key.startswith("poll[") for key in data):
            raise Unprocessable("Validation failed: polls are not supported on this server")
        if self.param("visibility", "public") not in ("", "public", "unlisted"):
            # Posting a "private" or "direct" status publicly would leak it: refuse instead.
            raise Unprocessable("Validation failed: only public statuses are supported on this server")
        text = self.param("status")
        parent = None
        reply_to = self.param("in_reply_to_id")
        if reply_to:
            parent = original_tweet(status_or_404(reply_to, self.me))
        tweet = tweet_services.tweet_create(author=self.me, content=text, in_reply_to=parent)
        return Response(self.render_one(self.fresh(tweet.pk)))


class StatusView(_StatusView):
    scopes = {"DELETE": "write:statuses"}
    public_methods = ("GET",)
    user_required = False

    def get(self, request: Request, status_id: str) -> Response:
        return Response(self.render_one(status_or_404(status_id, self.viewer)))

    def delete(self, request: Request, status_id: str) -> Response:
        """Delete one's own status (a reblog: undo it). Another account's is a 404, as in Mastodon."""
        me = self.me
        entry = status_or_404(status_id, me)
        if isinstance(entry, Reblog):
            if entry.reposter_id != me.pk:
                raise Http404("Record not found")
            rendered = self.render_one(entry)
            tweet_services.repost_delete(user=me, tweet=entry.tweet)
            return Response(rendered)
        if entry.author_id != me.pk:
            raise Http404("Record not found")
        rendered = self.render_one(entry)
        tweet_services.tweet_delete(tweet=entry, by=me)
        rendered["text"] = entry.content  # the source, for "delete and redraft"
        return Response(rendered)


class ContextView(_StatusView):
    public_methods = ("GET",)
    user_required = False

    def get(self, request: Request, status_id: str) -> Response:
        viewer = self.viewer
        tweet = original_tweet(status_or_404(status_id, viewer))
        ancestors, descendants = thread_ids(tweet_id=tweet.pk)
        found = tweets_by_ids(ids=ancestors + descendants, viewer=viewer)
        up = [found[pk] for pk in ancestors if pk in found]
        down = [found[pk] for pk in descendants if pk in found]
        rendered = render_statuses(self.renderer, up + down, viewer=viewer)
        by_id = {status["id"]: status for status in rendered}
        return Response(
            {
                "ancestors": [by_id[str(t.pk)] for t in up if str(t.pk) in by_id],
                "descendants": [by_id[str(t.pk)] for t in down if str(t.pk) in by_id],
            }
        )


class _ActionView(_StatusView):
    action = ""

    def post(self, request: Request, status_id: str) -> Response:
        user = self.me
        tweet = original_tweet(status_or_404(status_id, user))
        if self.action == "favourite":
            tweet_services.like_create(user=user, tweet=tweet)
        elif self.action == "unfavourite":
            tweet_services.like_delete(user=user, tweet=tweet)
        elif self.action == "bookmark":
            tweet_services.bookmark_create(user=user, tweet=tweet)
        elif self.action == "unbookmark":
            tweet_services.bookmark_delete(user=user, tweet=tweet)
        elif self.action == "unreblog":
            tweet_services.repost_delete(user=user, tweet=tweet)
        else:
            tweet_services.repost_create(user=user, tweet=tweet)
            repost = reposts_for(pairs=[(tweet.pk, user.pk)]).get((tweet.pk, user.pk))
            if repost is None:  # undone meanwhile
                raise Http404("Record not found")
            return Response(self.render_one(Reblog(repost.pk, repost.created_at, user.pk, self.fresh(tweet.pk))))
        return Response(self.render_one(self.fresh(tweet.pk)))


def action_view(action: str, scope: str) -> type[_ActionView]:
    return type(f"{action.title()}View", (_ActionView,), {"action": action, "scopes": {"POST": scope}})


class FavouritedByView(UserListView):
    """Who favourited a status (a reblog's id: its original), paged by the favourite's id."""

    public_methods = ("GET",)
    user_required = False

    def get(self, request: Request, status_id: str) -> Response:
        viewer = self.viewer
        tweet = original_tweet(status_or_404(status_id, viewer))
        return self.page(tweet_likers(tweet=tweet, viewer=viewer).annotate(rel_id=F("likes__id")))


class RebloggedByView(UserListView):
    """Who reblogged a status, paged by the reblog's id."""

    public_methods = ("GET",)
    user_required = False

    def get(self, request: Request, status_id: str) -> Response:
        viewer = self.viewer
        tweet = original_tweet(status_or_404(status_id, viewer))
        return self.page(tweet_reposters(tweet=tweet, viewer=viewer).annotate(rel_id=F("reposts__id")))
