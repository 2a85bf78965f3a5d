"""Blocks and mutes in the home feed: reads, the pull query, fan-out, reposts, and their undo."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from accounts.models import Block, Follow, Mute, User
from accounts.tests.factories import UserFactory
from feed import keys, services, store
from feed.pull import pull_feed_count, pull_feed_entries
from feed.tests.conftest import feed_ids, feed_marks, is_merged, redis_down
from feed.timeline import feed_page
from tweets import services as tweet_services
from tweets.models import Repost, Tweet

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(commit):  # type: ignore[no-untyped-def]
    def post(author, content="hello", in_reply_to=None):  # type: ignore[no-untyped-def]
        with commit():
            return tweet_services.tweet_create(author=author, content=content, in_reply_to=in_reply_to)

    return post


@pytest.fixture
def act(commit):  # type: ignore[no-untyped-def]
    """`act(service, **kwargs)`: call an accounts/tweets service and run its on-commit signals."""

    def act(service, **kwargs):  # type: ignore[no-untyped-def]
        with commit():
            return service(**kwargs)

    return act


def page(user: User, limit: int = 100) -> list[tuple[int, str | None]]:
    _, items = feed_page(viewer=user, limit=limit, offset=0)
    return [(item.tweet.pk, item.reposted_by) for item in items]


def pulled(user: User) -> list[tuple[int, str | None]]:
    """The feed as PostgreSQL alone computes it (rebuild and Redis-down path)."""
    names = dict(User.objects.values_list("pk", "username"))
    entries = pull_feed_entries(user_id=user.pk, limit=100, offset=0)
    return [(e.tweet_id, names[e.reposter_id] if e.reposter_id else None) for e in entries]


def assert_exact(user: User) -> list[tuple[int, str | None]]:
    """The Redis feed shows what a rebuild from PostgreSQL gives, holds nothing more, and
    its count is right at the first read (not only once stale entries were dropped)."""
    count, items = feed_page(viewer=user, limit=100, offset=0)
    shown = [(item.tweet.pk, item.reposted_by) for item in items]
    assert count == len(shown) == pull_feed_count(user_id=user.pk)
    assert shown == pulled(user)
    assert feed_ids(user) == [pk for pk, _ in shown]  # nothing excluded is left behind in Redis
    return shown


@pytest.fixture
def scene(post, act, alice, bob, carol, dave):  # type: ignore[no-untyped-def]
    """alice and bob follow each other and carol; both read their feeds (built in Redis).

    bob's tweet, bob's reply to carol, carol's reply to bob, bob's repost of dave's tweet,
    carol's repost of bob's tweet, alice's tweet, alice's repost of dave's tweet, carol's
    repost of alice's tweet.
    """
    for follower, followee in [(alice, bob), (alice, carol), (bob, alice), (bob, carol)]:
        act(account_services.follow_create, follower=follower, followee=followee)
    for user in (alice, bob, carol, dave):
        services.rebuild_feed(user.pk)
    t = {}
    t["c1"] = post(carol, "carol speaks")
    t["b1"] = post(bob, "bob speaks")
    t["b_reply"] = post(bob, "bob answers carol", in_reply_to=t["c1"])
    t["c_reply"] = post(carol, "carol answers bob", in_reply_to=t["b1"])
    t["d1"] = post(dave, "dave, reposted by carol then bob")
    act(tweet_services.repost_create, user=carol, tweet=t["d1"])
    act(tweet_services.repost_create, user=bob, tweet=t["d1"])
    t["b2"] = post(bob, "bob, reposted by carol")
    act(tweet_services.repost_create, user=carol, tweet=t["b2"])
    t["a1"] = post(alice, "alice speaks")
    t["d2"] = post(dave, "dave, reposted by alice")
    act(tweet_services.repost_create, user=alice, tweet=t["d2"])
    t["a2"] = post(alice, "alice, reposted by carol")
    act(tweet_services.repost_create, user=carol, tweet=t["a2"])
    ids = {name: tweet.pk for name, tweet in t.items()}
    assert set(page(alice)) == {
        (ids["a2"], None),
        (ids["d2"], "alice"),
        (ids["a1"], None),
        (ids["b2"], None),
        (ids["d1"], "bob"),
        (ids["c_reply"], None),
        (ids["b_reply"], None),
        (ids["b1"], None),
        (ids["c1"], None),
    }
    page(bob)
    return ids


def by(user: User, shown: list[tuple[int, str | None]]) -> list[tuple[int, str | None]]:
    """The entries authored or reposted by `user`."""
    authored = set(Tweet.objects.filter(author=user).values_list("pk", flat=True))
    return [(pk, reposter) for pk, reposter in shown if pk in authored or reposter == user.username]


def tweet_of(pk: int) -> Tweet:
    return Tweet.objects.get(pk=pk)


# --- block ------------------------------------------------------------------------


def test_block_removes_each_ones_content_from_the_others_feed(scene, post, act, alice, bob, carol, settings):
    act(account_services.block_create, user=alice, target=bob)
    assert not Follow.objects.filter(follower__in=[alice, bob], followee__in=[alice, bob]).exists()
    alice_sees = assert_exact(alice)
    bob_sees = assert_exact(bob)
    # Neither bob's tweets, replies, reposts, nor carol's repost of bob's tweet reach alice.
    assert by(bob, alice_sees) == []
    assert scene["b2"] not in [pk for pk, _ in alice_sees]
    assert (scene["c1"], None) in alice_sees and (scene["c_reply"], None) in alice_sees
    assert (scene["d1"], "carol") in alice_sees  # carol's earlier repost brings it now
    # And the other way round, also through carol, whom bob follows.
    assert by(alice, bob_sees) == []
    assert scene["a2"] not in [pk for pk, _ in bob_sees]
    assert (scene["b2"], None) in bob_sees and (scene["d1"], "bob") in bob_sees

    # While the block lasts, new content does not come in either.
    b3 = post(bob, "after the block")
    act(tweet_services.repost_create, user=carol, tweet=b3)
    a3 = post(alice, "also after the block")
    act(tweet_services.repost_create, user=carol, tweet=a3)
    reply = post(bob, "bob replies to carol again", in_reply_to=tweet_of(scene["c1"]))
    assert b3.pk not in feed_ids(alice) and reply.pk not in feed_ids(alice)
    assert a3.pk not in feed_ids(bob)
    assert by(bob, assert_exact(alice)) == []
    assert by(alice, assert_exact(bob)) == []

    # Redis down: the pull query filters the same way.
    expected = page(alice), page(bob)
    redis_down(settings)
    assert (page(alice), page(bob)) == expected


@pytest.mark.parametrize("blocker", ["alice", "erin"])
def test_block_between_strangers_removes_a_third_partys_repost_at_once(post, act, alice, carol, blocker):
    """alice follows carol, who reposts erin's tweet: only the block's feed task can take it
    out of alice's Redis feed (no follow is removed), before alice reads again."""
    erin = UserFactory(username="erin")
    act(account_services.follow_create, follower=alice, followee=carol)
    theirs = post(erin, "reposted by carol")
    act(tweet_services.repost_create, user=carol, tweet=theirs)
    assert page(alice) == [(theirs.pk, "carol")]
    users = {"alice": alice, "erin": erin}
    act(account_services.block_create, user=users[blocker], target=users["erin" if blocker == "alice" else "alice"])
    assert theirs.pk not in feed_ids(alice)
    assert assert_exact(alice) == []


