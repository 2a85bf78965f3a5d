"""GET /api/v1/timelines/public (DESIGN.md section 10) and the streaming URL the instance advertises."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.services import block_create, mute_create, user_suspend
from mastodon_api.tests.clients import check
from tweets.services import tweet_create, tweet_hide

pytestmark = pytest.mark.django_db


def _ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [check("Status", status)["id"] for status in response.json()]


def test_every_tweet_newest_first_with_mastodon_paging(alice, bob):
    tweets = [tweet_create(author=author, content=f"tweet {n}") for n, author in enumerate([alice, bob] * 3)]
    reply = tweet_create(author=bob, content="a reply", in_reply_to=tweets[0])
    newest_first = [str(t.pk) for t in [reply, *reversed(tweets)]]
    client = APIClient()  # no token needed
    assert _ids(client.get("/api/v1/timelines/public")) == newest_first
    assert _ids(client.get("/api/v1/timelines/public", {"local": "true"})) == newest_first
    assert _ids(client.get("/api/v1/timelines/public", {"remote": "true"})) == []
    page = client.get("/api/v1/timelines/public", {"limit": 3})
    assert _ids(page) == newest_first[:3]
    assert 'rel="next"' in page["Link"] and f"max_id={newest_first[2]}" in page["Link"]
    assert _ids(client.get("/api/v1/timelines/public", {"max_id": newest_first[2], "limit": 2})) == newest_first[3:5]
    assert _ids(client.get("/api/v1/timelines/public", {"since_id": newest_first[2]})) == newest_first[:2]
    assert _ids(client.get("/api/v1/timelines/public", {"min_id": newest_first[5], "limit": 2})) == newest_first[3:5]
    assert client.get("/api/v1/timelines/public", {"max_id": "abc"}).status_code == 422
    assert client.get("/api/v1/timelines/public", {"limit": "x"}).status_code == 422


def test_hidden_suspended_blocked_and_muted_are_left_out(alice, bob, carol, dave, mclient):
    shown = tweet_create(author=alice, content="shown")
    hidden = tweet_create(author=alice, content="hidden")
    tweet_hide(tweet=hidden, reason="spam")
    tweet_create(author=dave, content="suspended later")
    user_suspend(user=dave)
    by_bob = tweet_create(author=bob, content="bob blocks carol")
    by_carol = tweet_create(author=carol, content="carol mutes alice")
    block_create(user=bob, target=carol)
    mute_create(user=carol, target=alice)
    assert _ids(APIClient().get("/api/v1/timelines/public")) == [str(by_carol.pk), str(by_bob.pk), str(shown.pk)]
    assert _ids(mclient(carol).get("/api/v1/timelines/public")) == [str(by_carol.pk)]


def test_a_page_costs_the_same_queries_whatever_its_length(alice, bob, mclient):
    client = mclient(alice)
    tweet_create(author=bob, content="one")
    client.get("/api/v1/timelines/public")  # warm caches
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/timelines/public", {"limit": 1})
    for n in range(15):
        tweet_create(author=bob if n % 2 else alice, content=f"#tag {n} @alice")
    with CaptureQueriesContext(connection) as many:
        assert len(_ids(client.get("/api/v1/timelines/public", {"limit": 15}))) == 15
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_instance_advertises_the_streaming_url():
    v1 = APIClient().get("/api/v1/instance").json()
    v2 = APIClient().get("/api/v2/instance").json()
    assert (
        v1["urls"]["streaming_api"]
        == v2["configuration"]["urls"]["streaming"]
        == f"ws://testserver:{settings.STREAMING_PORT}"
    )
    with override_settings(STREAMING_URL="wss://streaming.example.com/"):
        v1 = APIClient().get("/api/v1/instance").json()
        assert v1["urls"]["streaming_api"] == "wss://streaming.example.com"
    https = APIClient().get("/api/v1/instance", secure=True).json()
    assert https["urls"]["streaming_api"] == f"wss://testserver:{settings.STREAMING_PORT}"
