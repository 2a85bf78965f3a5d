"""Block and mute: endpoints, relationship, follows removed, 403s under a block, lists filtered."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services
from accounts.models import Block, Follow, Mute, User
from accounts.tests.factories import UserFactory
from tweets import services as tweet_services
from tweets.models import Like, Repost, Tweet

pytestmark = pytest.mark.django_db

NO_RELATION = {"following": False, "followed_by": False, "blocking": False, "muting": False}


def counts(user: User) -> tuple[int, int]:
    user.refresh_from_db()
    return user.num_followers, user.num_following


# --- the endpoints ------------------------------------------------------------


@pytest.mark.parametrize("kind, model, flag", [("block", Block, "blocking"), ("mute", Mute, "muting")])
def test_create_is_201_then_200_and_delete_is_204_twice(make_client, alice, bob, kind, model, flag):
    client = make_client(alice)
    first = client.post(f"/api/users/bob/{kind}/")
    assert first.status_code == 201
    assert first.json()["username"] == "bob"
    assert first.json()["relationship"][flag] is True
    assert client.post(f"/api/users/BOB/{kind}/").status_code == 200
    assert model.objects.filter(user=alice, target=bob).count() == 1
    assert client.delete(f"/api/users/bob/{kind}/").status_code == 204
    assert client.delete(f"/api/users/bob/{kind}/").status_code == 204
    assert not model.objects.exists()


@pytest.mark.parametrize("kind", ["block", "mute"])
@pytest.mark.parametrize("name", ["alice", "ALICE", "me"])
def test_self_is_400_and_changes_nothing(make_client, alice, kind, name):
    response = make_client(alice).post(f"/api/users/{name}/{kind}/")
    assert response.status_code == 400
    assert response.json() == {"detail": f"You cannot {kind} yourself."}
    assert not Block.objects.exists() and not Mute.objects.exists()


@pytest.mark.parametrize("kind", ["block", "mute"])
@pytest.mark.parametrize("name", ["nobody", "bad%00name", "x" * 31, "a-b"])
def test_unknown_or_malformed_username_is_404(make_client, alice, kind, name):
    client = make_client(alice)
    assert client.post(f"/api/users/{name}/{kind}/").status_code == 404
    assert client.delete(f"/api/users/{name}/{kind}/").status_code == 404


@pytest.mark.parametrize("kind", ["block", "mute"])
def test_needs_authentication(api_client, bob, kind):
    assert api_client.post(f"/api/users/bob/{kind}/").status_code == 401
    assert api_client.get(f"/api/users/me/{kind}s/").status_code == 401


def test_block_removes_follows_both_ways_with_counters(make_client, alice, bob, carol):
    services.follow_create(follower=alice, followee=bob)
    services.follow_create(follower=bob, followee=alice)
    services.follow_create(follower=carol, followee=bob)
    response = make_client(alice).post("/api/users/bob/block/")
    assert response.status_code == 201
    body = response.json()
    assert body["relationship"] == {**NO_RELATION, "blocking": True}
    assert body["num_followers"] == 1  # carol's follow stays
    assert not Follow.objects.filter(follower=alice, followee=bob).exists()
    assert not Follow.objects.filter(follower=bob, followee=alice).exists()
    assert counts(alice) == (0, 0)
    assert counts(bob) == (1, 0)
    # Unblocking restores nothing.
    make_client(alice).delete("/api/users/bob/block/")
    assert counts(alice) == (0, 0)


def test_mute_keeps_follows(make_client, alice, bob):
    services.follow_create(follower=alice, followee=bob)
    response = make_client(alice).post("/api/users/bob/mute/")
    assert response.json()["relationship"] == {**NO_RELATION, "following": True, "muting": True}
    assert Follow.objects.filter(follower=alice, followee=bob).exists()
    assert counts(bob) == (1, 0)


# --- relationship -------------------------------------------------------------


def test_profile_carries_relationship_for_others_only(make_client, alice, bob):
    services.follow_create(follower=bob, followee=alice)
    response = make_client(alice).get("/api/users/bob/")
    assert response.status_code == 200
    assert response.json()["relationship"] == {**NO_RELATION, "followed_by": True}
    assert "relationship" not in make_client(alice).get("/api/users/alice/").json()
    assert "relationship" not in make_client(alice).get("/api/users/me/").json()


def test_profile_is_one_query_with_relationship(make_client, alice, bob):
    client = make_client(alice)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/users/bob/").status_code == 200
    assert len(queries) == 2  # the token's user, the profile with its relationship


def test_follow_answers_with_relationship(make_client, alice, bob):
    body = make_client(alice).post("/api/users/bob/follow/").json()
    assert body["relationship"] == {**NO_RELATION, "following": True}


# --- under a block ------------------------------------------------------------


@pytest.fixture
def blocked(alice, bob):  # type: ignore[no-untyped-def]
    """alice blocks bob; alice has a tweet bob cannot reach."""
    tweet = tweet_services.tweet_create(author=alice, content="alice's tweet")
    services.block_create(user=alice, target=bob)
    return tweet


def test_blocked_user_cannot_follow_and_nothing_changes(make_client, blocked, alice, bob):
    response = make_client(bob).post("/api/users/alice/follow/")
    assert response.status_code == 403
    assert response.json() == {"detail": "This user has blocked you."}
    response = make_client(alice).post("/api/users/bob/follow/")
    assert response.status_code == 403
    assert "unblock" in response.json()["detail"]
    assert not Follow.objects.exists()
    assert counts(alice) == (0, 0) and counts(bob) == (0, 0)


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/users/alice/"),
        ("get", "/api/users/alice/tweets/"),
        ("get", "/api/users/alice/followers/"),
        ("get", "/api/users/alice/following/"),
        ("get", "/api/tweets/{id}/"),
        ("get", "/api/tweets/{id}/replies/"),
        ("post", "/api/tweets/{id}/like/"),
        ("post", "/api/tweets/{id}/repost/"),
        ("post", "/api/tweets/{id}/replies/"),
    ],
)
def test_blocked_user_gets_403_with_a_detail_and_changes_nothing(make_client, blocked, bob, method, path):
    response = getattr(make_client(bob), method)(path.format(id=blocked.pk), {"content": "hey"}, format="json")
    assert response.status_code == 403
    assert "blocked you" in response.json()["detail"]
    blocked.refresh_from_db()
    assert (blocked.num_likes, blocked.num_reposts, blocked.num_replies) == (0, 0, 0)
    assert not Like.objects.exists() and not Repost.objects.exists()
    assert Tweet.objects.count() == 1


def test_blocker_sees_the_blocked_profile_to_unblock(make_client, blocked, alice):
    response = make_client(alice).get("/api/users/bob/")
    assert response.status_code == 200
    assert response.json()["relationship"]["blocking"] is True


def test_blocker_cannot_interact_with_the_blocked_users_tweets(make_client, blocked, alice, bob):
    tweet = Tweet.objects.create(author=bob, content="bob's")
    response = make_client(alice).post(f"/api/tweets/{tweet.pk}/like/")
    assert response.status_code == 403
    assert "unblock" in response.json()["detail"]


def test_replies_list_hides_tweets_across_a_block_both_ways(make_client, alice, bob, carol):
    root = tweet_services.tweet_create(author=carol, content="root")
    tweet_services.tweet_create(author=alice, content="from alice", in_reply_to=root)
    tweet_services.tweet_create(author=bob, content="from bob", in_reply_to=root)
    services.block_create(user=alice, target=bob)
    path = f"/api/tweets/{root.pk}/replies/"
    assert [t["content"] for t in make_client(alice).get(path).json()["results"]] == ["from alice"]
    assert [t["content"] for t in make_client(bob).get(path).json()["results"]] == ["from bob"]
    assert make_client(carol).get(path).json()["count"] == 2


def test_search_hides_tweets_across_a_block(make_client, alice, bob):
    tweet_services.tweet_create(author=alice, content="penguins by alice")
    tweet_services.tweet_create(author=bob, content="penguins by bob")
    services.block_create(user=bob, target=alice)
    body = make_client(alice).get("/api/search/tweets/", {"q": "penguins"}).json()
    assert body["count"] == 1
    assert [t["author"]["username"] for t in body["results"]] == ["alice"]


def test_mute_changes_no_visibility_outside_feed_and_notifications(make_client, alice, bob):
    tweet = tweet_services.tweet_create(author=bob, content="muted but visible")
    services.mute_create(user=alice, target=bob)
    client = make_client(alice)
    assert client.get(f"/api/tweets/{tweet.pk}/").status_code == 200
    assert client.get("/api/users/bob/tweets/").json()["count"] == 1
    assert client.post(f"/api/tweets/{tweet.pk}/like/").status_code == 201


# --- lists of my blocks and mutes ---------------------------------------------


@pytest.mark.parametrize("kind", ["block", "mute"])
def test_my_list_newest_first_with_constant_queries(make_client, alice, kind):
    others = UserFactory.create_batch(6)
    create = getattr(services, f"{kind}_create")
    for other in others:
        create(user=alice, target=other)
    client = make_client(alice)
    body = client.get(f"/api/users/me/{kind}s/").json()
    assert [u["username"] for u in body["results"]] == [u.username for u in reversed(others)]
    sizes = []
    for limit in (2, 6):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/users/me/{kind}s/", {"limit": limit}).status_code == 200
        sizes.append(len(queries))
    assert sizes[0] == sizes[1]


def test_my_lists_are_mine_only(make_client, alice, bob, carol):
    services.block_create(user=bob, target=carol)
    services.mute_create(user=bob, target=carol)
    assert make_client(alice).get("/api/users/me/blocks/").json()["count"] == 0
    assert make_client(alice).get("/api/users/me/mutes/").json()["count"] == 0
