"""Statuses from tweets and reposts in a constant number of queries, whatever the page size."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accounts.models import User
from accounts.selectors import users_by_ids
from feed.selectors import FeedItem
from mastodon_api.entities import Renderer
from tweets.selectors import author_ids, tweets_by_ids

# The notification columns render_notifications takes.
NOTIFICATION_FIELDS = ("id", "type", "actor_id", "tweet_id", "created_at")


@dataclass(frozen=True)
class Reblog:
    """A repost as a status: its own id and time, who reposted, the tweet it carries."""

    repost_id: int
    created_at: datetime
    reposter_id: int
    tweet: Any


def render_statuses(renderer: Renderer, entries: list[Any], *, viewer: User | None) -> list[dict[str, Any]]:
    """Tweets (model instances or feed rows) and Reblogs as Status entities, in order: two queries
    (the accounts, and the authors of what the replies reply to). Entries whose author or
    reposter is suspended are left out."""
    tweets = [entry.tweet if isinstance(entry, Reblog) else entry for entry in entries]
    ids = {tweet.author_id for tweet in tweets} | {entry.reposter_id for entry in entries if isinstance(entry, Reblog)}
    users = users_by_ids(ids=sorted(ids), viewer=viewer)
    parents = author_ids(tweet_ids=sorted({tweet.in_reply_to_id for tweet in tweets if tweet.in_reply_to_id}))
    out: list[dict[str, Any]] = []
    for entry, tweet in zip(entries, tweets, strict=True):
        author = users.get(tweet.author_id)
        if author is None:
            continue
        status = renderer.status(tweet, author, reply_to_account=parents.get(tweet.in_reply_to_id))
        if isinstance(entry, Reblog):
            reposter = users.get(entry.reposter_id)
            if reposter is None:
                continue
            status = renderer.reblog(entry.repost_id, entry.created_at, reposter, status)
        out.append(status)
    return out


def render_feed_items(renderer: Renderer, items: list[FeedItem]) -> list[dict[str, Any]]:
    """Home timeline items, hydrated with their accounts (feed.selectors.hydrate(accounts=True)),
    as Status entities: no query at all (the feed's state query read the accounts, the reblog
    ids and the replied-to authors, and left out whatever may not be shown)."""
    out: list[dict[str, Any]] = []
    for item in items:
        tweet = item.tweet
        status = renderer.status(tweet, tweet.author, reply_to_account=tweet.reply_to_author_id)
        if item.reposter is not None and item.repost_id is not None and item.reposted_at is not None:
            status = renderer.reblog(item.repost_id, item.reposted_at, item.reposter, status)
        out.append(status)
    return out


def render_notifications(renderer: Renderer, rows: list[dict], *, viewer: User) -> list[dict[str, Any]]:
    """Notification rows (id, type, actor_id, tweet_id, created_at) as Notification entities,
    with their accounts and statuses: four queries for any number. Rows whose actor or
    status the viewer may not see are left out."""
    tweets = tweets_by_ids(ids=[row["tweet_id"] for row in rows if row["tweet_id"]], viewer=viewer)
    statuses = {int(s["id"]): s for s in render_statuses(renderer, list(tweets.values()), viewer=viewer)}
    actors = users_by_ids(ids=[row["actor_id"] for row in rows], viewer=viewer)
    out = []
    for row in rows:
        actor = actors.get(row["actor_id"])
        status = statuses.get(row["tweet_id"]) if row["tweet_id"] else None
        if actor is None or (row["tweet_id"] and status is None):
            continue
        out.append(renderer.notification(row, actor, status))
    return out
