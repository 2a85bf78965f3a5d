"""POST /api/tweets/, GET/DELETE /api/tweets/{id}/, replies, visibility of hidden tweets."""

import pytest

from accounts import services as account_services
from accounts.models import User
from tweets import services
from tweets.models import Tweet
from tweets.tests.contract import TWEET_KEYS
from tweets.tests.factories import TweetFactory

pytestmark = pytest.mark.django_db


def post_tweet(client, content):
    return client.post("/api/tweets/", {"content": content}, format="json")


def test_create_tweet_is_201_with_the_tweet_object(make_client, alice):
    response = post_tweet(make_client(alice), "  hello world \n")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == TWEET_KEYS
    assert body["content"] == "hello world"
    assert body["author"] == {"id": str(alice.pk), "username": "alice"}
    assert isinstance(body["id"], str)
    assert body["in_reply_to"] is None
    assert (body["num_likes"], body["num_replies"], body["num_reposts"]) == (0, 0, 0)
    assert (body["liked"], body["reposted"]) == (False, False)
    assert Tweet.objects.get(pk=int(body["id"])).content == "hello world"
    alice.refresh_from_db()
    assert alice.num_tweets == 1


@pytest.mark.parametrize("content", ["", "   ", "\n\t ", "\u3000"])
def test_blank_content_is_400(make_client, alice, content):
    response = post_tweet(make_client(alice), content)
    assert response.status_code == 400
    assert "content" in response.json()
    assert not Tweet.objects.exists()


def test_281_characters_is_400_and_280_is_fine(make_client, alice):
    client = make_client(alice)
    response = post_tweet(client, "x" * 281)
    assert response.status_code == 400
    assert "280" in response.json()["content"][0]
    assert post_tweet(client, "x" * 280).status_code == 201
    # Trimmed first: 280 characters plus surrounding blanks is fine.
    assert post_tweet(client, "  " + "y" * 280 + "  ").status_code == 201


def test_280_emoji_are_accepted_and_281_refused(make_client, alice):
    client = make_client(alice)
    response = post_tweet(client, "🐦" * 280)
    assert response.status_code == 201
    assert response.json()["content"] == "🐦" * 280
    assert post_tweet(client, "🐦" * 281).status_code == 400


def test_huge_content_is_400(make_client, alice):
    assert post_tweet(make_client(alice), "x" * 5000).status_code == 400


@pytest.mark.parametrize("body", [{}, {"content": None}, {"content": 123}, {"content": ["hi"]}, {"content": {"a": 1}}])
def test_missing_or_non_string_content_is_400(make_client, alice, body):
    response = make_client(alice).post("/api/tweets/", body, format="json")
    assert response.status_code == 400
    assert "content" in response.json()
    assert not Tweet.objects.exists()


def test_nul_character_is_400(make_client, alice):
    response = post_tweet(make_client(alice), "before\x00after")
    assert response.status_code == 400


