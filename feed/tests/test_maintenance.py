"""Feed maintenance: follow, unfollow, delete, hide, reposts, suspension."""

import pytest

from accounts import services as account_services
from feed import keys, services, store, tasks
from feed.tests.conftest import feed_ids, feed_marks, feed_snapshot
from feed.timeline import feed_page
from tweets import services as tweet_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(commit):  # type: ignore[no-untyped-def]
    def post(author, content="hello"):  # type: ignore[no-untyped-def]
        with commit():
            return tweet_services.tweet_create(author=author, content=content)

    return post


@pytest.fixture
def follow(commit):  # type: ignore[no-untyped-def]
    def follow(follower, followee):  # type: ignore[no-untyped-def]
        with commit():
            account_services.follow_create(follower=follower, followee=followee)

    return follow


def page(user, limit=100):  # type: ignore[no-untyped-def]
    _, items = feed_page(viewer=user, limit=limit, offset=0)
    return [(item.tweet.pk, item.reposted_by) for item in items]


def test_follow_backfills_recent_tweets(post, follow, alice, bob):
    services.rebuild_feed(bob.pk)
    old = [post(alice, f"t{i}") for i in range(3)]
    assert feed_ids(bob) == []
    follow(bob, alice)
    assert feed_ids(bob) == [t.pk for t in reversed(old)]


def test_follow_backfill_respects_max_length(post, follow, settings, alice, bob):
    settings.FEED_MAX_LENGTH = 3
    services.rebuild_feed(bob.pk)
    mine = post(bob, "mine")
    old = [post(alice, f"t{i}") for i in range(5)]
    follow(bob, alice)
    assert feed_ids(bob) == [t.pk for t in reversed(old[-3:])]
    assert mine.pk not in feed_ids(bob)


def test_follow_does_not_create_an_unbuilt_feed(post, follow, alice, bob):
    post(alice)
    follow(bob, alice)
    assert not store.connection().exists(keys.feed_key(bob.pk))
    assert [pk for pk, _ in page(bob)] == feed_ids(bob)  # built on first read, complete


def test_unfollow_removes_their_tweets_only(post, follow, commit, alice, bob, carol):
    follow(bob, alice)
    follow(bob, carol)
    services.rebuild_feed(bob.pk)
    a = post(alice, "a")
    c = post(carol, "c")
    mine = post(bob, "mine")
    with commit():
        account_services.follow_delete(follower=bob, followee=alice)
    assert feed_ids(bob) == [mine.pk, c.pk]
    assert a.pk not in feed_ids(bob)


def test_unfollow_removes_their_reposts_but_keeps_tweets_another_followee_reposted(
    post, follow, commit, alice, bob, carol, dave
):
    follow(bob, alice)
    follow(bob, carol)
    services.rebuild_feed(bob.pk)
    stranger_tweet = post(dave, "by a stranger")
    with commit():
        tweet_services.repost_create(user=alice, tweet=stranger_tweet)
    with commit():
        tweet_services.repost_create(user=carol, tweet=stranger_tweet)
    assert page(bob) == [(stranger_tweet.pk, "carol")]  # the latest repost names it
    with commit():
        account_services.follow_delete(follower=bob, followee=carol)
    assert page(bob) == [(stranger_tweet.pk, "alice")]  # alice's repost still brings it
    with commit():
        account_services.follow_create(follower=bob, followee=carol)
    assert page(bob) == [(stranger_tweet.pk, "carol")]
    with commit():
        account_services.follow_delete(follower=bob, followee=alice)
    assert page(bob) == [(stranger_tweet.pk, "carol")]
    with commit():
        account_services.follow_delete(follower=bob, followee=carol)
    assert page(bob) == []


def test_delete_removes_from_every_feed(post, follow, commit, alice, bob, carol):
    follow(bob, alice)
    follow(carol, bob)
    for user in (alice, bob, carol):
        services.rebuild_feed(user.pk)
    tweet = post(alice)
    with commit():
        tweet_services.repost_create(user=bob, tweet=tweet)
    assert tweet.pk in feed_ids(carol)  # reached carol through bob's repost
    with commit():
        tweet_services.tweet_delete(tweet=tweet, by=alice)
    assert [feed_ids(u) for u in (alice, bob, carol)] == [[], [], []]
    assert feed_marks(carol) == {}


def test_hide_removes_and_unhide_restores(post, follow, commit, alice, bob, carol):
    follow(bob, alice)
    follow(carol, bob)
    for user in (alice, bob, carol):
        services.rebuild_feed(user.pk)
    tweet = post(alice)
    with commit():
        tweet_services.repost_create(user=bob, tweet=tweet)
    before = [feed_snapshot(u) for u in (alice, bob, carol)]
    with commit():
        tweet_services.tweet_hide(tweet=tweet, reason="spam")
    assert [feed_ids(u) for u in (alice, bob, carol)] == [[], [], []]
    with commit():
        tweet_services.tweet_unhide(tweet=tweet)
    assert [feed_snapshot(u) for u in (alice, bob, carol)] == before
    assert page(carol) == [(tweet.pk, "bob")]


