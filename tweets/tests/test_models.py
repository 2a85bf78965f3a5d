"""Database-level guarantees of tweets, likes and reposts."""

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.tests.factories import UserFactory
from tweets.models import Like, Repost, Tweet
from tweets.tests.factories import LikeFactory, RepostFactory, TweetFactory

pytestmark = pytest.mark.django_db


def test_content_over_280_characters_is_refused_by_the_database():
    author = UserFactory()
    with pytest.raises(IntegrityError, match="tweets_tweet_content_length"), transaction.atomic():
        Tweet.objects.create(author=author, content="x" * 281)


def test_empty_content_is_refused_by_the_database():
    author = UserFactory()
    with pytest.raises(IntegrityError, match="tweets_tweet_content_length"), transaction.atomic():
        Tweet.objects.create(author=author, content="")


def test_empty_content_is_allowed_only_with_images():
    author = UserFactory()
    assert Tweet.objects.create(author=author, content="", num_media=1).content == ""
    with pytest.raises(IntegrityError, match="tweets_tweet_num_media_max"), transaction.atomic():
        Tweet.objects.create(author=author, content="five", num_media=5)


def test_280_emoji_fit_because_length_counts_characters_not_bytes():
    author = UserFactory()
    content = "🐦" * 280  # 1120 bytes in UTF-8
    assert len(content.encode()) == 1120
    tweet = Tweet.objects.create(author=author, content=content)
    tweet.refresh_from_db()
    assert tweet.content == content


def test_duplicate_like_raises():
    like = LikeFactory()
    with pytest.raises(IntegrityError, match="tweets_like_uniq"), transaction.atomic():
        Like.objects.create(user=like.user, tweet=like.tweet)


def test_duplicate_repost_raises():
    repost = RepostFactory()
    with pytest.raises(IntegrityError, match="tweets_repost_uniq"), transaction.atomic():
        Repost.objects.create(user=repost.user, tweet=repost.tweet)


def test_counters_cannot_go_negative():
    tweet = TweetFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Tweet.objects.filter(pk=tweet.pk).update(num_likes=-1)


def test_ids_sort_by_creation():
    tweets = [TweetFactory() for _ in range(5)]
    ids = [tweet.pk for tweet in tweets]
    assert ids == sorted(ids)


def test_named_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'tweets_%%'")
        defs = {name: (table, definition) for table, name, definition in cursor.fetchall()}
    assert "(author_id, created_at DESC)" in defs["ix_tweet_author_created"][1]
    assert "(in_reply_to_id, created_at)" in defs["ix_tweet_reply_created"][1]
    assert "(user_id, created_at DESC)" in defs["ix_like_user_created"][1]
    assert "(tweet_id)" in defs["ix_like_tweet"][1]
    assert "(user_id, created_at DESC)" in defs["ix_repost_user_created"][1]
    assert "(tweet_id)" in defs["ix_repost_tweet"][1]
    assert "tweets_like_uniq" in defs
    assert "tweets_repost_uniq" in defs


def test_deleting_a_parent_keeps_the_reply():
    parent = TweetFactory()
    reply = TweetFactory(in_reply_to=parent)
    parent.delete()
    reply.refresh_from_db()
    assert reply.in_reply_to_id is None
