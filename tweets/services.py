"""Writes of the tweets app. Counters move with F() in the row's own transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.dispatch import Signal
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.services import ensure_not_blocked
from core.audit import log_moderation
from core.events import send_on_commit
from tweets import signals
from tweets.models import TWEET_MAX_LENGTH, Bookmark, Hashtag, Like, Mention, Repost, Tweet, TweetHashtag
from tweets.parsing import parse_hashtags, parse_mentions


def clean_content(content: str) -> str:
    """Trim; 1..280 characters (not bytes); no NUL, which PostgreSQL text cannot hold."""
    content = content.strip()
    if not content:
        raise ValidationError({"content": ["This field may not be blank."]})
    if len(content) > TWEET_MAX_LENGTH:
        raise ValidationError({"content": [f"Ensure this field has no more than {TWEET_MAX_LENGTH} characters."]})
    if "\x00" in content:
        raise ValidationError({"content": ["Null characters are not allowed."]})
    return content


@transaction.atomic
def tweet_create(*, author: User, content: str, in_reply_to: Tweet | None = None) -> Tweet:
    """Post a tweet (or a reply); fan-out and indexing follow the commit."""
    content = clean_content(content)
    if in_reply_to is not None:
        ensure_not_blocked(actor=author, owner_id=in_reply_to.author_id)
        # Lock the parent first: a reply racing the parent's deletion is a 404, not a
        # foreign-key violation at COMMIT (see tweet_delete).
        if not Tweet.objects.select_for_update(no_key=True).filter(pk=in_reply_to.pk).exists():
            raise Http404("No such tweet.")
    tweet = Tweet.objects.create(author=author, content=content, in_reply_to=in_reply_to)
    mention_ids = _record_mentions(tweet)
    tags = _record_hashtags(tweet)
    User.objects.filter(pk=author.pk).update(num_tweets=F("num_tweets") + 1)
    if in_reply_to is not None:
        Tweet.objects.filter(pk=in_reply_to.pk).update(num_replies=F("num_replies") + 1)
    send_on_commit(
        signals.tweet_created,
        sender=Tweet,
        tweet_id=tweet.pk,
        author_id=author.pk,
        content=tweet.content,
        created_at=tweet.created_at,
        mention_ids=mention_ids,
        tags=tags,
    )
    return tweet


def _record_mentions(tweet: Tweet) -> list[int]:
    """One Mention row per existing, active user named in the content (two statements);
    returns their ids in order of position."""
    names = parse_mentions(tweet.content)
    if not names:
        return []
    users = dict(User.objects.active().filter(username__lower__in=names).values_list("username__lower", "pk"))
    mentions = [Mention(tweet=tweet, user_id=users[name], position=i) for i, name in enumerate(names) if name in users]
    Mention.objects.bulk_create(mentions)
    return [mention.user_id for mention in mentions]


def _record_hashtags(tweet: Tweet) -> list[str]:
    """Hashtag rows (created on first use) and the tweet's links to them (three statements);
    returns the tags in order."""
    tags = parse_hashtags(tweet.content)
    if not tags:
        return []
    Hashtag.objects.bulk_create([Hashtag(name=tag) for tag in tags], ignore_conflicts=True)
    ids = dict(Hashtag.objects.filter(name__in=tags).values_list("name", "pk"))
    TweetHashtag.objects.bulk_create(
        [
            TweetHashtag(tweet=tweet, hashtag_id=ids[tag], position=i, created_at=tweet.created_at)
            for i, tag in enumerate(tags)
        ]
    )
    return tags


@transaction.atomic
def tweet_delete(*, tweet: Tweet, by: User) -> None:
    """Delete one's own tweet; counters follow, feeds and search drop it after commit."""
    if tweet.author_id != by.pk:
        raise PermissionDenied("You can only delete your own tweets.")
    # Lock the row before collecting its likes, reposts and replies: a like or reply
    # committed between the collection and the DELETE would otherwise break the
    # (deferred) foreign key at COMMIT, a 503. Under the lock they wait, then get a 404.
    if not Tweet.objects.select_for_update().filter(pk=tweet.pk).exists():
        return  # a concurrent delete won
    reposter_ids = list(Repost.objects.filter(tweet=tweet).values_list("user_id", flat=True))
    deleted, _ = Tweet.objects.filter(pk=tweet.pk).delete()
    if not deleted:
        return  # a concurrent delete won
    User.objects.filter(pk=tweet.author_id).update(num_tweets=F("num_tweets") - 1)
    if tweet.in_reply_to_id is not None:
        Tweet.objects.filter(pk=tweet.in_reply_to_id).update(num_replies=F("num_replies") - 1)
    send_on_commit(
        signals.tweet_removed, sender=Tweet, tweet_id=tweet.pk, author_id=tweet.author_id, reposter_ids=reposter_ids
    )


@transaction.atomic
def tweet_hide(*, tweet: Tweet, reason: str = "", by: User | None = None) -> bool:
    """Moderation: hide a tweet from everyone but staff. Returns whether it changed.

    With a moderator (`by`), a reason is required and the action goes to the moderation log.
    """
    reason = reason.strip()
    if by is not None and not reason:
        raise ValidationError({"reason": ["Hiding a tweet needs a reason."]})
    hidden_at = timezone.now()
    changed = Tweet.objects.filter(pk=tweet.pk, hidden_at__isnull=True).update(
        hidden_at=hidden_at, hidden_reason=reason[:500]
    )
    if changed:
        tweet.hidden_at, tweet.hidden_reason = hidden_at, reason[:500]
        reposter_ids = list(Repost.objects.filter(tweet=tweet).values_list("user_id", flat=True))
        send_on_commit(
            signals.tweet_removed, sender=Tweet, tweet_id=tweet.pk, author_id=tweet.author_id, reposter_ids=reposter_ids
        )
        if by is not None:
            log_moderation(moderator=by, obj=tweet, action="Hid the tweet", reason=reason)
    return bool(changed)


