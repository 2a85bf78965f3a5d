"""POST /api/reports/: who and what may be reported, input errors as 400s on the field, throttling."""

import json

import pytest

from accounts import services as account_services
from moderation.models import Report
from tweets import services as tweet_services

pytestmark = pytest.mark.django_db

URL = "/api/reports/"


def post(client, body):  # type: ignore[no-untyped-def]
    return client.post(URL, body, format="json")


def test_report_a_user(make_client, alice, bob):
    response = post(make_client(alice), {"user": "bob", "reason": "  spam everywhere  "})
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "status", "created_at"}
    assert body["status"] == "open"
    assert isinstance(body["id"], str)
    report = Report.objects.get(pk=body["id"])
    assert (report.reporter, report.user, report.tweet, report.reason) == (alice, bob, None, "spam everywhere")


def test_report_a_tweet_with_or_without_its_author(make_client, alice, bob):
    tweet = tweet_services.tweet_create(author=bob, content="rude words")
    client = make_client(alice)
    with_author = post(client, {"user": "BOB", "tweet": str(tweet.pk), "reason": "rude"})
    assert with_author.status_code == 201, with_author.content
    without = post(client, {"tweet": str(tweet.pk), "reason": "rude"})
    assert without.status_code == 201, without.content
    nulls = post(client, {"user": None, "tweet": str(tweet.pk), "reason": "rude"})
    assert nulls.status_code == 201, nulls.content
    assert {(r.user_id, r.tweet_id) for r in Report.objects.all()} == {(bob.pk, tweet.pk)}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user": "nobody", "reason": "x"}, "user"),
        ({"user": "bad name!", "reason": "x"}, "user"),
        ({"user": "a\x00b", "reason": "x"}, "user"),
        ({"user": "x" * 101, "reason": "x"}, "user"),
        ({"user": 12, "reason": "x"}, "user"),
        ({"user": "", "reason": "x"}, "user"),
        ({"reason": "x"}, "user"),
        ({"user": "bob"}, "reason"),
        ({"user": "bob", "reason": "   "}, "reason"),
        ({"user": "bob", "reason": "x" * 1001}, "reason"),
        ({"user": "bob", "reason": "bad\x00byte"}, "reason"),
        ({"user": "bob", "reason": ["a list"]}, "reason"),
        ({"user": "bob", "reason": None}, "reason"),
        ({"user": "bob", "tweet": "abc", "reason": "x"}, "tweet"),
        ({"user": "bob", "tweet": "0123", "reason": "x"}, "tweet"),
        ({"user": "bob", "tweet": "99999999999999999999", "reason": "x"}, "tweet"),
        ({"user": "bob", "tweet": "9223372036854775807", "reason": "x"}, "tweet"),
        ({"user": "bob", "tweet": "-1", "reason": "x"}, "tweet"),
        ({"user": "bob", "tweet": 5, "reason": "x"}, "tweet"),
        ({"tweet": "\x00", "reason": "x"}, "tweet"),
    ],
)
def test_bad_input_is_a_400_on_the_field(make_client, alice, bob, body, field):
    response = post(make_client(alice), body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Report.objects.exists()


def test_reason_of_exactly_1000_characters_is_accepted(make_client, alice, bob):
    response = post(make_client(alice), {"user": "bob", "reason": " " + "é" * 1000 + " "})
    assert response.status_code == 201, response.content
    assert Report.objects.get().reason == "é" * 1000


def test_a_lone_surrogate_in_the_reason_is_not_a_500(make_client, alice, bob):
    client = make_client(alice)
    raw = json.dumps({"user": "bob", "reason": "\ud800"}, ensure_ascii=True)
    response = client.post(URL, raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "reason" in response.json()


def test_reporting_oneself_or_ones_own_tweet_is_a_400(make_client, alice):
    tweet = tweet_services.tweet_create(author=alice, content="mine")
    client = make_client(alice)
    response = post(client, {"user": "ALICE", "reason": "x"})
    assert response.status_code == 400
    assert "user" in response.json()
    response = post(client, {"tweet": str(tweet.pk), "reason": "x"})
    assert response.status_code == 400
    assert "tweet" in response.json()
    response = post(client, {"user": "alice", "tweet": str(tweet.pk), "reason": "x"})
    assert response.status_code == 400
    assert "user" in response.json()


def test_a_tweet_not_by_the_named_user_is_a_400_on_tweet(make_client, alice, bob, carol):
    tweet = tweet_services.tweet_create(author=carol, content="carol's")
    response = post(make_client(alice), {"user": "bob", "tweet": str(tweet.pk), "reason": "x"})
    assert response.status_code == 400
    assert "tweet" in response.json()


def test_hidden_deleted_or_suspended_authors_tweets_are_unknown(make_client, alice, bob, carol):
    hidden = tweet_services.tweet_create(author=bob, content="hidden")
    tweet_services.tweet_hide(tweet=hidden, reason="spam")
    deleted = tweet_services.tweet_create(author=bob, content="deleted")
    tweet_services.tweet_delete(tweet=deleted, by=bob)
    by_suspended = tweet_services.tweet_create(author=carol, content="by a suspended author")
    account_services.user_suspend(user=carol)
    client = make_client(alice)
    for tweet in (hidden, deleted, by_suspended):
        response = post(client, {"tweet": str(tweet.pk), "reason": "x"})
        assert response.status_code == 400, response.content
        assert response.json()["tweet"] == ["No such tweet."]
    response = post(client, {"user": "carol", "reason": "x"})
    assert response.status_code == 400
    assert response.json()["user"] == ["No such user."]


def test_a_blocked_user_may_still_report(make_client, alice, bob):
    tweet = tweet_services.tweet_create(author=bob, content="nasty")
    account_services.block_create(user=bob, target=alice)  # bob blocks alice
    response = post(make_client(alice), {"user": "bob", "tweet": str(tweet.pk), "reason": "harassment"})
    assert response.status_code == 201, response.content
    account_services.block_create(user=alice, target=bob)  # and the other way round
    response = post(make_client(alice), {"tweet": str(tweet.pk), "reason": "harassment"})
    assert response.status_code == 201, response.content


def test_anonymous_is_401(api_client, bob):
    response = post(api_client, {"user": "bob", "reason": "x"})
    assert response.status_code == 401


def test_reports_are_throttled_per_user(settings, make_client, alice, bob, carol):
    settings.REPORT_THROTTLE_RATE = "3/hour"
    client = make_client(alice)
    for _ in range(3):
        assert post(client, {"user": "bob", "reason": "x"}).status_code == 201
    response = post(client, {"user": "bob", "reason": "x"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    # Another reporter has their own bucket.
    assert post(make_client(carol), {"user": "bob", "reason": "x"}).status_code == 201


def test_query_count_is_constant(make_client, alice, bob, django_assert_max_num_queries):
    tweet = tweet_services.tweet_create(author=bob, content="x")
    client = make_client(alice)
    # Authenticate (user), tweet with its author, insert: no more whatever the input.
    with django_assert_max_num_queries(4):
        assert post(client, {"tweet": str(tweet.pk), "reason": "x"}).status_code == 201
    with django_assert_max_num_queries(4):
        assert post(client, {"user": "bob", "tweet": str(tweet.pk), "reason": "x"}).status_code == 201
