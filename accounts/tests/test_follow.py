"""Follow, unfollow, counters and the followers/following lists."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services
from accounts.models import Follow, User
from accounts.tests.factories import FollowFactory, UserFactory

pytestmark = pytest.mark.django_db


def counts(user: User) -> tuple[int, int]:
    user.refresh_from_db()
    return user.num_followers, user.num_following


def test_follow_is_201_then_200_and_counted_once(make_client, alice, bob):
    client = make_client(alice)
    response = client.post("/api/users/bob/follow/")
    assert response.status_code == 201
    assert response.json()["username"] == "bob"
    assert response.json()["num_followers"] == 1
    again = client.post("/api/users/BOB/follow/")
    assert again.status_code == 200
    assert again.json()["num_followers"] == 1
    assert Follow.objects.filter(follower=alice, followee=bob).count() == 1
    assert counts(bob) == (1, 0)
    assert counts(alice) == (0, 1)


def test_unfollow_is_204_also_when_not_following(make_client, alice, bob):
    client = make_client(alice)
    assert client.delete("/api/users/bob/follow/").status_code == 204
    assert counts(bob) == (0, 0)
    client.post("/api/users/bob/follow/")
    assert client.delete("/api/users/bob/follow/").status_code == 204
    assert client.delete("/api/users/bob/follow/").status_code == 204
    assert not Follow.objects.exists()
    assert counts(bob) == (0, 0)
    assert counts(alice) == (0, 0)


@pytest.mark.parametrize("name", ["alice", "ALICE", "me"])
def test_self_follow_is_400(make_client, alice, name):
    response = make_client(alice).post(f"/api/users/{name}/follow/")
    assert response.status_code == 400
    assert response.json() == {"detail": "You cannot follow yourself."}
    assert counts(alice) == (0, 0)


def test_follow_unknown_or_suspended_user_is_404(make_client, alice, bob):
    client = make_client(alice)
    assert client.post("/api/users/nobody/follow/").status_code == 404
    assert client.delete("/api/users/nobody/follow/").status_code == 404
    services.user_suspend(user=bob)
    assert client.post("/api/users/bob/follow/").status_code == 404


def test_follow_needs_authentication(api_client, bob):
    assert api_client.post("/api/users/bob/follow/").status_code == 401
    assert api_client.delete("/api/users/bob/follow/").status_code == 401


def test_counters_are_exact_with_many_followers(make_client, alice):
    fans = UserFactory.create_batch(5)
    for fan in fans:
        assert make_client(fan).post("/api/users/alice/follow/").status_code == 201
    make_client(fans[0]).post("/api/users/alice/follow/")
    make_client(fans[1]).delete("/api/users/alice/follow/")
    assert counts(alice) == (4, 0)
    assert [counts(fan)[1] for fan in fans] == [1, 0, 1, 1, 1]
    response = make_client(alice).get("/api/users/alice/")
    assert response.json()["num_followers"] == 4


def test_follow_service_handles_the_existing_row():
    follow = FollowFactory()
    same, created = services.follow_create(follower=follow.follower, followee=follow.followee)
    assert (same.pk, created) == (follow.pk, False)


def _follow_at(follower, followee, minutes_ago):
    return Follow.objects.create(
        follower=follower, followee=followee, created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )


def test_followers_list_newest_relation_first(make_client, alice):
    # Users created in one order, follows in another: the list follows the relation's time.
    u1, u2, u3 = UserFactory.create_batch(3)
    _follow_at(u2, alice, 30)
    _follow_at(u3, alice, 20)
    _follow_at(u1, alice, 10)
    response = make_client(alice).get("/api/users/alice/followers/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert [u["username"] for u in body["results"]] == [u1.username, u3.username, u2.username]
    assert "email" not in body["results"][0]


def test_following_list_newest_relation_first(make_client, alice, bob):
    u1, u2, u3 = UserFactory.create_batch(3)
    _follow_at(alice, u3, 5)
    _follow_at(alice, u1, 50)
    _follow_at(alice, u2, 25)
    _follow_at(bob, u1, 1)  # someone else's follow does not show
    response = make_client(bob).get("/api/users/ALICE/following/")
    assert response.status_code == 200
    assert [u["username"] for u in response.json()["results"]] == [u3.username, u2.username, u1.username]


def test_relation_lists_of_unknown_user_are_404(make_client, alice):
    client = make_client(alice)
    assert client.get("/api/users/nobody/followers/").status_code == 404
    assert client.get("/api/users/nobody/following/").status_code == 404


def test_relation_lists_hide_suspended_users_except_for_staff(make_client, alice, bob):
    _follow_at(bob, alice, 1)
    services.user_suspend(user=bob)
    assert make_client(alice).get("/api/users/alice/followers/").json()["count"] == 0
    staff = UserFactory(is_staff=True)
    assert make_client(staff).get("/api/users/alice/followers/").json()["count"] == 1


def test_relation_lists_paginate(make_client, alice):
    fans = UserFactory.create_batch(5)
    for minutes, fan in enumerate(fans):
        _follow_at(fan, alice, minutes)
    client = make_client(alice)
    page = client.get("/api/users/alice/followers/?limit=2&offset=1").json()
    assert page["count"] == 5
    assert [u["username"] for u in page["results"]] == [fans[1].username, fans[2].username]
    assert "offset=3" in page["next"]
    assert page["previous"] is not None
    last = client.get("/api/users/alice/followers/?limit=2&offset=4").json()
    assert last["next"] is None
    assert [u["username"] for u in last["results"]] == [fans[4].username]


@pytest.mark.parametrize("which", ["followers", "following"])
def test_relation_list_query_count_does_not_grow_with_page(make_client, alice, which):
    for minutes, other in enumerate(UserFactory.create_batch(55)):
        if which == "followers":
            _follow_at(other, alice, minutes)
        else:
            _follow_at(alice, other, minutes)
    client = make_client(alice)

    def queries(limit: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/users/alice/{which}/?limit={limit}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == limit
        return len(ctx.captured_queries)

    assert queries(5) == queries(50)
