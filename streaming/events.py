"""What the stream publisher does when the apps announce an event (connected in
StreamingConfig.ready(), so in every web and worker process).

Every signal here is sent after the commit (or the Redis write) of what it announces. Each
line publishes at once, in the process that did the work: a Lua call on REDIS_URL that
looks up the listeners' markers and publishes only where someone listens (streaming.publish).
A line never raises (core.events): a failure is logged, and delivery is at most once.
"""

from typing import Any

from accounts import signals as account_signals
from core.events import call
from feed import signals as feed_signals
from mastodon_api import signals as mastodon_signals
from notifications import signals as notification_signals
from streaming import publish
from tweets import signals as tweet_signals


def entries_added(*, tweet_id: int, reposter_id: int | None, user_ids: list[int], **_: Any) -> None:
    """A tweet or repost entered these home feeds (a fan-out batch, a chunk on feed_bulk)."""
    publish.to_users(user_ids, {"e": "update", "t": tweet_id, "r": reposter_id})


def entries_removed(*, tweet_id: int, user_ids: list[int], **_: Any) -> None:
    """A deleted or hidden tweet left these home feeds."""
    publish.to_users(user_ids, {"e": "delete", "t": tweet_id})


def source_entry_added(*, source_id: int, tweet_id: int, author_id: int, reposter_id: int | None, **_: Any) -> None:
    """A merged author's entry: once, on the author's channel (their followers' streams filter)."""
    publish.to_source(source_id, {"e": "update", "t": tweet_id, "a": author_id, "r": reposter_id})


def source_entry_removed(*, source_id: int, tweet_id: int, **_: Any) -> None:
    publish.to_source(source_id, {"e": "delete", "t": tweet_id})


def merged_changed(*, user_id: int, merged: bool, **_: Any) -> None:
    """An author crossed FANOUT_FOLLOWER_LIMIT: every stream process re-reads who listens to them."""
    publish.to_control({"e": "merged", "a": user_id, "on": merged})


def tweet_created(*, tweet_id: int, author_id: int, **_: Any) -> None:
    """Every new tweet, for the public and hashtag streams (published from the request)."""
    publish.to_public({"e": "update", "t": tweet_id, "a": author_id})


def tweet_removed(*, tweet_id: int, **_: Any) -> None:
    publish.to_public({"e": "delete", "t": tweet_id})


def notification_created(*, notification_id: int, recipient_id: int, **_: Any) -> None:
    publish.to_users([recipient_id], {"e": "notification", "n": notification_id})


def credentials_changed(*, user_id: int, **_: Any) -> None:
    """Revoked, password changed, logged out, suspended: the user's streams check their tokens again."""
    publish.to_users([user_id], {"e": "auth"})


def follows_changed(*, follower_id: int, **_: Any) -> None:
    """The merged authors this user's home stream listens to may have changed."""
    publish.to_users([follower_id], {"e": "follows"})


EVENTS = [
    call(feed_signals.entries_added, entries_added),
    call(feed_signals.entries_removed, entries_removed),
    call(feed_signals.source_entry_added, source_entry_added),
    call(feed_signals.source_entry_removed, source_entry_removed),
    call(feed_signals.merged_changed, merged_changed),
    call(tweet_signals.tweet_created, tweet_created),
    call(tweet_signals.tweet_removed, tweet_removed),
    call(notification_signals.notification_created, notification_created),
    call(account_signals.user_suspended, credentials_changed),
    call(account_signals.password_changed, credentials_changed),
    call(account_signals.access_token_logged_out, credentials_changed),
    call(mastodon_signals.token_revoked, credentials_changed),
    call(account_signals.follow_created, follows_changed),
    call(account_signals.follow_removed, follows_changed),
]
