"""GET /api/notifications/, unread_count/, POST read/: shapes, order, paging, cost, errors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from notifications.models import Notification
from tweets import services as tweet_services
from tweets.tests.contract import TWEET_KEYS

pytestmark = pytest.mark.django_db

NOTIFICATION_KEYS = {"id", "type", "actor", "tweet", "created_at", "read"}


def test_objects_have_the_contract_keys_and_the_tweet_as_the_tweets_api_renders_it(
    make_client, commit, alice, bob, carol
):
    with commit():
        make_client(alice).post("/api/users/bob/follow/")
        tweet = make_client(alice).post("/api/tweets/", {"content": "hi @bob @carol #Tag"}, format="json").json()
        make_client(bob).post(f"/api/tweets/{tweet['id']}/like/")  # the recipient's own flag
    body = make_client(bob).get("/api/notifications/").json()
    assert body["count"] == 2 and body["next"] is None and body["previous"] is None
    mention, follow = body["results"]
    assert set(mention) == set(follow) == NOTIFICATION_KEYS
    assert follow["type"] == "follow" and follow["tweet"] is None
    assert follow["actor"] == {"id": str(alice.pk), "username": "alice"}
    assert mention["type"] == "mention" and mention["read"] is False
    assert set(mention["tweet"]) == TWEET_KEYS
    # Exactly the tweet object GET /api/tweets/{id}/ gives the recipient.
    assert mention["tweet"] == make_client(bob).get(f"/api/tweets/{tweet['id']}/").json()
    assert mention["tweet"]["liked"] is True and mention["tweet"]["reposted"] is False
    assert [m["username"] for m in mention["tweet"]["mentions"]] == ["bob", "carol"]
    assert mention["tweet"]["hashtags"] == ["tag"]
    assert mention["created_at"].endswith("Z")
    assert isinstance(mention["id"], str) and int(mention["id"]) > int(follow["id"])


def test_only_mine_newest_first_and_paginated(make_client, commit, alice, bob, carol):
    with commit():
        ids = [tweet_services.tweet_create(author=alice, content=f"@bob {i}").pk for i in range(5)]
        tweet_services.tweet_create(author=alice, content="@carol")
    client = make_client(bob)
    page = client.get("/api/notifications/?limit=2&offset=1").json()
    assert page["count"] == 5
    assert [n["tweet"]["id"] for n in page["results"]] == [str(ids[3]), str(ids[2])]
    assert "offset=3" in page["next"] and page["previous"] is not None
    past = client.get("/api/notifications/?offset=50").json()
    assert past["count"] == 5 and past["results"] == []


@pytest.mark.parametrize(
    ("query", "field"), [("limit=0", "limit"), ("limit=101", "limit"), ("offset=-1", "offset"), ("limit=x", "limit")]
)
def test_bad_paging_is_a_400_naming_the_parameter(make_client, alice, query, field):
    response = make_client(alice).get(f"/api/notifications/?{query}")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/notifications/"), ("get", "/api/notifications/unread_count/"), ("post", "/api/notifications/read/")],
)
def test_anonymous_is_401(method, path):
    assert getattr(APIClient(), method)(path).status_code == 401


def _many(recipient, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` notifications of every kind, with tweets carrying mentions and tags."""
    actors = [UserFactory() for _ in range(4)]
    tweets = [
        tweet_services.tweet_create(author=actors[i % 4], content=f"@{recipient.username} #t{i} @{actors[0].username}")
        for i in range(count)
    ]
    Notification.objects.bulk_create(
        [Notification(recipient=recipient, actor=t.author, type="mention", tweet=t) for t in tweets]
        + [Notification(recipient=recipient, actor=a, type="follow") for a in actors]
    )


def test_a_page_costs_the_same_queries_whatever_its_size(make_client, alice, django_assert_num_queries):
    _many(alice, 110)
    client = make_client(alice)
    # The user lookup of the JWT (first request only: then accounts.auth_cache decides), the
    # total, the page (rows, actors, tweets with their flags).
    with django_assert_num_queries(3):
        small = client.get("/api/notifications/?limit=5")
    with django_assert_num_queries(2):
        large = client.get("/api/notifications/?limit=100")
    assert len(small.json()["results"]) == 5 and len(large.json()["results"]) == 100
    assert small.json()["count"] == large.json()["count"] == 114
    with django_assert_num_queries(1):  # past the end: no page query
        assert client.get("/api/notifications/?offset=114").json()["results"] == []


def test_unread_count_and_mark_all_read(make_client, commit, alice, bob):
    with commit():
        for i in range(3):
            tweet_services.tweet_create(author=alice, content=f"@bob {i}")
    client = make_client(bob)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/notifications/unread_count/").json() == {"count": 3}
    assert len(queries.captured_queries) == 2  # the user lookup, the count
    assert client.post("/api/notifications/read/", {}, format="json").status_code == 204
    assert client.get("/api/notifications/unread_count/").json() == {"count": 0}
    assert all(n["read"] for n in client.get("/api/notifications/").json()["results"])


