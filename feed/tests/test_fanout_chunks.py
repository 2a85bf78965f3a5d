"""A large audience's fan-out split into keyset chunks (run inline here; real workers in test_e2e)."""

import pytest

from accounts.selectors import follower_id_bounds, follower_ids_between
from accounts.tests.factories import UserFactory
from feed import services, store, tasks
from feed.tests.conftest import feed_sizes, feeds_having, make_followers
from tweets.models import Tweet

pytestmark = pytest.mark.django_db


@pytest.fixture
def author_with_followers(settings):  # type: ignore[no-untyped-def]
    settings.FANOUT_CHUNK_SIZE = 3
    settings.FANOUT_FOLLOWER_LIMIT = 10_000_000  # never merged at read time here
    author = UserFactory(username="big")
    followers = sorted(f.pk for f in make_followers(author, 10))
    return author, followers


def unfanned_tweet(author) -> Tweet:  # type: ignore[no-untyped-def]
    return Tweet.objects.create(author=author, content="to everyone")


def test_bounds_split_the_followers_into_ranges_of_the_chunk_size(author_with_followers):
    author, followers = author_with_followers
    assert follower_id_bounds(user_id=author.pk, every=3) == [followers[2], followers[5], followers[8]]
    chunks = services.fan_out_chunks(unfanned_tweet(author).pk)
    assert chunks == [
        services.FanOutChunk(None, followers[2]),
        services.FanOutChunk(followers[2], followers[5]),
        services.FanOutChunk(followers[5], followers[8]),
        services.FanOutChunk(followers[8], None),
    ]
    ranges = [follower_ids_between(user_id=author.pk, after=c.after, upto=c.upto) for c in chunks]
    assert ranges == [followers[0:3], followers[3:6], followers[6:9], followers[9:]]


def test_bounds_leave_no_empty_last_range(author_with_followers):
    author, followers = author_with_followers
    from accounts.models import Follow

    Follow.objects.filter(followee=author, follower_id=followers[-1]).delete()  # 9 followers: 3 x 3
    assert follower_id_bounds(user_id=author.pk, every=3) == [followers[2], followers[5]]
    assert follower_id_bounds(user_id=author.pk, every=100) == []
    assert follower_id_bounds(user_id=followers[0], every=3) == []  # no followers at all


def test_small_audience_hidden_tweet_or_splitting_off_is_not_split(author_with_followers, settings):
    author, _ = author_with_followers
    tweet = unfanned_tweet(author)
    settings.FANOUT_CHUNK_SIZE = 10  # 10 followers: not more than the chunk size
    assert services.fan_out_chunks(tweet.pk) == []
    settings.FANOUT_CHUNK_SIZE = 0
    assert services.fan_out_chunks(tweet.pk) == []
    settings.FANOUT_CHUNK_SIZE = 3
    Tweet.objects.filter(pk=tweet.pk).update(hidden_at=tweet.created_at)
    assert services.fan_out_chunks(tweet.pk) == []


def test_the_fan_out_task_runs_every_chunk_and_the_last_records_completion(author_with_followers):
    author, followers = author_with_followers
    tweet = unfanned_tweet(author)
    tasks.fan_out(tweet.pk)  # eager: the group's chunks run inline
    assert feeds_having([author.pk, *followers], tweet.pk) == 11
    assert Tweet.objects.get(pk=tweet.pk).fanned_out_at is not None
    client = store.connection()
    assert client.keys("chirp:fanout:*") == []  # the bookkeeping is gone once done


def test_a_chunk_run_twice_is_counted_once(author_with_followers):
    author, followers = author_with_followers
    tweet = unfanned_tweet(author)
    chunks = services.fan_out_chunks(tweet.pk)
    for index in (0, 1, 1, 2, 2, 2):  # retries and redeliveries of the first three chunks
        tasks.fan_out_chunk(tweet.pk, index, len(chunks), chunks[index].after, chunks[index].upto, "d1")
    # A chunk of another dispatch (made again, maybe with other ranges) counts apart.
    tasks.fan_out_chunk(tweet.pk, 3, len(chunks), chunks[0].after, chunks[0].upto, "d0")
    assert feeds_having([author.pk, *followers], tweet.pk) == 10  # author + 9 followers, each once
    assert Tweet.objects.get(pk=tweet.pk).fanned_out_at is None  # the fourth chunk has not run
    tasks.fan_out_chunk(tweet.pk, 3, len(chunks), chunks[3].after, chunks[3].upto, "d1")
    assert feeds_having([author.pk, *followers], tweet.pk) == 11
    assert Tweet.objects.get(pk=tweet.pk).fanned_out_at is not None
    assert set(feed_sizes([author.pk, *followers])) == {1}


def test_a_dispatch_under_way_is_not_doubled_by_the_sweeper(author_with_followers, monkeypatch):
    author, _ = author_with_followers
    tweet = unfanned_tweet(author)
    services.record_chunks_dispatched(tweet.pk)  # as if its chunks were queued and running
    ran: list[int] = []
    monkeypatch.setattr(services, "fan_out_chunk", lambda **kwargs: ran.append(1) or 0)
    tasks.fan_out(tweet.pk)
    assert ran == []
    tasks.fan_out(tweet.pk, force=True)  # an operator's forced fan-out does run
    assert len(ran) == 4
    Tweet.objects.filter(pk=tweet.pk).update(fanned_out_at=None)  # as if a crash cut it short
    services.record_chunks_dispatched(tweet.pk)
    # A worker that starts dispatches again what a crash may have cut short.
    tasks.sweep_unfanned(min_age_seconds=0, redispatch=True)
    assert len(ran) == 8
    tasks.sweep_unfanned(min_age_seconds=0)  # the beat's sweep leaves it to its chunks
    assert len(ran) == 8


def test_chunks_skip_muting_followers_and_a_deleted_tweet(author_with_followers):
    from accounts.models import Mute

    author, followers = author_with_followers
    Mute.objects.create(user_id=followers[4], target=author)
    tweet = unfanned_tweet(author)
    tasks.fan_out(tweet.pk)
    assert feeds_having(followers, tweet.pk) == 9
    assert feeds_having([followers[4]], tweet.pk) == 0
    gone = unfanned_tweet(author)
    chunk = services.fan_out_chunks(gone.pk)[0]
    Tweet.objects.filter(pk=gone.pk).delete()
    assert services.fan_out_chunk(tweet_id=gone.pk, chunk=chunk) == 0