def test_block_by_the_other_side_hides_the_same(scene, act, alice, bob):
    act(account_services.block_create, user=bob, target=alice)
    assert by(bob, assert_exact(alice)) == []
    assert by(alice, assert_exact(bob)) == []


def test_unblock_gives_back_what_a_rebuild_gives(scene, post, act, alice, bob, carol):
    act(account_services.block_create, user=alice, target=bob)
    b3 = post(bob, "during the block")
    act(tweet_services.repost_create, user=carol, tweet=b3)
    a3 = post(alice, "during the block too")
    act(tweet_services.repost_create, user=carol, tweet=a3)
    page(alice), page(bob)
    act(account_services.block_delete, user=alice, target=bob)
    alice_sees = assert_exact(alice)
    bob_sees = assert_exact(bob)
    # Follows are not restored, so only carol's reposts bring the other's tweets back.
    assert by(bob, alice_sees) == [(b3.pk, "carol"), (scene["b2"], "carol")]
    assert by(alice, bob_sees) == [(a3.pk, "carol"), (scene["a2"], "carol")]


@pytest.mark.parametrize("relation", ["blocks", "blocked by", "mutes", "mutes a reposted author"])
def test_reads_hide_excluded_entries_still_in_redis_and_drop_them(scene, alice, bob, dave, relation, settings):
    """Before the feed task runs (or if it never could), the read itself filters."""
    # Rows only: no signal, so Redis still holds everything.
    if relation == "blocks":
        Block.objects.create(user=alice, target=bob)
    elif relation == "blocked by":
        Block.objects.create(user=bob, target=alice)
    elif relation == "mutes":
        Mute.objects.create(user=alice, target=bob)
    else:
        Mute.objects.create(user=alice, target=dave)
    excluded = dave if relation == "mutes a reposted author" else bob
    before = feed_ids(alice)
    assert {scene["d1"], scene["d2"], scene["b1"]} <= set(before)
    shown = page(alice)
    assert by(excluded, shown) == []
    assert len(shown) < len(before)
    # Dropped lazily, like deleted tweets: Redis now holds what the next read shows. That is
    # the same page, except that a merged read (feed.merged) may now show a tweet whose
    # dropped repost entry another source's repost still justifies, under that reposter.
    again = page(alice)
    assert feed_ids(alice) == [pk for pk, _ in again]
    assert set(shown) <= set(again) and by(excluded, again) == []
    if not any(is_merged(user) for user in User.objects.all()):
        assert again == shown
    count, _ = feed_page(viewer=alice, limit=1, offset=0)
    assert count == len(again)
    # The pull query (follows still there: an excluded followee is no source) hides the same.
    # It may show more: a dropped repost entry another repost still justifies, which only a
    # rebuild (the feed task's drop) brings back under that other reposter's name.
    full = pulled(alice)
    assert by(excluded, full) == []
    assert set(again) <= set(full)
    redis_down(settings)
    assert page(alice) == full