def test_malformed_json_is_400(make_client, alice):
    response = make_client(alice).post("/api/tweets/", data='{"content": "x"', content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_unsupported_media_type_is_415(make_client, alice):
    response = make_client(alice).post("/api/tweets/", data="content=x", content_type="text/plain")
    assert response.status_code == 415


def test_create_needs_authentication(api_client):
    assert post_tweet(api_client, "hi").status_code == 401


def test_get_tweet(make_client, alice, bob):
    tweet = services.tweet_create(author=alice, content="readable")
    response = make_client(bob).get(f"/api/tweets/{tweet.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == TWEET_KEYS
    assert body["id"] == str(tweet.pk)
    assert body["content"] == "readable"


MALFORMED_IDS = [
    "abc",
    "-1",
    "0",
    "1.5",
    "1" * 30,
    "9" * 19,
    "\u0661\u0662",
    "1e3",
    "0x10",
    " 1",
    "%20",
    "1%00",
    "0001",
    "007",
]


@pytest.mark.parametrize("raw", MALFORMED_IDS)
@pytest.mark.parametrize("suffix", ["", "like/", "repost/", "replies/"])
def test_malformed_ids_are_404_not_500(make_client, alice, raw, suffix):
    TweetFactory()
    client = make_client(alice)
    url = f"/api/tweets/{raw}/{suffix}"
    assert client.get(url).status_code in (404, 405)
    assert client.post(url, {"content": "x"}, format="json").status_code in (404, 405)
    assert client.delete(url).status_code in (404, 405)
    if suffix == "":
        assert client.get(url).status_code == 404


def test_unknown_tweet_is_404(make_client, alice):
    tweet = TweetFactory()
    client = make_client(alice)
    assert client.get(f"/api/tweets/{tweet.pk + 1000}/").status_code == 404
    assert client.delete(f"/api/tweets/{tweet.pk + 1000}/").status_code == 404


def test_delete_own_tweet_is_204(make_client, alice):
    tweet = services.tweet_create(author=alice, content="bye")
    client = make_client(alice)
    assert client.delete(f"/api/tweets/{tweet.pk}/").status_code == 204
    assert not Tweet.objects.filter(pk=tweet.pk).exists()
    assert client.get(f"/api/tweets/{tweet.pk}/").status_code == 404
    assert client.delete(f"/api/tweets/{tweet.pk}/").status_code == 404
    alice.refresh_from_db()
    assert alice.num_tweets == 0


def test_delete_someone_elses_tweet_is_403(make_client, alice, bob):
    tweet = services.tweet_create(author=alice, content="mine")
    response = make_client(bob).delete(f"/api/tweets/{tweet.pk}/")
    assert response.status_code == 403
    assert "detail" in response.json()
    assert Tweet.objects.filter(pk=tweet.pk).exists()


def test_even_staff_cannot_delete_others_tweets_through_the_api(make_client, alice, staff):
    tweet = services.tweet_create(author=alice, content="mine")
    assert make_client(staff).delete(f"/api/tweets/{tweet.pk}/").status_code == 403


def test_put_and_patch_are_405(make_client, alice):
    tweet = services.tweet_create(author=alice, content="fixed")
    client = make_client(alice)
    assert client.put(f"/api/tweets/{tweet.pk}/", {"content": "x"}, format="json").status_code == 405
    assert client.patch(f"/api/tweets/{tweet.pk}/", {"content": "x"}, format="json").status_code == 405
    assert client.get("/api/tweets/").status_code == 405


# --- replies -----------------------------------------------------------------


def test_reply_is_201_and_counts(make_client, alice, bob):
    parent = services.tweet_create(author=alice, content="parent")
    response = make_client(bob).post(f"/api/tweets/{parent.pk}/replies/", {"content": " a reply "}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == TWEET_KEYS
    assert body["in_reply_to"] == str(parent.pk)
    assert body["content"] == "a reply"
    parent.refresh_from_db()
    bob.refresh_from_db()
    assert parent.num_replies == 1
    assert bob.num_tweets == 1
    assert make_client(alice).get(f"/api/tweets/{parent.pk}/").json()["num_replies"] == 1


@pytest.mark.parametrize("body", [{}, {"content": ""}, {"content": "x" * 281}, {"content": 5}])
def test_bad_reply_is_400(make_client, alice, body):
    parent = services.tweet_create(author=alice, content="parent")
    response = make_client(alice).post(f"/api/tweets/{parent.pk}/replies/", body, format="json")
    assert response.status_code == 400
    parent.refresh_from_db()
    assert parent.num_replies == 0


def test_reply_to_unknown_tweet_is_404(make_client, alice):
    assert make_client(alice).post("/api/tweets/999999/replies/", {"content": "x"}, format="json").status_code == 404


def test_replies_oldest_first(make_client, alice, bob):
    parent = services.tweet_create(author=alice, content="parent")
    first = services.tweet_create(author=bob, content="first", in_reply_to=parent)
    second = services.tweet_create(author=alice, content="second", in_reply_to=parent)
    third = services.tweet_create(author=bob, content="third", in_reply_to=parent)
    services.tweet_create(author=bob, content="unrelated")
    response = make_client(alice).get(f"/api/tweets/{parent.pk}/replies/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [t["id"] for t in body["results"]] == [str(first.pk), str(second.pk), str(third.pk)]
    assert all(set(t) == TWEET_KEYS for t in body["results"])


def test_deleting_a_reply_decrements_the_parents_num_replies(make_client, alice, bob):
    parent = services.tweet_create(author=alice, content="parent")
    reply_id = make_client(bob).post(f"/api/tweets/{parent.pk}/replies/", {"content": "r"}, format="json").json()["id"]
    assert make_client(bob).delete(f"/api/tweets/{reply_id}/").status_code == 204
    parent.refresh_from_db()
    bob.refresh_from_db()
    assert parent.num_replies == 0
    assert bob.num_tweets == 0


def test_replies_appear_in_the_authors_tweets_and_num_tweets(make_client, alice, bob):
    parent = services.tweet_create(author=alice, content="parent")
    reply = services.tweet_create(author=bob, content="reply", in_reply_to=parent)
    own = services.tweet_create(author=bob, content="own")
    response = make_client(alice).get("/api/users/bob/tweets/")
    assert [t["id"] for t in response.json()["results"]] == [str(own.pk), str(reply.pk)]
    assert make_client(alice).get("/api/users/bob/").json()["num_tweets"] == 2


def test_deleting_a_parent_keeps_replies_readable(make_client, alice, bob):
    parent = services.tweet_create(author=alice, content="parent")
    reply = services.tweet_create(author=bob, content="reply", in_reply_to=parent)
    assert make_client(alice).delete(f"/api/tweets/{parent.pk}/").status_code == 204
    response = make_client(bob).get(f"/api/tweets/{reply.pk}/")
    assert response.status_code == 200
    assert response.json()["in_reply_to"] is None
    # And deleting the orphan reply does not fail.
    assert make_client(bob).delete(f"/api/tweets/{reply.pk}/").status_code == 204


# --- hidden tweets and suspended authors ------------------------------------


def _all_reads(client, tweet: Tweet) -> dict[str, int]:
    return {
        "get": client.get(f"/api/tweets/{tweet.pk}/").status_code,
        "like": client.post(f"/api/tweets/{tweet.pk}/like/").status_code,
        "repost": client.post(f"/api/tweets/{tweet.pk}/repost/").status_code,
        "replies": client.get(f"/api/tweets/{tweet.pk}/replies/").status_code,
        "reply": client.post(f"/api/tweets/{tweet.pk}/replies/", {"content": "x"}, format="json").status_code,
    }


def test_hidden_tweet_is_404_for_everyone_but_staff(make_client, alice, bob, staff):
    tweet = services.tweet_create(author=alice, content="against the rules")
    services.tweet_hide(tweet=tweet, reason="spam")
    for user in (alice, bob):
        assert set(_all_reads(make_client(user), tweet).values()) == {404}
        assert make_client(user).delete(f"/api/tweets/{tweet.pk}/").status_code == 404
        assert make_client(user).get("/api/users/alice/tweets/").json()["count"] == 0
    assert make_client(staff).get(f"/api/tweets/{tweet.pk}/").status_code == 200
    assert make_client(staff).get("/api/users/alice/tweets/").json()["count"] == 1
    services.tweet_unhide(tweet=tweet)
    assert make_client(bob).get(f"/api/tweets/{tweet.pk}/").status_code == 200


def test_suspended_authors_tweets_are_404_for_everyone_but_staff(make_client, alice, bob, staff):
    tweet = services.tweet_create(author=alice, content="soon suspended")
    reply = services.tweet_create(
        author=alice, content="a reply", in_reply_to=services.tweet_create(author=bob, content="p")
    )
    account_services.user_suspend(user=User.objects.get(pk=alice.pk))
    assert set(_all_reads(make_client(bob), tweet).values()) == {404}
    assert make_client(bob).get(f"/api/tweets/{reply.in_reply_to_id}/replies/").json()["count"] == 0
    assert make_client(staff).get(f"/api/tweets/{tweet.pk}/").status_code == 200
    account_services.user_unsuspend(user=User.objects.get(pk=alice.pk))
    assert make_client(bob).get(f"/api/tweets/{tweet.pk}/").status_code == 200


def test_hidden_tweets_leave_likes_and_reposts_lists(make_client, alice, bob):
    tweet = services.tweet_create(author=alice, content="liked then hidden")
    services.like_create(user=bob, tweet=tweet)
    services.repost_create(user=bob, tweet=tweet)
    client = make_client(bob)
    assert client.get("/api/users/me/likes/").json()["count"] == 1
    services.tweet_hide(tweet=tweet, reason="")
    assert client.get("/api/users/me/likes/").json()["count"] == 0
    assert client.get("/api/users/me/reposts/").json()["count"] == 0


def test_hidden_replies_leave_the_thread(make_client, alice, bob):
    parent = services.tweet_create(author=alice, content="parent")
    reply = services.tweet_create(author=bob, content="rude", in_reply_to=parent)
    services.tweet_hide(tweet=reply, reason="rude")
    assert make_client(alice).get(f"/api/tweets/{parent.pk}/replies/").json()["results"] == []


def test_hidden_is_shown_to_staff_only(make_client, alice, staff):
    visible = services.tweet_create(author=alice, content="fine")
    hidden = services.tweet_create(author=alice, content="not fine")
    services.tweet_hide(tweet=hidden, reason="spam")
    staff_client = make_client(staff)
    assert staff_client.get(f"/api/tweets/{hidden.pk}/").json()["hidden"] is True
    assert staff_client.get(f"/api/tweets/{visible.pk}/").json()["hidden"] is False
    assert make_client(staff).get("/api/users/alice/tweets/").json()["results"][0]["hidden"] is True
    body = make_client(alice).get(f"/api/tweets/{visible.pk}/").json()
    assert set(body) == TWEET_KEYS
    assert make_client(alice).get(f"/api/tweets/{hidden.pk}/").status_code == 404
