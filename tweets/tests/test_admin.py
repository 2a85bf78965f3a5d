"""The moderation console for tweets: search, filters, hide with a reason, unhide, escaping."""

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from tweets import services
from tweets.models import Tweet

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/tweets/tweet/"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def admin_client_(db) -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def contents(response) -> set[str]:
    return {tweet.content for tweet in response.context["cl"].result_list}


def test_changelist_search_and_filters(admin_client_, alice, bob):
    services.tweet_create(author=alice, content="coffee time")
    services.tweet_create(author=bob, content="tea time")
    hidden = services.tweet_create(author=bob, content="spam spam")
    services.tweet_hide(tweet=hidden, reason="spam")
    response = admin_client_.get(CHANGELIST)
    assert response.status_code == 200
    assert contents(response) == {"coffee time", "tea time", "spam spam"}
    assert contents(admin_client_.get(CHANGELIST, {"q": "coffee"})) == {"coffee time"}
    assert contents(admin_client_.get(CHANGELIST, {"q": "bob"})) == {"tea time", "spam spam"}
    assert contents(admin_client_.get(CHANGELIST, {"hidden": "yes"})) == {"spam spam"}
    assert contents(admin_client_.get(CHANGELIST, {"hidden": "no"})) == {"coffee time", "tea time"}
    year = hidden.created_at.year
    assert len(contents(admin_client_.get(CHANGELIST, {"created_at__year": year}))) == 3
    assert contents(admin_client_.get(CHANGELIST, {"created_at__year": year - 5})) == set()
    assert admin_client_.get(CHANGELIST, {"created_at__gte": "2000-01-01 00:00:00+00:00"}).status_code == 200


def test_change_page_loads(admin_client_, alice):
    tweet = services.tweet_create(author=alice, content="look at me")
    assert admin_client_.get(f"{CHANGELIST}{tweet.pk}/change/").status_code == 200


def test_hide_with_a_reason_then_unhide(admin_client_, make_client, alice, bob):
    tweet = services.tweet_create(author=alice, content="rule breaker")
    other = services.tweet_create(author=alice, content="fine")
    response = admin_client_.post(
        CHANGELIST, {"action": "hide", "_selected_action": [tweet.pk], "reason": "  harassment  "}, follow=True
    )
    assert response.status_code == 200
    assert "Hid 1 tweet(s)." in response.content.decode()
    tweet.refresh_from_db()
    other.refresh_from_db()
    assert tweet.hidden_at is not None
    assert tweet.hidden_reason == "harassment"
    assert other.hidden_at is None
    assert make_client(bob).get(f"/api/tweets/{tweet.pk}/").status_code == 404
    assert make_client(alice).get(f"/api/tweets/{tweet.pk}/").status_code == 404

    # Hiding again keeps the first reason and time.
    first_hidden_at = tweet.hidden_at
    admin_client_.post(CHANGELIST, {"action": "hide", "_selected_action": [tweet.pk], "reason": "other"})
    tweet.refresh_from_db()
    assert (tweet.hidden_at, tweet.hidden_reason) == (first_hidden_at, "harassment")

    response = admin_client_.post(CHANGELIST, {"action": "unhide", "_selected_action": [tweet.pk]}, follow=True)
    assert "Unhid 1 tweet(s)." in response.content.decode()
    tweet.refresh_from_db()
    assert tweet.hidden_at is None
    assert tweet.hidden_reason == ""
    assert make_client(bob).get(f"/api/tweets/{tweet.pk}/").status_code == 200


def test_tweet_content_is_escaped_in_the_admin(admin_client_, alice):
    tweet = services.tweet_create(author=alice, content=SCRIPT)
    for url in (CHANGELIST, f"{CHANGELIST}{tweet.pk}/change/"):
        html = admin_client_.get(url).content.decode()
        assert SCRIPT not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_tweet_content_is_escaped_in_the_browsable_api(make_client, alice):
    client = make_client(alice)
    response = client.post("/api/tweets/", {"content": SCRIPT}, format="json")
    assert response.status_code == 201
    assert response.json()["content"] == SCRIPT  # stored and served as JSON unchanged
    tweet_id = response.json()["id"]
    for url in (f"/api/tweets/{tweet_id}/", "/api/users/alice/tweets/"):
        page = client.get(url, HTTP_ACCEPT="text/html")
        assert page.status_code == 200
        assert page["Content-Type"].startswith("text/html")
        html = page.content.decode()
        assert SCRIPT not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_moderators_see_hidden_tweets_in_the_admin(admin_client_, alice):
    tweet = services.tweet_create(author=alice, content="hidden but visible to staff")
    services.tweet_hide(tweet=tweet, reason="x")
    assert Tweet.objects.filter(pk=tweet.pk).exists()
    assert admin_client_.get(f"{CHANGELIST}{tweet.pk}/change/").status_code == 200


def test_deleting_through_the_admin_keeps_counters_right(admin_client_, alice, bob):
    parent = services.tweet_create(author=alice, content="parent")
    reply = services.tweet_create(author=bob, content="reply", in_reply_to=parent)
    other = services.tweet_create(author=bob, content="other")
    response = admin_client_.post(f"{CHANGELIST}{other.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    response = admin_client_.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [reply.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not Tweet.objects.filter(pk__in=[reply.pk, other.pk]).exists()
    bob.refresh_from_db()
    parent.refresh_from_db()
    assert bob.num_tweets == 0
    assert parent.num_replies == 0


def test_tweets_are_not_added_through_the_admin(admin_client_):
    # Posting goes through the API (counters, fan-out, search); the console moderates.
    assert admin_client_.get(f"{CHANGELIST}add/").status_code == 403


@pytest.mark.parametrize("model", ["like", "repost"])
def test_deleting_likes_and_reposts_in_the_admin_keeps_counters_right(admin_client_, alice, bob, model):
    tweet = services.tweet_create(author=alice, content="popular")
    (services.like_create if model == "like" else services.repost_create)(user=bob, tweet=tweet)
    row = getattr(tweet, f"{model}s").get()
    assert admin_client_.get(f"/admin/tweets/{model}/").status_code == 200
    response = admin_client_.post(
        f"/admin/tweets/{model}/", {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert response.status_code == 302
    tweet.refresh_from_db()
    assert (tweet.num_likes, tweet.num_reposts) == (0, 0)
    assert admin_client_.get(f"/admin/tweets/{model}/add/").status_code == 403


def test_tweet_content_cannot_be_rewritten_in_the_admin(admin_client_, alice):
    tweet = services.tweet_create(author=alice, content="original words")
    page = admin_client_.get(f"{CHANGELIST}{tweet.pk}/change/")
    assert page.status_code == 200
    assert "content" not in page.context["adminform"].form.fields
    admin_client_.post(f"{CHANGELIST}{tweet.pk}/change/", {"content": "rewritten", "author": alice.pk})
    tweet.refresh_from_db()
    assert tweet.content == "original words"