# --- mute -------------------------------------------------------------------------


def test_mute_removes_their_tweets_and_reposts_and_keeps_the_follow(scene, post, act, alice, bob, carol, settings):
    before_bob = page(bob)
    act(account_services.mute_create, user=alice, target=bob)
    assert Follow.objects.filter(follower=alice, followee=bob).exists()
    alice_sees = assert_exact(alice)
    assert by(bob, alice_sees) == []
    assert scene["b2"] not in [pk for pk, _ in alice_sees]  # carol's repost of bob's tweet too
    assert (scene["d1"], "carol") in alice_sees
    assert (scene["c_reply"], None) in alice_sees  # carol's reply to bob is carol's tweet
    assert page(bob) == before_bob  # the muted one sees no change

    # New tweets, replies and reposts by bob do not enter alice's feed (not even Redis).
    b3 = post(bob, "after the mute")
    reply = post(bob, "a reply after the mute", in_reply_to=tweet_of(scene["c1"]))
    act(tweet_services.repost_create, user=bob, tweet=tweet_of(scene["c1"]))
    act(tweet_services.repost_create, user=carol, tweet=b3)
    assert {b3.pk, reply.pk} & set(feed_ids(alice)) == set()
    assert bob.pk not in feed_marks(alice).values()
    assert b3.pk in feed_ids(bob) and b3.pk in feed_ids(carol)
    assert by(bob, assert_exact(alice)) == []

    expected = page(alice)
    redis_down(settings)
    assert page(alice) == expected


def test_unmute_gives_back_what_a_rebuild_gives(scene, post, act, alice, bob):
    before = page(alice)
    act(account_services.mute_create, user=alice, target=bob)
    b3 = post(bob, "during the mute")
    page(alice)
    act(account_services.mute_delete, user=alice, target=bob)
    alice_sees = assert_exact(alice)
    assert alice_sees == [(b3.pk, None), *before]


# --- fan-out and reposts ------------------------------------------------------------


