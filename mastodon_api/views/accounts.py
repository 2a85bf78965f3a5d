"""Accounts: verify_credentials, update_credentials, get, lookup, statuses, followers, following,
follow, block, mute, relationships, follow requests."""

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.http import Http404
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services as account_services
from accounts.models import User
from accounts.selectors import (
    relationships,
    user_blocks,
    user_followers,
    user_following,
    user_get_by_username,
    user_mutes,
    users_by_ids,
)
from mastodon_api.base import MastodonView
from mastodon_api.errors import Unprocessable
from mastodon_api.hydrate import Reblog, render_statuses
from mastodon_api.pagination import window
from mastodon_api.views.common import account_or_404, parse_pk
from tweets.selectors import tweets_by_ids, user_reposts, user_tweets


def _truthy(value: str) -> bool:
    return value.lower() in ("1", "true", "on", "yes")


class VerifyCredentialsView(MastodonView):
    scopes = {"GET": "read:accounts"}

    def get(self, request: Request) -> Response:
        return Response(self.renderer.account(self.me, source=True))


class UpdateCredentialsView(MastodonView):
    """PATCH display_name and note (form, multipart or JSON) through the native profile service,
    so the native limits hold (a 422 that changes nothing); other fields are ignored (Chirp
    has no avatars, header images, profile fields or locked accounts)."""

    scopes = {"PATCH": "write:accounts"}

    def patch(self, request: Request) -> Response:
        changes = {name: self.optional_text(name) for name in ("display_name", "note")}
        try:
            user = account_services.user_update_profile(
                user=self.me, display_name=changes["display_name"], bio=changes["note"]
            )
        except ValidationError as exc:  # named as the client named it: Mastodon's bio is `note`
            raise ValidationError({"note" if key == "bio" else key: v for key, v in exc.message_dict.items()}) from exc
        return Response(self.renderer.account(user, source=True))


class AccountView(MastodonView):
    public_methods = ("GET",)
    user_required = False

    def get(self, request: Request, account_id: str) -> Response:
        return Response(self.renderer.account(account_or_404(account_id, self.viewer)))


class LookupView(MastodonView):
    public_methods = ("GET",)
    user_required = False

    def get(self, request: Request) -> Response:
        acct = request.query_params.get("acct", "").strip().lstrip("@")
        username, _, domain = acct.partition("@")
        if not username:
            raise Unprocessable("acct is missing")
        if domain and domain.lower() != self.renderer.domain.lower().split(":")[0] and domain != self.renderer.domain:
            raise Http404("Record not found")
        if username.lower() == "me":
            raise Http404("Record not found")
        return Response(self.renderer.account(user_get_by_username(username=username, viewer=None)))


class AccountStatusesView(MastodonView):
    """Their tweets and reposts, newest first, paged by status id (one id space for both)."""

    public_methods = ("GET",)
    user_required = False

    def get(self, request: Request, account_id: str) -> Response:
        viewer = self.viewer
        user = account_or_404(account_id, viewer)
        cursor = self.cursor()
        params = request.query_params
        if (
            viewer is not None
            and user.pk != viewer.pk
            and relationships(viewer=viewer, user_ids=[user.pk]).get(user.pk, {}).get("blocked_by")
        ):
            return Response([])  # Mastodon shows nothing of an account that blocks you
        if _truthy(params.get("pinned", "")) or _truthy(params.get("only_media", "")):
            return Response([])
        tweets = user_tweets(user=user, viewer=viewer)
        if _truthy(params.get("exclude_replies", "")):
            tweets = tweets.filter(in_reply_to__isnull=True)
        if params.get("tagged"):
            tweets = tweets.filter(hashtags__name=params["tagged"].lower().lstrip("#"))
        entries: list = list(window(tweets, cursor))
        if not _truthy(params.get("exclude_reblogs", "")) and not params.get("tagged"):
            reposts = window(user_reposts(user=user), cursor)
            originals = tweets_by_ids(ids=[r.tweet_id for r in reposts], viewer=viewer)
            entries += [
                Reblog(r.pk, r.created_at, r.user_id, originals[r.tweet_id]) for r in reposts if r.tweet_id in originals
            ]
        key = lambda e: e.repost_id if isinstance(e, Reblog) else e.pk  # noqa: E731
        if cursor.oldest_first:
            entries = sorted(entries, key=key)[: cursor.limit][::-1]
        else:
            entries = sorted(entries, key=key, reverse=True)[: cursor.limit]
        return self.paged(render_statuses(self.renderer, entries, viewer=viewer))


