"""feed.cursors: the window bounds made from moments (what the Mastodon API's max_id, since_id
and min_id become) cut the feed exactly at a tweet's time, on Redis and on the pulled feed;
stale entries are skipped with the page still filled, bodies come with the window's own read,
and with `accounts=True` everything a Mastodon status needs comes from the same state query."""

import pytest

from accounts import services as account_services
from feed import objects, services, store
from feed.cursors import feed_window, lower_bound, upper_bound
from feed.selectors import AccountRow
from feed.tests.conftest import is_merged, make_followers, redis_down
from tweets import services as tweet_services
from tweets.models import Repost, Tweet

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(commit, alice, bob) -> list[Tweet]:  # type: ignore[no-untyped-def]
    """Bob follows Alice, who posts three tweets (fanned out), oldest first."""
    with commit():
        account_services.follow_create(follower=bob, followee=alice)
    tweets = []
    for content in ("one", "two", "three"):
        with commit():
            tweets.append(tweet_services.tweet_create(author=alice, content=content))
    return [Tweet.objects.get(pk=tweet.pk) for tweet in tweets]  # created_at as stored


def _ids(rows: list) -> list[int]:
    return [item.tweet.pk for item, _, _ in rows]


@pytest.mark.parametrize("redis_up", [True, False])
def test_bounds_cut_at_a_tweets_own_time(three, bob, redis_up, settings) -> None:
    one, two, three_ = three
    if not redis_up:
        redis_down(settings)  # the window is cut from the pulled feed instead
    assert _ids(feed_window(viewer=bob, before=upper_bound(two.created_at))) == [one.pk]
    assert _ids(feed_window(viewer=bob, before=upper_bound(two.created_at, inclusive=True))) == [two.pk, one.pk]
    assert _ids(feed_window(viewer=bob, after=lower_bound(one.created_at))) == [three_.pk, two.pk]
    rows = feed_window(viewer=bob, after=lower_bound(one.created_at), before=upper_bound(three_.created_at))
    assert _ids(rows) == [two.pk]


@pytest.fixture
def fed(commit, alice, bob):  # type: ignore[no-untyped-def]
    """bob follows alice, who posted t0..t9 (t9 newest)."""
    with commit():
        account_services.follow_create(follower=bob, followee=alice)
    with commit():
        return [tweet_services.tweet_create(author=alice, content=f"t{i}") for i in range(10)]


@pytest.mark.parametrize("accounts", [False, True])
def test_stale_entries_are_skipped_and_the_page_filled(fed, bob, accounts):
    # Rows gone behind the feed's back (no removal event): their entries stay in Redis, stale.
    Tweet.objects.filter(pk__in=[fed[9].pk, fed[7].pk, fed[6].pk]).delete()
    rows = feed_window(viewer=bob, limit=4, accounts=accounts)
    assert [item.tweet.pk for item, _, _ in rows] == [fed[i].pk for i in (8, 5, 4, 3)]
    scores = [score for _, score, _ in rows]
    assert scores == sorted(scores, reverse=True)
    # Older than the last of them: the next page, nothing repeated.
    older = feed_window(viewer=bob, before=scores[-1], limit=10, accounts=accounts)
    assert [item.tweet.pk for item, _, _ in older] == [fed[i].pk for i in (2, 1, 0)]
    newest_first = feed_window(viewer=bob, after=scores[0], limit=10, oldest_first=True, accounts=accounts)
    assert newest_first == []


def test_bodies_come_with_the_window_read(fed, bob, monkeypatch):
    """On a single Redis the window script returns the cached bodies: no second round trip."""
    calls: list[list[int]] = []
    real = objects.cached_blobs
    monkeypatch.setattr(objects, "cached_blobs", lambda ids: calls.append(ids) or real(ids))
    rows = feed_window(viewer=bob, limit=5, accounts=True)
    assert [item.tweet.content for item, _, _ in rows] == [f"t{i}" for i in (9, 8, 7, 6, 5)]
    assert calls == [] or store.is_cluster(store.connection())  # a cluster fetches them in one pipeline


def test_accounts_mode_reads_accounts_reposts_bookmarks_and_replied_to_authors(commit, alice, bob, carol):
    alice.display_name, alice.bio = "Alice", "Maths"
    alice.save()
    with commit():
        account_services.follow_create(follower=bob, followee=alice)
    with commit():
        root = tweet_services.tweet_create(author=carol, content="carol's root")
        reply = tweet_services.tweet_create(author=alice, content="@carol reply", in_reply_to=root)
        tweet_services.repost_create(user=alice, tweet=root)
        tweet_services.bookmark_create(user=bob, tweet=reply)
    rows = feed_window(viewer=bob, limit=10, accounts=True)
    by_id = {item.tweet.pk: (item, reposter) for item, _, reposter in rows}
    item, reposter = by_id[reply.pk]
    alice.refresh_from_db()
    expected = AccountRow(
        alice.pk,
        "alice",
        "Alice",
        "Maths",
        alice.created_at,
        alice.num_tweets,
        alice.num_followers,
        alice.num_following,
    )
    assert reposter is None and item.tweet.author == expected
    assert item.tweet.bookmarked is True and item.tweet.reply_to_author_id == carol.pk
    item, reposter = by_id[root.pk]
    repost = Repost.objects.get(user=alice, tweet=root)
    assert reposter == alice.pk and item.repost_id == repost.pk and item.reposted_at == repost.created_at
    assert item.reposter == expected and item.tweet.author.username == "carol"
    assert item.tweet.bookmarked is False and item.tweet.reply_to_author_id is None
    # The native feed's plain rows carry none of it.
    plain = {i.tweet.pk: i for i, _, _ in feed_window(viewer=bob, limit=10)}
    assert plain[root.pk].repost_id is None and plain[reply.pk].tweet.bookmarked is False


def test_merged_authors_come_with_their_bodies_and_accounts(commit, settings, alice, bob, monkeypatch):
    settings.FANOUT_FOLLOWER_LIMIT = 1
    viewer = make_followers(alice, 2, prefix="v")[0]
    with commit():
        account_services.follow_create(follower=viewer, followee=bob)
    with commit():
        posts = [
            tweet_services.tweet_create(author=author, content=f"p{i}") for i, author in enumerate([alice, bob] * 3)
        ]
    services.rebuild_feed(viewer.pk)
    assert is_merged(alice) and not is_merged(bob)
    calls: list[list[int]] = []
    real = objects.cached_blobs
    monkeypatch.setattr(objects, "cached_blobs", lambda ids: calls.append(ids) or real(ids))
    rows = feed_window(viewer=viewer, limit=10, accounts=True)
    assert [item.tweet.pk for item, _, _ in rows] == [post.pk for post in reversed(posts)]
    assert {item.tweet.author.username for item, _, _ in rows} == {"alice", "bob"}
    assert calls == [] or store.is_cluster(store.connection())