@pytest.mark.parametrize("big", [False, True], ids=["one-query audience", "streamed audience"])
def test_fan_out_skips_muters_and_costs_one_query_more(commit, act, alice, bob, carol, dave, big):
    for follower in (bob, carol, dave):
        act(account_services.follow_create, follower=follower, followee=alice)
    act(account_services.mute_create, user=bob, target=alice)
    Mute.objects.create(user=carol, target=alice)  # no signal: the fan-out alone must skip carol
    if big:  # the counter alone picks the path; the streamed one reads followers with a cursor
        User.objects.filter(pk=alice.pk).update(num_followers=5000)
    for user in (alice, bob, carol, dave):
        services.rebuild_feed(user.pk)
    with commit():
        tweet = tweet_services.tweet_create(author=alice, content="to the unmuted")
    assert [tweet.pk in feed_ids(u) for u in (alice, bob, carol, dave)] == [True, False, False, True]
    with CaptureQueriesContext(connection) as queries:
        services.fan_out_tweet(tweet.pk)
    # The tweet, the muters (blocks either way too), the followers (a cursor: several), the stamp.
    muters = [q["sql"] for q in queries.captured_queries if "accounts_mute" in q["sql"]]
    if is_merged(alice):  # followers merge her source list: no audience to read or filter
        assert len(muters) == 0 and len(queries) == 2, [q["sql"] for q in queries]
        return
    assert len(muters) == 1
    if not big:
        assert len(queries) == 4, [q["sql"] for q in queries]


def test_repost_skips_who_blocks_or_mutes_the_reposter_or_the_author(act, commit, carol, dave):
    """carol reposts dave's tweet to her followers, some of whom keep one of them away."""
    names = ["mutes_author", "blocked_by_author", "blocks_author", "mutes_reposter", "plain"]
    users = {name: UserFactory(username=name) for name in names}
    for user in users.values():
        act(account_services.follow_create, follower=user, followee=carol)
    Mute.objects.create(user=users["mutes_author"], target=dave)
    Block.objects.create(user=dave, target=users["blocked_by_author"])
    Block.objects.create(user=users["blocks_author"], target=dave)
    Mute.objects.create(user=users["mutes_reposter"], target=carol)
    for user in [carol, dave, *users.values()]:
        services.rebuild_feed(user.pk)
    with commit():
        tweet = tweet_services.tweet_create(author=dave, content="reposted by carol")
    with commit():
        tweet_services.repost_create(user=carol, tweet=tweet)
    reached = {name for name, user in users.items() if tweet.pk in feed_ids(user)}
    assert reached == {"plain"}
    assert feed_marks(users["plain"]) == {tweet.pk: carol.pk}
    assert feed_ids(carol) == [tweet.pk]
    # A reposter who mutes the author does not get it in their own feed either.
    Mute.objects.create(user=carol, target=dave)
    store.connection().delete(keys.feed_key(carol.pk))
    services.rebuild_feed(carol.pk)
    services.add_repost(tweet_id=tweet.pk, user_id=carol.pk)  # a redelivered task, say
    assert feed_ids(carol) == []
    assert feed_ids(users["plain"]) == [tweet.pk]


def test_undone_repost_is_not_brought_back_by_an_excluded_reason(post, act, alice, bob, carol, dave):
    """bob follows carol, dave and alice; bob mutes carol. dave undoes his repost of erin's
    tweet: carol's repost of it is no reason for bob. Nor is following its author, muted."""
    erin = UserFactory(username="erin")
    for followee in (carol, dave, alice):
        act(account_services.follow_create, follower=bob, followee=followee)
    first = post(erin, "reposted by carol and dave")
    act(tweet_services.repost_create, user=carol, tweet=first)
    act(tweet_services.repost_create, user=dave, tweet=first)
    second = post(alice, "by alice, reposted by dave")
    act(account_services.mute_create, user=bob, target=carol)
    act(account_services.mute_create, user=bob, target=alice)
    assert page(bob) == [(first.pk, "dave")]
    act(tweet_services.repost_create, user=dave, tweet=second)  # bob mutes alice: nothing comes in
    assert feed_ids(bob) == [first.pk]
    act(tweet_services.repost_delete, user=dave, tweet=first)
    assert feed_ids(bob) == []
    assert_exact(bob)


