"""feed.cursors: the window bounds made from moments (what the Mastodon API's max_id, since_id
and min_id become) cut the feed exactly at a tweet's time, on Redis and on the pulled feed."""

import pytest

from accounts import services as account_services
from feed.cursors import feed_window, lower_bound, upper_bound
from feed.tests.conftest import redis_down
from tweets import services as tweet_services
from tweets.models import Tweet

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
