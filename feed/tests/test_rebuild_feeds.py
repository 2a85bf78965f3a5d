"""manage.py rebuild_feeds: the database rebuilds exactly what fan-out built."""

import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts import services as account_services
from accounts.tests.factories import UserFactory
from feed import services, store
from feed.tests.conftest import feed_ids, feed_snapshot
from tweets import services as tweet_services
from tweets.models import Repost

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("seed", "max_length", "removals"),
    [
        (7, 1000, True),
        (11, 1000, True),
        # Feeds trimmed to 30: a removal from a full feed cannot bring back what trimming
        # dropped (the feed is one shorter until its next rebuild), so no removals here.
        (12, 30, False),
        (13, 30, False),
    ],
)
def test_rebuild_feeds_yields_the_feeds_fan_out_built(commit, settings, seed, max_length, removals):
    settings.FEED_MAX_LENGTH = max_length
    rng = random.Random(seed)
    users = [UserFactory() for _ in range(12)]
    for user in users:
        for other in rng.sample(users, 5):
            if other != user:
                with commit():
                    account_services.follow_create(follower=user, followee=other)
    for user in users:
        services.rebuild_feed(user.pk)
    tweets = []
    for i in range(120):
        with commit():
            tweets.append(tweet_services.tweet_create(author=rng.choice(users), content=f"t{i}"))
        if i % 4 == 0:
            with commit():
                tweet_services.repost_create(user=rng.choice(users), tweet=rng.choice(tweets))
        if i % 25 == 0:  # the graph changes while tweets flow
            follower, followee = rng.sample(users, 2)
            with commit():
                account_services.follow_create(follower=follower, followee=followee)
        if removals and i % 30 == 29:
            follower, followee = rng.sample(users, 2)
            with commit():
                account_services.follow_delete(follower=follower, followee=followee)
        if removals and i % 16 == 8:
            reposts = list(Repost.objects.order_by("pk").select_related("user", "tweet"))
            if reposts:
                undone = rng.choice(reposts)
                with commit():
                    tweet_services.repost_delete(user=undone.user, tweet=undone.tweet)
        if removals and i % 40 == 39:
            victim = tweets.pop(rng.randrange(len(tweets)))
            with commit():
                tweet_services.tweet_delete(tweet=victim, by=victim.author)
    pushed = {user.pk: feed_snapshot(user) for user in users}
    assert all(len(members) > 10 for members, _ in pushed.values())
    assert any(marks for _, marks in pushed.values())  # reposts are part of it
    store.connection().flushdb()
    out = StringIO()
    call_command("rebuild_feeds", stdout=out)
    assert f"Rebuilt {len(users)} feed(s)" in out.getvalue()
    assert {user.pk: feed_snapshot(user) for user in users} == pushed


def test_rebuild_named_users_only(commit, alice, bob, carol):
    with commit():
        tweet_services.tweet_create(author=alice, content="a")
        tweet_services.tweet_create(author=bob, content="b")
    store.connection().flushdb()
    out = StringIO()
    call_command("rebuild_feeds", "--user", "ALICE", "--user", "bob", stdout=out)
    assert "Rebuilt 2 feed(s)" in out.getvalue()
    assert len(feed_ids(alice)) == 1 and len(feed_ids(bob)) == 1
    assert not store.connection().exists(f"chirp:feed:{{{carol.pk}}}")


def test_rebuild_unknown_user_is_an_error():
    with pytest.raises(CommandError, match="nobody"):
        call_command("rebuild_feeds", "--user", "nobody")