class UserListView(MastodonView):
    """A list of accounts paged by the id of the relation (follow, block, mute) that put them there."""

    def page(self, qs: QuerySet[User]) -> Response:
        """`qs` carries `rel_id`, the relation's id (ids grow with time)."""
        rows = window(qs, self.cursor(), "rel_id")
        if not rows:
            return Response([])
        items = [self.renderer.account(user) for user in rows]
        return self.paged(items, first_id=rows[0].rel_id, last_id=rows[-1].rel_id)


class FollowersView(UserListView):
    public_methods = ("GET",)
    user_required = False

    def get(self, request: Request, account_id: str) -> Response:
        viewer = self.viewer
        user = account_or_404(account_id, viewer)
        return self.page(user_followers(user=user, viewer=viewer).annotate(rel_id=F("following_set__id")))


class FollowingView(UserListView):
    public_methods = ("GET",)
    user_required = False

    def get(self, request: Request, account_id: str) -> Response:
        viewer = self.viewer
        user = account_or_404(account_id, viewer)
        return self.page(user_following(user=user, viewer=viewer).annotate(rel_id=F("follower_set__id")))


class BlocksView(UserListView):
    scopes = {"GET": "read:blocks"}

    def get(self, request: Request) -> Response:
        return self.page(user_blocks(user=self.me).annotate(rel_id=F("block_targeted_set__id")))


class MutesView(UserListView):
    scopes = {"GET": "read:mutes"}

    def get(self, request: Request) -> Response:
        return self.page(user_mutes(user=self.me).annotate(rel_id=F("mute_targeted_set__id")))


class _RelationActionView(MastodonView):
    """POST accounts/:id/<action>: change the relation, answer the Relationship."""

    scopes = {"POST": "write:follows"}
    action = ""

    def post(self, request: Request, account_id: str) -> Response:
        me = self.me
        target = account_or_404(account_id, me)
        if target.pk == me.pk and self.action in ("follow", "block", "mute"):
            raise Unprocessable(f"Validation failed: you cannot {self.action} yourself")
        {
            "follow": lambda: account_services.follow_create(follower=me, followee=target),
            "unfollow": lambda: account_services.follow_delete(follower=me, followee=target),
            "block": lambda: account_services.block_create(user=me, target=target),
            "unblock": lambda: account_services.block_delete(user=me, target=target),
            "mute": lambda: account_services.mute_create(user=me, target=target),
            "unmute": lambda: account_services.mute_delete(user=me, target=target),
        }[self.action]()
        rel = relationships(viewer=me, user_ids=[target.pk]).get(target.pk, {})
        return Response(self.renderer.relationship(target.pk, rel))


def relation_view(action: str, scope: str) -> type[_RelationActionView]:
    return type(f"{action.title()}View", (_RelationActionView,), {"action": action, "scopes": {"POST": scope}})


class FollowRequestsView(MastodonView):
    """Chirp accounts are never locked: nobody ever has a follow request to review."""

    scopes = {"GET": "read:follows"}

    def get(self, request: Request) -> Response:
        return Response([])


class RelationshipsView(MastodonView):
    scopes = {"GET": "read:follows"}

    def get(self, request: Request) -> Response:
        ids = []
        for raw in self.param_list("id")[:40]:
            try:
                ids.append(parse_pk(raw))
            except Http404:
                continue
        known = users_by_ids(ids=ids, viewer=self.me)
        rels = relationships(viewer=self.me, user_ids=list(known))
        return Response([self.renderer.relationship(pk, rels.get(pk, {})) for pk in dict.fromkeys(ids) if pk in known])
