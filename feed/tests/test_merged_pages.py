"""Pages of a feed merged with source lists (feed.merged.read_page): every page is the slice
of the whole merge, whatever its offset and limit.

A paged read asks each source list only for entries at or above the score of the feed's own
last entry of the page (older ones cannot make the page): these tests page through feeds
where the feed, the sources, or both hold the page's entries.
"""

import pytest

from accounts import services as account_services
from feed import keys, merged, services, store
from feed.tests.conftest import is_merged, make_followers
from tweets import services as tweet_services

pytestmark = pytest.mark.django_db


def _whole(user_id: int) -> tuple[int, list[merged.Entry]]:
    page = merged.read_page(user_id=user_id, limit=800, offset=0)
    assert page is not None
    return page.length, page.entries


def _assert_pages_are_slices(user_id: int) -> None:
    count, whole = _whole(user_id)
    for limit in (1, 2, 3, 5, 7, 20):
        for offset in range(0, len(whole) + 2):
            page = merged.read_page(user_id=user_id, limit=limit, offset=offset)
            assert page is not None
            assert page.entries == whole[offset : offset + limit], (limit, offset)
            assert page.length == count, (limit, offset)


def _viewer_of(commit, settings, alice, bob, carol):  # type: ignore[no-untyped-def]
    """A viewer following alice (pushed: one follower) and bob and carol (two followers each:
    merged once they post, with FANOUT_FOLLOWER_LIMIT at 1), feed built."""
    settings.FANOUT_FOLLOWER_LIMIT = 1
    viewer = make_followers(bob, 2, prefix="v")[0]
    make_followers(carol, 1, prefix="w")
    with commit():
        for followee in (alice, bob, carol):
            account_services.follow_create(follower=viewer, followee=followee)
    services.rebuild_feed(viewer.pk)
    return viewer


@pytest.mark.parametrize("pushed_posts", [0, 3, 12])
def test_merged_pages_are_slices_of_the_whole_merge(commit, settings, alice, bob, carol, pushed_posts):
    viewer = _viewer_of(commit, settings, alice, bob, carol)
    authors = [alice] * pushed_posts + [bob, carol] * 5
    # Interleaved: the page boundary falls between the feed's and the sources' entries.
    order = sorted(range(len(authors)), key=lambda i: (i * 7) % len(authors))
    with commit():
        for i in order:
            tweet_services.tweet_create(author=authors[i], content=f"post {i}")
    assert is_merged(bob) and is_merged(carol) and not is_merged(alice)
    count, whole = _whole(viewer.pk)
    assert count == len(authors) == len(whole)
    assert [entry.score for entry in whole] == sorted((entry.score for entry in whole), reverse=True)
    _assert_pages_are_slices(viewer.pk)
    merged.drop_sources([bob.pk])  # a source list Redis lost is rebuilt by the read that misses it
    page = merged.read_page(user_id=viewer.pk, limit=4, offset=2)
    assert page is not None and (page.length, page.entries) == (count, whole[2:6])
    assert store.connection().exists(keys.source_key(bob.pk))


def test_merged_pages_with_reposts_of_merged_and_pushed_tweets(commit, settings, alice, bob, carol):
    viewer = _viewer_of(commit, settings, alice, bob, carol)
    with commit():
        own = [tweet_services.tweet_create(author=author, content="x") for author in (alice, bob, carol) * 4]
    with commit():  # reposts by merged accounts of tweets the viewer sees by their own right, and of a stranger's
        stranger = make_followers(alice, 1, prefix="s")[0]
        theirs = tweet_services.tweet_create(author=stranger, content="not followed")
        for tweet in (own[0], own[4], theirs):
            tweet_services.repost_create(user=bob, tweet=tweet)
        tweet_services.repost_create(user=carol, tweet=theirs)
        tweet_services.repost_create(user=alice, tweet=own[1])
    count, whole = _whole(viewer.pk)
    assert [entry.tweet_id for entry in whole].count(theirs.pk) == 1  # once, by its newest repost
    assert count == len(whole) == len(own) + 1
    _assert_pages_are_slices(viewer.pk)


def test_feed_page_script_builds_the_source_list_keys_of_feed_keys():
    for author_id in (1, 42, 9_876_543_210):
        assert keys.SOURCE_KEY_PREFIX + str(author_id) + keys.SOURCE_KEY_SUFFIX == keys.source_key(author_id)
        assert keys.SOURCE_KEY_PREFIX + str(author_id) + keys.SOURCE_REPOSTS_KEY_SUFFIX == keys.source_reposts_key(
            author_id
        )