def test_repost_appears_once_with_reposted_by(post, follow, commit, alice, bob, carol, dave):
    follow(bob, carol)
    follow(bob, dave)
    services.rebuild_feed(bob.pk)
    tweet = post(alice, "by a stranger to bob")
    assert page(bob) == []
    with commit():
        tweet_services.repost_create(user=carol, tweet=tweet)
    assert page(bob) == [(tweet.pk, "carol")]
    assert page(carol) == [(tweet.pk, "carol")]  # one's own reposts are in one's feed
    newer = post(carol, "newer")
    with commit():
        tweet_services.repost_create(user=dave, tweet=tweet)
    # Once, moved up to the newer repost and named after it.
    assert page(bob) == [(tweet.pk, "dave"), (newer.pk, None)]


def test_repost_of_a_tweet_already_in_the_feed_is_not_duplicated(post, follow, commit, alice, bob, carol):
    follow(bob, alice)
    follow(bob, carol)
    services.rebuild_feed(bob.pk)
    tweet = post(alice)
    later = post(carol, "later")
    with commit():
        tweet_services.repost_create(user=carol, tweet=tweet)
    assert page(bob) == [(later.pk, None), (tweet.pk, None)]
    with commit():
        tweet_services.repost_delete(user=carol, tweet=tweet)
    assert page(bob) == [(later.pk, None), (tweet.pk, None)]  # still there: bob follows alice


def test_undoing_a_repost_removes_only_its_entry(post, follow, commit, alice, bob, carol, dave):
    follow(bob, carol)
    follow(bob, dave)
    services.rebuild_feed(bob.pk)
    services.rebuild_feed(carol.pk)
    tweet = post(alice)
    with commit():
        tweet_services.repost_create(user=carol, tweet=tweet)
    with commit():
        tweet_services.repost_create(user=dave, tweet=tweet)
    assert page(bob) == [(tweet.pk, "dave")]
    with commit():
        tweet_services.repost_delete(user=dave, tweet=tweet)
    assert page(bob) == [(tweet.pk, "carol")]  # carol's repost still brings it
    assert page(dave) == []
    assert feed_ids(alice) == [tweet.pk]  # the tweet stays where its author put it
    with commit():
        tweet_services.repost_delete(user=carol, tweet=tweet)
    assert page(bob) == []
    assert page(carol) == []


def test_suspension_removes_tweets_and_reposts_and_lifting_restores(post, follow, commit, alice, bob, carol, dave):
    follow(bob, alice)
    follow(dave, carol)
    for user in (alice, bob, carol, dave):
        services.rebuild_feed(user.pk)
    tweet = post(alice, "soon suspended")
    mine = post(bob, "mine")
    with commit():
        tweet_services.repost_create(user=carol, tweet=tweet)
    assert page(dave) == [(tweet.pk, "carol")]
    before = page(bob)
    with commit():
        account_services.user_suspend(user=alice)
    assert page(bob) == [(mine.pk, None)]
    assert page(dave) == []
    assert tweet.pk not in feed_ids(bob) + feed_ids(dave)
    with commit():
        account_services.user_unsuspend(user=alice)
    assert page(bob) == before
    assert page(dave) == [(tweet.pk, "carol")]


def test_suspended_reposter_entries_leave_feeds(post, follow, commit, alice, bob, carol):
    follow(bob, carol)
    services.rebuild_feed(bob.pk)
    tweet = post(alice)
    with commit():
        tweet_services.repost_create(user=carol, tweet=tweet)
    with commit():
        account_services.user_suspend(user=carol)
    assert page(bob) == []


def test_every_task_run_twice_changes_nothing(post, follow, commit, alice, bob, carol, dave):
    follow(bob, alice)
    follow(bob, carol)
    follow(dave, bob)
    for user in (alice, bob, carol, dave):
        services.rebuild_feed(user.pk)
    tweet = post(dave, "by dave")
    a = post(alice)
    with commit():
        tweet_services.repost_create(user=carol, tweet=tweet)
    users = (alice, bob, carol, dave)

    def snapshot():  # type: ignore[no-untyped-def]
        return [feed_snapshot(u) for u in users]

    steps = [
        (tasks.fan_out, {"tweet_id": a.pk, "force": True}),
        (tasks.add_repost, {"tweet_id": tweet.pk, "user_id": carol.pk}),
        (tasks.merge_followee, {"follower_id": bob.pk, "followee_id": alice.pk}),
        (tasks.rebuild, {"user_id": bob.pk}),
    ]
    for task, kwargs in steps:
        task.delay(**kwargs)
        once = snapshot()
        task.delay(**kwargs)
        assert snapshot() == once, task.name
    with commit():
        account_services.follow_delete(follower=bob, followee=alice)
    once = snapshot()
    tasks.purge_followee.delay(follower_id=bob.pk, followee_id=alice.pk)
    assert snapshot() == once
    with commit():
        tweet_services.repost_delete(user=carol, tweet=tweet)
    once = snapshot()
    tasks.remove_repost.delay(tweet_id=tweet.pk, user_id=carol.pk)
    assert snapshot() == once
    with commit():
        tweet_services.tweet_delete(tweet=a, by=alice)
    once = snapshot()
    tasks.remove_tweet.delay(tweet_id=a.pk, author_id=alice.pk, reposter_ids=[])
    assert snapshot() == once
