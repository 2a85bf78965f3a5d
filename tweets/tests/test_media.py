"""Tweets with images (DESIGN.md section 9): media_ids on post and reply, `media` on every tweet
object (detail, lists, replies, hashtags, likes, search, notifications) at no query per media."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from media.models import Media
from media.tests.helpers import post_upload, upload
from notifications.models import Notification
from tweets import services
from tweets.models import Tweet
from tweets.tests.contract import MEDIA_KEYS, TWEET_KEYS

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_post_with_media_in_order_and_the_same_objects_as_the_upload(make_client, alice):
    client = make_client(alice)
    uploaded = [post_upload(client, description=f"image {i}").json() for i in range(4)]
    order = [uploaded[2], uploaded[0], uploaded[3], uploaded[1]]
    response = client.post("/api/tweets/", {"content": "four", "media_ids": [m["id"] for m in order]}, format="json")
    assert response.status_code == 201, response.content
    tweet = response.json()
    assert set(tweet) == TWEET_KEYS
    assert tweet["media"] == order
    assert all(set(m) == MEDIA_KEYS for m in tweet["media"])
    assert client.get(f"/api/tweets/{tweet['id']}/").json()["media"] == order
    assert Tweet.objects.get(pk=int(tweet["id"])).num_media == 4


def test_with_media_the_content_may_be_empty_without_it_not(make_client, alice):
    client = make_client(alice)
    media = post_upload(client).json()
    empty = client.post("/api/tweets/", {"content": "   ", "media_ids": [media["id"]]}, format="json")
    assert empty.status_code == 201 and empty.json()["content"] == ""
    no_content = client.post("/api/tweets/", {"media_ids": [post_upload(client).json()["id"]]}, format="json")
    assert no_content.status_code == 201
    for body in ({"content": "  "}, {}, {"content": "", "media_ids": []}):
        response = client.post("/api/tweets/", body, format="json")
        assert response.status_code == 400 and "content" in response.json(), body


def test_a_tweet_without_media_has_an_empty_list(make_client, alice):
    assert make_client(alice).post("/api/tweets/", {"content": "text only"}, format="json").json()["media"] == []


@pytest.mark.parametrize(
    "case", ["five", "other", "unknown", "malformed", "too long", "not a string", "attached", "twice", "not a list"]
)
def test_bad_media_ids_are_400_on_media_ids_and_change_nothing(make_client, alice, bob, case):
    client = make_client(alice)
    mine = [post_upload(client).json()["id"] for _ in range(5 if case == "five" else 1)]
    if case == "attached":
        assert client.post("/api/tweets/", {"content": "first", "media_ids": mine}, format="json").status_code == 201
    ids = {
        "five": mine,
        "other": [post_upload(make_client(bob)).json()["id"]],
        "unknown": ["999999999999"],
        "malformed": ["12abc"],
        "too long": ["0" * 21],
        "not a string": [7],
        "attached": mine,
        "twice": mine + mine,
        "not a list": mine[0],
    }[case]
    tweets_before = Tweet.objects.count()
    attached_before = Media.objects.filter(attached_at__isnull=False).count()
    response = client.post("/api/tweets/", {"content": "second", "media_ids": ids}, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["media_ids"]
    assert isinstance(errors, list) and all(isinstance(message, str) for message in errors), errors
    assert Tweet.objects.count() == tweets_before
    assert Media.objects.filter(attached_at__isnull=False).count() == attached_before


def test_replies_take_media_both_ways(make_client, alice, bob):
    parent = make_client(alice).post("/api/tweets/", {"content": "parent"}, format="json").json()
    client = make_client(bob)
    first, second = post_upload(client).json(), post_upload(client).json()
    by_path = client.post(f"/api/tweets/{parent['id']}/replies/", {"media_ids": [first["id"]]}, format="json")
    assert by_path.status_code == 201 and by_path.json()["media"] == [first]
    by_field = client.post(
        "/api/tweets/", {"content": "", "in_reply_to": parent["id"], "media_ids": [second["id"]]}, format="json"
    )
    assert by_field.status_code == 201 and by_field.json()["in_reply_to"] == parent["id"]
    replies = make_client(alice).get(f"/api/tweets/{parent['id']}/replies/").json()["results"]
    assert [r["media"] for r in replies] == [[first], [second]]


def test_form_posts_take_media_ids_too(make_client, alice):
    client = make_client(alice)
    ids = [post_upload(client).json()["id"] for _ in range(2)]
    response = client.post("/api/tweets/", {"content": "form", "media_ids": ids}, format="multipart")
    assert response.status_code == 201, response.content
    assert [m["id"] for m in response.json()["media"]] == ids


def test_media_is_on_every_list_and_costs_no_query_per_media(commit, make_client, alice, bob):
    """User tweets, replies, hashtag, likes, search and notifications: the same `media`, and a
    page of 4-image tweets costs what a page of 2 does."""
    parent = services.tweet_create(author=bob, content="parent")
    for i in range(12):
        media = [upload(alice, description=f"t{i} m{j}") for j in range(4)]
        with commit():
            tweet = services.tweet_create(
                author=alice,
                content=f"@bob look #pics number {i}",
                in_reply_to=parent,
                media_ids=[m.pk for m in media],
            )
        services.like_create(user=bob, tweet=tweet)
    client = make_client(bob)
    lists = [
        ("/api/users/alice/tweets/", {}),
        (f"/api/tweets/{parent.pk}/replies/", {}),
        ("/api/hashtags/pics/tweets/", {}),
        ("/api/users/me/likes/", {}),
        ("/api/search/tweets/", {"q": "look"}),
    ]
    for url, params in lists:
        counts = []
        for limit in (2, 12):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, {**params, "limit": limit})
            assert response.status_code == 200, url
            results = response.json()["results"]
            assert len(results) == limit, url
            for item in results:
                number = item["content"].rsplit(" ", 1)[1]
                assert [m["description"] for m in item["media"]] == [f"t{number} m{j}" for j in range(4)], url
            counts.append(len(queries))
        assert counts[0] == counts[1], (url, counts)
    counts = []
    for limit in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            notes = client.get("/api/notifications/", {"limit": limit}).json()["results"]
        counts.append(len(queries))
        assert all(len(n["tweet"]["media"]) == 4 for n in notes if n["tweet"])
    assert counts[0] == counts[1], counts
    assert Notification.objects.filter(recipient=bob).count() == 12


def test_deleting_the_tweet_deletes_its_media(commit, make_client, alice):
    client = make_client(alice)
    media = post_upload(client).json()
    with commit():
        tweet = client.post("/api/tweets/", {"content": "x", "media_ids": [media["id"]]}, format="json").json()
    with commit():
        assert client.delete(f"/api/tweets/{tweet['id']}/").status_code == 204
    assert client.get(f"/api/media/{media['id']}/").status_code == 404


def test_the_admin_shows_a_tweets_images_to_moderators(client, alice):
    from accounts.tests.factories import UserFactory

    media = [upload(alice, description="a cat <b>on a mat</b>"), upload(alice, description="a dog")]
    tweet = services.tweet_create(author=alice, content="pets", media_ids=[m.pk for m in media])
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get(f"/admin/tweets/tweet/{tweet.pk}/change/").content.decode()
    for item in media:
        assert f"/media/{item.preview}" in page and f"/media/{item.file}" in page
    assert 'alt="a cat &lt;b&gt;on a mat&lt;/b&gt;"' in page and 'alt="a dog"' in page
