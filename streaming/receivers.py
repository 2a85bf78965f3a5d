"""Signal receivers that publish stream events (connected in StreamingConfig.ready()).

Every signal here is sent after the commit (or the Redis write) of what it announces, in
the web or worker process that did it. A receiver never raises (publish logs and forgets).
"""

from collections.abc import Callable
from typing import Any

from django.dispatch import Signal

from accounts import signals as account_signals
from feed import signals as feed_signals
from mastodon_api import signals as mastodon_signals
from notifications import signals as notification_signals
from streaming import publish
from tweets import signals as tweet_signals


def on_entries_added(sender: object, *, tweet_id: int, reposter_id: int | None, user_ids: list[int], **kw: Any) -> None:
    publish.to_users(user_ids, {"e": "update", "t": tweet_id, "r": reposter_id})


def on_entries_removed(sender: object, *, tweet_id: int, user_ids: list[int], **kw: Any) -> None:
    publish.to_users(user_ids, {"e": "delete", "t": tweet_id})


def on_source_entry_added(
    sender: object, *, source_id: int, tweet_id: int, author_id: int, reposter_id: int | None, **kw: Any
) -> None:
    publish.to_source(source_id, {"e": "update", "t": tweet_id, "a": author_id, "r": reposter_id})


def on_source_entry_removed(sender: object, *, source_id: int, tweet_id: int, **kw: Any) -> None:
    publish.to_source(source_id, {"e": "delete", "t": tweet_id})


def on_merged_changed(sender: object, *, user_id: int, merged: bool, **kw: Any) -> None:
    publish.to_control({"e": "merged", "a": user_id, "on": merged})


def on_tweet_created(sender: object, *, tweet_id: int, author_id: int, **kw: Any) -> None:
    publish.to_public({"e": "update", "t": tweet_id, "a": author_id})


def on_tweet_removed(sender: object, *, tweet_id: int, **kw: Any) -> None:
    publish.to_public({"e": "delete", "t": tweet_id})


def on_notification_created(sender: object, *, notification_id: int, recipient_id: int, **kw: Any) -> None:
    publish.to_users([recipient_id], {"e": "notification", "n": notification_id})


def on_credentials_changed(sender: object, *, user_id: int, **kw: Any) -> None:
    # Revoked, password changed, logged out, suspended: the streams check their tokens again.
    publish.to_users([user_id], {"e": "auth"})


def on_follows_changed(sender: object, *, follower_id: int, **kw: Any) -> None:
    # The merged authors this user's home stream listens to may have changed.
    publish.to_users([follower_id], {"e": "follows"})


def connect() -> None:
    """Connect every receiver once (dispatch_uid guards against double connection)."""
    pairs: list[tuple[Signal, Callable[..., None], str]] = [
        (feed_signals.entries_added, on_entries_added, "entries_added"),
        (feed_signals.entries_removed, on_entries_removed, "entries_removed"),
        (feed_signals.source_entry_added, on_source_entry_added, "source_entry_added"),
        (feed_signals.source_entry_removed, on_source_entry_removed, "source_entry_removed"),
        (feed_signals.merged_changed, on_merged_changed, "merged_changed"),
        (tweet_signals.tweet_created, on_tweet_created, "tweet_created"),
        (tweet_signals.tweet_removed, on_tweet_removed, "tweet_removed"),
        (notification_signals.notification_created, on_notification_created, "notification_created"),
        (account_signals.user_suspended, on_credentials_changed, "user_suspended"),
        (account_signals.password_changed, on_credentials_changed, "password_changed"),
        (account_signals.access_token_logged_out, on_credentials_changed, "access_token_logged_out"),
        (mastodon_signals.token_revoked, on_credentials_changed, "token_revoked"),
        (account_signals.follow_created, on_follows_changed, "follow_created"),
        (account_signals.follow_removed, on_follows_changed, "follow_removed"),
    ]
    for signal, receiver, name in pairs:
        signal.connect(receiver, weak=False, dispatch_uid=f"streaming.{name}")