def test_mark_read_up_to_an_id_inclusive_and_only_mine(make_client, commit, alice, bob):
    with commit():
        for i in range(4):
            tweet_services.tweet_create(author=alice, content=f"@bob {i}")
        tweet_services.tweet_create(author=bob, content="@alice")
    client = make_client(bob)
    ids = [n["id"] for n in client.get("/api/notifications/").json()["results"]]  # newest first
    assert client.post("/api/notifications/read/", {"up_to": ids[2]}, format="json").status_code == 204
    assert [n["read"] for n in client.get("/api/notifications/").json()["results"]] == [False, False, True, True]
    assert client.get("/api/notifications/unread_count/").json() == {"count": 2}
    # Someone else's notification id is just a bound; theirs stay unread.
    alices = Notification.objects.get(recipient=alice)
    assert client.post("/api/notifications/read/", {"up_to": str(alices.pk)}, format="json").status_code == 204
    assert client.get("/api/notifications/unread_count/").json() == {"count": 0}
    assert Notification.objects.get(pk=alices.pk).read is False


def test_any_well_formed_id_is_a_bound(make_client, commit, alice, bob):
    with commit():
        tweet_services.tweet_create(author=alice, content="@bob")
    client = make_client(bob)
    assert client.post("/api/notifications/read/", {"up_to": "1"}, format="json").status_code == 204
    assert client.get("/api/notifications/unread_count/").json() == {"count": 1}
    response = client.post("/api/notifications/read/", {"up_to": "9223372036854775807"}, format="json")
    assert response.status_code == 204
    assert client.get("/api/notifications/unread_count/").json() == {"count": 0}


def test_null_up_to_means_all(make_client, commit, alice, bob):
    with commit():
        tweet_services.tweet_create(author=alice, content="@bob")
    client = make_client(bob)
    assert client.post("/api/notifications/read/", {"up_to": None}, format="json").status_code == 204
    assert client.get("/api/notifications/unread_count/").json() == {"count": 0}


@pytest.mark.parametrize(
    "up_to", ["", "abc", "01", "0", "-1", "1.5", " 12", "9223372036854775808", "1" * 40, "١٢", 12, True, [], {}]
)
def test_malformed_up_to_is_a_400_naming_it(make_client, alice, up_to):
    response = make_client(alice).post("/api/notifications/read/", {"up_to": up_to}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["up_to"]


def test_read_accepts_a_form_body(make_client, commit, alice, bob):
    with commit():
        tweet_services.tweet_create(author=alice, content="@bob")
    client = make_client(bob)
    assert client.post("/api/notifications/read/", {"up_to": "9999999"}).status_code == 204
    assert client.get("/api/notifications/unread_count/").json() == {"count": 0}


def test_staff_do_not_see_notifications_of_hidden_tweets(make_client, commit, alice, staff):
    with commit():
        tweet = tweet_services.tweet_create(author=alice, content="@moderator look")
    client = make_client(staff)
    assert client.get("/api/notifications/").json()["count"] == 1
    tweet_services.tweet_hide(tweet=tweet, reason="spam")  # its removal task has not run yet
    assert client.get("/api/notifications/").json()["count"] == 0


def test_unread_count_is_the_visible_unread_rows(commit, alice, bob, carol, dave):
    """The prepared count (selectors.unread_count) counts exactly the rows the list shows as unread:
    actors suspended, blocked either way or muted, and hidden tweets, are left out."""
    from accounts import services as account_services
    from accounts.tests.factories import UserFactory
    from notifications import selectors
    from tweets import services as tweet_services

    erin, frank = UserFactory(username="erin"), UserFactory(username="frank")
    with commit():
        tweet = tweet_services.tweet_create(author=alice, content="hello")
    for actor in (bob, carol, dave, erin, frank):
        with commit():
            tweet_services.like_create(user=actor, tweet=tweet)
    with commit():
        account_services.follow_create(follower=bob, followee=alice)

    def expected() -> int:
        return selectors.visible_notifications(viewer_id=alice.pk).filter(read=False).count()

    assert selectors.unread_count(viewer=alice) == expected() == 6
    with commit():
        account_services.block_create(user=carol, target=alice)  # blocked by the actor
        account_services.mute_create(user=alice, target=dave)
        account_services.user_suspend(user=erin)
    assert selectors.unread_count(viewer=alice) == expected() == 3  # bob twice, frank
    with commit():
        tweet_services.tweet_hide(tweet=tweet, reason="spam")
    assert selectors.unread_count(viewer=alice) == expected() == 1  # bob's follow