def test_undone_repost_does_not_bring_back_a_muted_authors_tweet(post, act, bob, carol, dave):
    erin = UserFactory(username="erin")
    for followee in (carol, dave):
        act(account_services.follow_create, follower=bob, followee=followee)
    tweet = post(erin, "reposted by carol then dave")
    act(tweet_services.repost_create, user=carol, tweet=tweet)
    act(tweet_services.repost_create, user=dave, tweet=tweet)
    assert page(bob) == [(tweet.pk, "dave")]
    Mute.objects.create(user=bob, target=erin)  # rows only: Redis still holds the entry
    act(tweet_services.repost_delete, user=dave, tweet=tweet)
    if not is_merged(carol):
        assert feed_ids(bob) == []  # carol's repost is no reason: bob mutes its author
    # Merged, carol's repost stays in her source list: the read filters it (as it would in
    # the feed) and hides it for bob; the mute's own feed task would have rebuilt bob's feed.
    assert page(bob) == []
    assert feed_ids(bob) == []


def test_unfollow_does_not_bring_back_reposts_by_or_of_excluded_users(post, act, alice, bob, carol, dave):
    """bob follows alice, carol and dave. alice's tweet is reposted by carol, erin's by dave
    then alice; bob mutes carol and dave: after bob unfollows alice, neither comes back."""
    for followee in (alice, carol, dave):
        act(account_services.follow_create, follower=bob, followee=followee)
    erin = UserFactory(username="erin")
    mine = post(alice, "alice's")
    act(tweet_services.repost_create, user=carol, tweet=mine)
    theirs = post(erin, "erin's, reposted by dave then alice")
    act(tweet_services.repost_create, user=dave, tweet=theirs)
    act(tweet_services.repost_create, user=alice, tweet=theirs)
    act(account_services.mute_create, user=bob, target=carol)
    act(account_services.mute_create, user=bob, target=erin)
    assert page(bob) == [(mine.pk, None)]
    Mute.objects.filter(user=bob, target=erin).delete()  # no signal: the feed is not dropped
    services.rebuild_feed(bob.pk)
    assert page(bob) == [(theirs.pk, "alice"), (mine.pk, None)]
    Mute.objects.create(user=bob, target=dave)  # no signal: now only the purge decides
    act(account_services.follow_delete, follower=bob, followee=alice)
    assert feed_ids(bob) == []  # neither carol's nor dave's repost is a reason


def test_follow_merges_nothing_excluded(post, act, alice, bob, carol, dave):
    services.rebuild_feed(bob.pk)
    post(alice, "by a muted account")
    act(account_services.mute_create, user=bob, target=alice)
    page(bob)
    act(account_services.follow_create, follower=bob, followee=alice)
    assert feed_ids(bob) == []  # following a muted account brings nothing
    by_dave = post(dave, "by dave, reposted by carol")
    by_erin = post(UserFactory(username="erin"), "by erin, reposted by carol")
    act(tweet_services.repost_create, user=carol, tweet=by_dave)
    act(tweet_services.repost_create, user=carol, tweet=by_erin)
    Mute.objects.create(user=bob, target=dave)
    act(account_services.follow_create, follower=bob, followee=carol)
    assert feed_ids(bob) == [by_erin.pk]
    assert_exact(bob)


# --- the API --------------------------------------------------------------------


def test_reposted_at_is_the_repost_time_and_null_on_own_entries(make_client, post, act, alice, bob, carol):
    act(account_services.follow_create, follower=bob, followee=carol)
    own = post(carol, "carol's own")
    reposted = post(alice, "by alice, reposted by carol")
    act(tweet_services.repost_create, user=carol, tweet=reposted)
    repost = Repost.objects.get(user=carol, tweet=reposted)
    results = make_client(bob).get("/api/feed/").json()["results"]
    assert [(r["id"], r["reposted_by"]) for r in results] == [(str(reposted.pk), "carol"), (str(own.pk), None)]
    assert results[0]["reposted_at"] is not None
    assert results[0]["reposted_at"] != results[0]["created_at"]
    assert datetime.fromisoformat(results[0]["reposted_at"]) == repost.created_at
    assert results[1]["reposted_at"] is None
