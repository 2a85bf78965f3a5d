"""Tasks are idempotent and safe against reordering; a mention of 50 is one INSERT."""

import threading
import time

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from accounts.models import Follow, User
from accounts.tests.factories import UserFactory
from feed.tests.conftest import DEAD_BROKER, broker_at, make_users, tasks_published
from notifications import services, tasks
from notifications.models import Notification
from notifications.tests.conftest import rows
from tweets import services as tweet_services
from tweets.models import Like, Repost, Tweet


@pytest.mark.django_db
def test_a_redelivered_task_changes_nothing(alice, bob):
    tweet = tweet_services.tweet_create(author=bob, content="hi @alice")
    Like.objects.create(user=alice, tweet=tweet)
    Follow.objects.create(follower=alice, followee=bob)
    for _ in range(3):
        tasks.notify_like.run(tweet_id=tweet.pk, user_id=alice.pk)
        tasks.notify_follow.run(follower_id=alice.pk, followee_id=bob.pk)
        tasks.notify_tweet.run(tweet_id=tweet.pk)
    assert sorted(rows(bob)) == [("follow", "alice", None), ("like", "alice", tweet.pk)]
    assert rows(alice) == [("mention", "bob", tweet.pk)]


@pytest.mark.django_db
def test_a_create_task_that_runs_after_the_undo_leaves_nothing(alice, bob):
    tweet = tweet_services.tweet_create(author=bob, content="t")
    # The causes came and went before their tasks ran (e.g. a queue backlog).
    tasks.notify_like.run(tweet_id=tweet.pk, user_id=alice.pk)
    tasks.notify_repost.run(tweet_id=tweet.pk, user_id=alice.pk)
    tasks.notify_follow.run(follower_id=alice.pk, followee_id=bob.pk)
    reply = tweet_services.tweet_create(author=alice, content="r @bob", in_reply_to=tweet)
    tweet_services.tweet_hide(tweet=reply, reason="x")
    tasks.notify_tweet.run(tweet_id=reply.pk)
    tasks.notify_tweet.run(tweet_id=10**15)  # deleted
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_a_late_removal_does_not_erase_a_newer_cause(alice, bob):
    tweet = tweet_services.tweet_create(author=bob, content="t")
    # like, unlike, like again: the unlike's task runs last.
    Like.objects.create(user=alice, tweet=tweet)
    Repost.objects.create(user=alice, tweet=tweet)
    Follow.objects.create(follower=alice, followee=bob)
    tasks.notify_like.run(tweet_id=tweet.pk, user_id=alice.pk)
    tasks.notify_repost.run(tweet_id=tweet.pk, user_id=alice.pk)
    tasks.notify_follow.run(follower_id=alice.pk, followee_id=bob.pk)
    tasks.unnotify_like.run(tweet_id=tweet.pk, user_id=alice.pk)
    tasks.unnotify_repost.run(tweet_id=tweet.pk, user_id=alice.pk)
    tasks.unnotify_follow.run(follower_id=alice.pk, followee_id=bob.pk)
    tasks.unnotify_tweet.run(tweet_id=tweet.pk)  # a stale hide: the tweet is visible
    assert len(rows(bob)) == 3


@pytest.mark.django_db
def test_a_late_block_clear_after_unblock_keeps_new_rows(alice, bob):
    tweet_services.tweet_create(author=alice, content="@bob")
    tweet = tweet_services.tweet_create(author=alice, content="@bob again")
    tasks.notify_tweet.run(tweet_id=tweet.pk)
    tasks.clear_block.run(user_id=bob.pk, target_id=alice.pk)  # no block stands (any more)
    assert rows(bob) == [("mention", "alice", tweet.pk)]


@pytest.mark.django_db
def test_a_mention_of_50_users_is_one_insert(alice):
    users = make_users(50, "m")
    tweet = tweet_services.tweet_create(author=alice, content=" ".join(f"@{u.username}" for u in users))
    assert len(tweet.content) <= 280
    with CaptureQueriesContext(connection) as queries:
        assert services.tweet_notify(tweet_id=tweet.pk) == 50
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "notifications_')]
    assert len(inserts) == 1
    assert "ON CONFLICT DO NOTHING" in inserts[0]
    assert Notification.objects.filter(tweet=tweet, type="mention").count() == 50
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 3, statements  # the locked tweet, the recipients, the INSERT


@pytest.mark.django_db
def test_a_plain_tweet_costs_one_query(alice):
    tweet = tweet_services.tweet_create(author=alice, content="nobody named")
    with CaptureQueriesContext(connection) as queries:
        services.tweet_notify(tweet_id=tweet.pk)
    assert len([q for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]) == 1


@pytest.mark.django_db
def test_receivers_run_the_task_inline_when_the_broker_is_down(django_capture_on_commit_callbacks, alice, bob, caplog):
    with broker_at(DEAD_BROKER), tasks_published(), django_capture_on_commit_callbacks(execute=True):
        account_services.follow_create(follower=alice, followee=bob)
    assert rows(bob) == [("follow", "alice", None)]
    assert "running it inline" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_an_undo_waits_for_the_create_task_holding_the_cause():
    """The create task locks the Like row: an unlike racing it waits, so it cannot commit
    between the task's check and its insert (and its removal task runs after)."""
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    tweet = tweet_services.tweet_create(author=bob, content="t")
    tweet_services.like_create(user=alice, tweet=tweet)
    outcome: list[str] = []

    def unlike() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '300ms'")
                tweet_services.like_delete(user=User.objects.get(pk=alice.pk), tweet=tweet)
            outcome.append("unliked")
        except OperationalError:
            outcome.append("waited")
        finally:
            connections.close_all()

    with transaction.atomic():
        services.like_notify(tweet_id=tweet.pk, user_id=alice.pk)  # the task, not yet committed
        thread = threading.Thread(target=unlike)
        thread.start()
        thread.join()
    assert outcome == ["waited"]
    assert Notification.objects.filter(type="like").count() == 1
    # Once the task committed, the unlike goes through and its own task removes the row.
    tweet_services.like_delete(user=alice, tweet=tweet)
    tasks.unnotify_like.run(tweet_id=tweet.pk, user_id=alice.pk)
    assert Notification.objects.count() == 0
    assert Tweet.objects.get(pk=tweet.pk).num_likes == 0


@pytest.mark.django_db(transaction=True)
def test_a_like_task_racing_the_tweets_deletion_waits_instead_of_deadlocking():
    """tweet_delete locks the tweet, then (cascading) its likes; the task takes them in the same order."""
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    tweet = tweet_services.tweet_create(author=bob, content="t")
    Like.objects.create(user=alice, tweet=tweet)
    holding = threading.Event()
    errors: list[Exception] = []

    def delete() -> None:
        try:
            with transaction.atomic():
                Tweet.objects.select_for_update().filter(pk=tweet.pk).exists()  # as tweet_delete begins
                holding.set()
                time.sleep(0.5)  # the task starts meanwhile
                tweet_services.tweet_delete(tweet=tweet, by=User.objects.get(pk=bob.pk))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=delete)
    thread.start()
    assert holding.wait(5)
    assert services.like_notify(tweet_id=tweet.pk, user_id=alice.pk) == 0  # waited; the like is gone
    thread.join()
    assert errors == []
    assert not Tweet.objects.filter(pk=tweet.pk).exists()
    assert Notification.objects.count() == 0