@transaction.atomic
def tweet_unhide(*, tweet: Tweet, by: User | None = None, reason: str = "") -> bool:
    """Moderation: show a hidden tweet again. Returns whether it changed (logged when `by` is given)."""
    changed = Tweet.objects.filter(pk=tweet.pk, hidden_at__isnull=False).update(hidden_at=None, hidden_reason="")
    if changed:
        tweet.hidden_at, tweet.hidden_reason = None, ""
        send_on_commit(signals.tweet_restored, sender=Tweet, tweet_id=tweet.pk, author_id=tweet.author_id)
        if by is not None:
            log_moderation(moderator=by, obj=tweet, action="Unhid the tweet", reason=reason)
    return bool(changed)


def like_create(*, user: User, tweet: Tweet) -> bool:
    """Like; idempotent and counted once. Returns whether a like was created.

    PermissionDenied when a block stands between the user and the tweet's author.
    """
    return _interaction_create(Like, "num_likes", signals.like_created, user=user, tweet=tweet)


def like_delete(*, user: User, tweet: Tweet) -> bool:
    """Unlike; idempotent. Returns whether a like was removed."""
    return _interaction_delete(Like, "num_likes", signals.like_removed, user=user, tweet=tweet)


def repost_create(*, user: User, tweet: Tweet) -> bool:
    """Repost; idempotent and counted once. Returns whether a repost was created.

    PermissionDenied when a block stands between the user and the tweet's author.
    """
    return _interaction_create(Repost, "num_reposts", signals.repost_created, user=user, tweet=tweet)


def repost_delete(*, user: User, tweet: Tweet) -> bool:
    """Undo a repost; idempotent. Returns whether a repost was removed."""
    return _interaction_delete(Repost, "num_reposts", signals.repost_removed, user=user, tweet=tweet)


def bookmark_create(*, user: User, tweet: Tweet) -> bool:
    """Bookmark; idempotent. Returns whether a bookmark was created.

    Private to the user: no counter, no signal (so no notification). PermissionDenied when
    a block stands between the user and the tweet's author, as for likes.
    """
    ensure_not_blocked(actor=user, owner_id=tweet.author_id)
    try:
        with transaction.atomic():
            Bookmark.objects.create(user=user, tweet=tweet)
    except IntegrityError:
        return False  # bookmarked already (or a concurrent identical one won)
    return True


def bookmark_delete(*, user: User, tweet: Tweet) -> bool:
    """Remove a bookmark; idempotent. Returns whether one was removed."""
    deleted, _ = Bookmark.objects.filter(user=user, tweet=tweet).delete()
    return bool(deleted)


def _interaction_create(
    model: type[Like] | type[Repost], counter: str, signal: Signal, *, user: User, tweet: Tweet
) -> bool:
    """Insert the row and bump the tweet's counter in one transaction; the unique constraint settles races."""
    ensure_not_blocked(actor=user, owner_id=tweet.author_id)
    try:
        with transaction.atomic():
            model.objects.create(user=user, tweet=tweet)
            Tweet.objects.filter(pk=tweet.pk).update(**{counter: F(counter) + 1})
            send_on_commit(signal, sender=Tweet, tweet_id=tweet.pk, user_id=user.pk, author_id=tweet.author_id)
    except IntegrityError:
        return False  # done already (or a concurrent identical one won)
    return True


@transaction.atomic
def _interaction_delete(
    model: type[Like] | type[Repost], counter: str, signal: Signal, *, user: User, tweet: Tweet
) -> bool:
    """Delete the row if present and lower the tweet's counter with it."""
    deleted, _ = model.objects.filter(user=user, tweet=tweet).delete()
    if deleted:
        Tweet.objects.filter(pk=tweet.pk).update(**{counter: F(counter) - 1})
        send_on_commit(signal, sender=Tweet, tweet_id=tweet.pk, user_id=user.pk, author_id=tweet.author_id)
    return bool(deleted)


# Each denormalised counter: (name, table, column, counted table, its key to the row).
_COUNTERS = (
    ("user.num_tweets", "accounts_user", "num_tweets", "tweets_tweet", "author_id"),
    ("user.num_followers", "accounts_user", "num_followers", "accounts_follow", "followee_id"),
    ("user.num_following", "accounts_user", "num_following", "accounts_follow", "follower_id"),
    ("tweet.num_likes", "tweets_tweet", "num_likes", "tweets_like", "tweet_id"),
    ("tweet.num_reposts", "tweets_tweet", "num_reposts", "tweets_repost", "tweet_id"),
    ("tweet.num_replies", "tweets_tweet", "num_replies", "tweets_tweet", "in_reply_to_id"),
)


def recount_stats() -> dict[str, int]:
    """Recompute every denormalised counter from the rows; returns rows changed per counter."""
    from django.db import connection

    changed = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for name, table, column, counted, key in _COUNTERS:
            cursor.execute(
                f"""UPDATE {table} p SET {column} = c.n FROM (
                      SELECT p2.id, COUNT(x.id) AS n FROM {table} p2
                      LEFT JOIN {counted} x ON x.{key} = p2.id GROUP BY p2.id) c
                    WHERE p.id = c.id AND p.{column} <> c.n"""
            )
            changed[name] = cursor.rowcount
    return changed
