"""Bad input is a clear 4xx with Mastodon's error body, never a 500."""

import pytest

from tweets.services import tweet_create

pytestmark = pytest.mark.django_db

GETS = [
    "/api/v1/timelines/home?limit=-5",
    "/api/v1/timelines/home?limit=abc",
    "/api/v1/timelines/home?max_id=99999999999999999999999",
    "/api/v1/timelines/home?since_id=-1",
    "/api/v1/timelines/home?min_id=0",
    "/api/v1/timelines/tag/%C3%A9t%C3%A9",
    "/api/v1/timelines/tag/a%00b",
    "/api/v1/accounts/99999999999999999999",
    "/api/v1/accounts/-1/statuses",
    "/api/v1/accounts/1/statuses?max_id=x",
    "/api/v1/accounts/lookup?acct=a%00b",
    "/api/v1/accounts/lookup?acct=",
    "/api/v1/accounts/relationships?id[]=abc&id[]=%00",
    "/api/v1/statuses/1%00",
    "/api/v1/statuses/00012/context",
    "/api/v1/notifications?types[]=bogus&limit=1000",
    "/api/v1/notifications/abc",
    "/api/v1/notifications?account_id=x",
    "/api/v2/search?q=%00",
    "/api/v2/search?q=" + "x" * 5000,
    "/api/v2/search?q=a&type=nope",
    "/api/v2/search?q=a&offset=-3&limit=zz",
]
POSTS = [
    ("/api/v1/statuses", {"status": ["a", "b"]}),
    ("/api/v1/statuses", {"status": "a\x00b"}),
    ("/api/v1/statuses", {"status": "ok", "in_reply_to_id": "abc"}),
    ("/api/v1/statuses", {"status": "ok", "in_reply_to_id": 99999999}),
    ("/api/v1/statuses", {"status": "ok", "poll": {"options": ["a", "b"]}}),
    ("/api/v1/statuses", {}),
    ("/api/v1/statuses/abc/favourite", {}),
    ("/api/v1/statuses/99999999/reblog", {}),
    ("/api/v1/accounts/abc/follow", {}),
    ("/api/v1/notifications/dismiss", {"id": "x"}),
    ("/api/v1/apps", {"client_name": ["x"], "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}),
    ("/api/v1/apps", {"client_name": "x", "redirect_uris": 5}),
    ("/oauth/token", {"grant_type": "password", "username": "a\x00", "password": "x", "client_id": "x"}),
    ("/oauth/token", {"grant_type": "nope"}),
    ("/oauth/token", {"grant_type": "client_credentials", "client_id": "a\x00", "client_secret": "x"}),
    ("/oauth/token", [1, 2, 3]),
    ("/oauth/revoke", {"token": ["x"]}),
]


def test_gets(alice, mclient):
    client = mclient(alice)
    tweet_create(author=alice, content="something")
    for path in GETS:
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code, response.content[:200])
        if response.status_code >= 400:
            assert "error" in response.json() or "detail" in response.json(), path


def test_posts(alice, mclient):
    client = mclient(alice)
    for path, body in POSTS:
        response = client.post(path, body, format="json")
        assert response.status_code < 500, (path, body, response.status_code, response.content[:200])
        assert 400 <= response.status_code < 500, (path, body, response.status_code)


def test_authorize_with_garbage():
    from django.test import Client

    for query in ("", "client_id=%00", "response_type=token&client_id=x", "scope=%00&response_type=code"):
        response = Client().get(f"/oauth/authorize?{query}")
        assert response.status_code == 400, query
