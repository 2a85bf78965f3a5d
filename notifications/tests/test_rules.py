"""Which notifications a cause makes and its undo removes (API and services, eager tasks)."""

import pytest

from accounts import services as account_services
from accounts.models import Block, Mute
from accounts.tests.factories import UserFactory
from notifications.models import Notification
from notifications.tests.conftest import rows
from tweets import services as tweet_services

pytestmark = pytest.mark.django_db


def post(client, content: str, reply_to: str | None = None) -> str:  # type: ignore[no-untyped-def]
    path = f"/api/tweets/{reply_to}/replies/" if reply_to else "/api/tweets/"
    response = client.post(path, {"content": content}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_follow_notifies_and_unfollow_removes(make_client, commit, alice, bob):
    with commit():
        assert make_client(alice).post("/api/users/bob/follow/").status_code == 201
    assert rows(bob) == [("follow", "alice", None)]
    assert rows(alice) == []
    with commit():
        make_client(alice).delete("/api/users/bob/follow/")
    assert rows(bob) == []
    with commit():
        make_client(alice).post("/api/users/bob/follow/")
    assert rows(bob) == [("follow", "alice", None)]


def test_like_unlike_like_gives_one_and_unlike_removes(make_client, commit, alice, bob):
    with commit():
        tweet = int(post(make_client(bob), "like me"))
    client = make_client(alice)
    with commit():
        assert client.post(f"/api/tweets/{tweet}/like/").status_code == 201
    with commit():
        client.delete(f"/api/tweets/{tweet}/like/")
    assert rows(bob) == []
    with commit():
        client.post(f"/api/tweets/{tweet}/like/")
        client.delete(f"/api/tweets/{tweet}/like/")
        client.post(f"/api/tweets/{tweet}/like/")
    assert rows(bob) == [("like", "alice", tweet)]


def test_repost_and_undo(make_client, commit, alice, bob):
    with commit():
        tweet = int(post(make_client(bob), "repost me"))
    with commit():
        assert make_client(alice).post(f"/api/tweets/{tweet}/repost/").status_code == 201
    assert rows(bob) == [("repost", "alice", tweet)]
    with commit():
        make_client(alice).delete(f"/api/tweets/{tweet}/repost/")
    assert rows(bob) == []


def test_nothing_for_acting_on_ones_own_account_or_tweet(make_client, commit, alice):
    client = make_client(alice)
    with commit():
        tweet = post(client, "hello @alice")
        client.post(f"/api/tweets/{tweet}/like/")
        client.post(f"/api/tweets/{tweet}/repost/")
        post(client, "replying to myself, @alice", reply_to=tweet)
    assert Notification.objects.count() == 0


def test_mentions_one_per_mentioned_user_in_order_of_the_mention_rows(make_client, commit, alice, bob, carol):
    with commit():
        tweet = int(post(make_client(alice), "@bob @BOB and @carol, not @nobody nor bob@example.com"))
    assert rows(bob) == [("mention", "alice", tweet)]
    assert rows(carol) == [("mention", "alice", tweet)]
    assert Notification.objects.count() == 2


def test_reply_that_mentions_the_parent_author_gives_one_reply(make_client, commit, alice, bob, carol):
    with commit():
        parent = post(make_client(bob), "a tweet")
    with commit():
        reply = int(post(make_client(alice), "@bob yes, and @carol too", reply_to=parent))
    assert rows(bob) == [("reply", "alice", reply)]
    assert rows(carol) == [("mention", "alice", reply)]


def test_reply_to_a_reply_notifies_the_direct_parent_author_only(make_client, commit, alice, bob, carol):
    with commit():
        root = post(make_client(bob), "root")
        middle = post(make_client(carol), "middle", reply_to=root)
    with commit():
        leaf = int(post(make_client(alice), "leaf", reply_to=middle))
    assert rows(carol)[0] == ("reply", "alice", leaf)
    assert ("reply", "alice", leaf) not in rows(bob)


def test_deleting_the_tweet_removes_its_notifications(make_client, commit, alice, bob, carol):
    with commit():
        parent = post(make_client(bob), "parent")
        reply = post(make_client(alice), "reply @carol", reply_to=parent)
        make_client(bob).post(f"/api/tweets/{reply}/like/")
    assert len(rows(alice)) == 1 and len(rows(bob)) == 1 and len(rows(carol)) == 1
    with commit():
        assert make_client(alice).delete(f"/api/tweets/{reply}/").status_code == 204
    assert Notification.objects.count() == 0


def test_hiding_removes_and_unhiding_brings_back_replies_and_mentions(make_client, commit, alice, bob, carol):
    with commit():
        parent = post(make_client(bob), "parent")
        reply = int(post(make_client(alice), "reply @carol", reply_to=parent))
        make_client(bob).post(f"/api/tweets/{reply}/like/")
    tweet = tweet_services.Tweet.objects.get(pk=reply)
    with commit():
        tweet_services.tweet_hide(tweet=tweet, reason="spam")
    assert Notification.objects.count() == 0
    with commit():
        tweet_services.tweet_unhide(tweet=tweet)
    assert rows(bob) == [("reply", "alice", reply)]
    assert rows(carol) == [("mention", "alice", reply)]
    assert rows(alice) == []  # bob's like of the hidden tweet is not announced again


def test_blocked_actors_cause_nothing_either_way(make_client, commit, alice, bob, carol):
    with commit():
        make_client(bob).post("/api/users/alice/block/")  # bob blocks alice
        make_client(alice).post("/api/users/carol/block/")  # alice blocks carol
    with commit():
        post(make_client(alice), "hey @bob and @carol")  # bob blocks alice; alice blocks carol
        post(make_client(carol), "hey @alice")  # carol is blocked by alice
    assert Notification.objects.count() == 0


def test_muted_actors_cause_nothing_for_the_muter(make_client, commit, alice, bob, carol):
    with commit():
        assert make_client(bob).post("/api/users/alice/mute/").status_code == 201
    with commit():
        tweet = post(make_client(alice), "hey @bob and @carol")
        make_client(alice).post("/api/users/bob/follow/")
        make_client(alice).post(f"/api/tweets/{post(make_client(bob), 'mine')}/like/")
    assert rows(bob) == []
    assert rows(carol) == [("mention", "alice", int(tweet))]


def test_a_block_removes_what_the_two_caused_each_other(make_client, commit, alice, bob, carol):
    with commit():
        post(make_client(alice), "@bob @carol")
        make_client(alice).post("/api/users/bob/follow/")
        post(make_client(bob), "@alice")
    assert len(rows(bob)) == 2 and len(rows(alice)) == 1
    with commit():
        make_client(bob).post("/api/users/alice/block/")
    assert rows(bob) == [] and rows(alice) == []
    assert len(rows(carol)) == 1


def test_a_later_block_or_mute_hides_older_ones_at_read(make_client, commit, alice, bob, carol):
    with commit():
        post(make_client(alice), "@bob")
        post(make_client(carol), "@bob")
    client = make_client(bob)
    assert client.get("/api/notifications/").json()["count"] == 2
    # Rows only (no signal, no task): the read alone must hide them.
    Block.objects.create(user=alice, target=bob)
    Mute.objects.create(user=bob, target=carol)
    assert client.get("/api/notifications/").json()["count"] == 0
    assert client.get("/api/notifications/unread_count/").json() == {"count": 0}
    assert len(rows(bob)) == 2


def test_unmute_shows_them_again(make_client, commit, alice, bob):
    with commit():
        post(make_client(alice), "@bob")
    client = make_client(bob)
    with commit():
        client.post("/api/users/alice/mute/")
    assert client.get("/api/notifications/").json()["count"] == 0
    with commit():
        client.delete("/api/users/alice/mute/")
    assert client.get("/api/notifications/").json()["count"] == 1


def test_suspended_actors_notifications_are_not_shown(make_client, commit, alice, bob):
    with commit():
        post(make_client(alice), "@bob")
    client = make_client(bob)
    with commit():
        account_services.user_suspend(user=alice)
    assert client.get("/api/notifications/").json()["count"] == 0
    assert client.get("/api/notifications/unread_count/").json() == {"count": 0}
    with commit():
        account_services.user_unsuspend(user=alice)
    assert client.get("/api/notifications/").json()["count"] == 1


def test_every_type_through_services(commit, alice, bob):
    """The same causes through the services (the API is thin): one of each type, newest first."""
    with commit():
        account_services.follow_create(follower=alice, followee=bob)
        tweet = tweet_services.tweet_create(author=bob, content="bob's")
        tweet_services.like_create(user=alice, tweet=tweet)
        tweet_services.repost_create(user=alice, tweet=tweet)
        reply = tweet_services.tweet_create(author=alice, content="a reply", in_reply_to=tweet)
        mention = tweet_services.tweet_create(author=alice, content="cc @bob")
    assert rows(bob) == [
        ("mention", "alice", mention.pk),
        ("reply", "alice", reply.pk),
        ("repost", "alice", tweet.pk),
        ("like", "alice", tweet.pk),
        ("follow", "alice", None),
    ]


def test_a_deleted_user_takes_their_notifications_along(commit, alice, bob):
    with commit():
        tweet_services.tweet_create(author=alice, content="@bob")
    alice.delete()
    assert rows(bob) == []


def test_an_unknown_mention_or_many_users_is_fine(commit, alice):
    users = [UserFactory(username=f"m{i}") for i in range(3)]
    with commit():
        tweet_services.tweet_create(author=alice, content=" ".join(f"@{u.username}" for u in users) + " @ghost")
    assert Notification.objects.filter(type="mention").count() == 3
