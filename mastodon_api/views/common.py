"""Lookups shared by the endpoint modules: an account or a status named in the path."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import User
from accounts.selectors import users_by_ids
from mastodon_api.hydrate import Reblog
from tweets.models import Tweet
from tweets.selectors import parse_tweet_id, repost_get, tweet_get


def parse_pk(raw: str) -> int:
    """A path id, or 404 (never a 500)."""
    return parse_tweet_id(raw)


def account_or_404(raw_id: str, viewer: User | None) -> User:
    users = users_by_ids(ids=[parse_pk(raw_id)], viewer=viewer)
    if not users:
        raise Http404("Record not found")
    return next(iter(users.values()))


def status_or_404(raw_id: str, viewer: User | None) -> Tweet | Reblog:
    """The tweet or the repost (as a Reblog) this status id names; 404 also for what a block hides."""
    pk = parse_pk(raw_id)
    try:
        try:
            return tweet_get(tweet_id=pk, viewer=viewer)
        except Http404:
            repost = repost_get(repost_id=pk)
            if repost is None or not repost.user.is_active:
                raise
            tweet = tweet_get(tweet_id=repost.tweet_id, viewer=viewer)
            return Reblog(repost.pk, repost.created_at, repost.user_id, tweet)
    except PermissionDenied:
        raise Http404("Record not found") from None


def original_tweet(entry: Tweet | Reblog) -> Tweet:
    """What an action on a status acts on: a reblog's original."""
    return entry.tweet if isinstance(entry, Reblog) else entry
