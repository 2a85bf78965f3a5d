"""GET /api/search/tweets/ on the PostgreSQL backend, end to end on real PostgreSQL."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as account_services
from accounts.tests.factories import UserFactory
from search.backends.postgres import PostgresBackend, visible_tweets
from tweets import services as tweet_services
from tweets.models import Tweet
from tweets.tests.factories import TweetFactory

pytestmark = pytest.mark.django_db

URL = reverse("search-tweets")


def contents(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [tweet["content"] for tweet in response.json()["results"]]


def test_a_new_tweet_is_found_through_the_api(client):
    created = client.post("/api/tweets/", {"content": "Shipping the search feature today"}, format="json")
    assert created.status_code == 201, created.content
    response = client.get(URL, {"q": "search"})
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [created.json()]  # the same tweet object as everywhere else


def test_stemming_running_finds_run(client, viewer, post):
    post(viewer, "I run every morning")
    post(viewer, "Cycling is fine too")
    assert contents(client.get(URL, {"q": "running"})) == ["I run every morning"]
    assert contents(client.get(URL, {"q": "runs"})) == ["I run every morning"]


def test_case_insensitive(client, viewer, post):
    post(viewer, "Django is great")
    assert contents(client.get(URL, {"q": "DJANGO"})) == ["Django is great"]
    assert contents(client.get(URL, {"q": "dJaNgO"})) == ["Django is great"]


def test_all_words_must_match(client, viewer, post):
    post(viewer, "coffee in the morning")
    post(viewer, "coffee at night")
    assert contents(client.get(URL, {"q": "coffee morning"})) == ["coffee in the morning"]


def test_phrase(client, viewer, post):
    post(viewer, "a red apple pie")
    post(viewer, "the apple is red")
    assert contents(client.get(URL, {"q": '"red apple"'})) == ["a red apple pie"]
    assert sorted(contents(client.get(URL, {"q": "red apple"}))) == ["a red apple pie", "the apple is red"]


def test_exclusion(client, viewer, post):
    post(viewer, "my cat sleeps")
    post(viewer, "my cat and my dog")
    assert contents(client.get(URL, {"q": "cat -dog"})) == ["my cat sleeps"]


def test_or(client, viewer, post):
    post(viewer, "my cat sleeps")
    post(viewer, "my dog barks")
    post(viewer, "my bird sings")
    assert sorted(contents(client.get(URL, {"q": "cat OR dog"}))) == ["my cat sleeps", "my dog barks"]


def test_exclusions_only_match_nothing(client, viewer, post):
    post(viewer, "my cat sleeps")
    body = client.get(URL, {"q": "-dog"}).json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}
    assert client.get(URL, {"q": "cat or -dog"}).json()["count"] == 0


def test_stop_words_only_match_nothing(client, viewer, post):
    post(viewer, "the and or")
    assert client.get(URL, {"q": "the"}).json()["count"] == 0


def test_relevance_then_recency(client, viewer):
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    old_strong = TweetFactory(author=viewer, content="python python python", created_at=now)
    new_weak = TweetFactory(author=viewer, content="python and other things", created_at=now + datetime.timedelta(1))
    old_weak = TweetFactory(author=viewer, content="python and more things", created_at=now)
    ids = [tweet["id"] for tweet in client.get(URL, {"q": "python"}).json()["results"]]
    assert ids == [str(old_strong.pk), str(new_weak.pk), str(old_weak.pk)]


def test_deleted_tweet_is_no_longer_found(client, viewer, post, django_capture_on_commit_callbacks):
    tweet = post(viewer, "ephemeral thought")
    assert contents(client.get(URL, {"q": "ephemeral"})) == ["ephemeral thought"]
    with django_capture_on_commit_callbacks(execute=True):
        tweet_services.tweet_delete(tweet=tweet, by=viewer)
    assert client.get(URL, {"q": "ephemeral"}).json()["count"] == 0


def test_hidden_tweet_is_not_found_except_by_staff(
    client, viewer, post, make_client, django_capture_on_commit_callbacks
):
    tweet = post(viewer, "offensive words")
    with django_capture_on_commit_callbacks(execute=True):
        tweet_services.tweet_hide(tweet=tweet, reason="spam")
    assert client.get(URL, {"q": "offensive"}).json()["count"] == 0
    # Moderators see hidden tweets everywhere, search included (PostgreSQL backend).
    staff = make_client(UserFactory(is_staff=True))
    assert contents(staff.get(URL, {"q": "offensive"})) == ["offensive words"]
    with django_capture_on_commit_callbacks(execute=True):
        tweet_services.tweet_unhide(tweet=tweet)
    assert contents(client.get(URL, {"q": "offensive"})) == ["offensive words"]


def test_suspended_authors_tweets_are_not_found(client, post, django_capture_on_commit_callbacks):
    author = UserFactory(username="troll")
    post(author, "provocative statement")
    with django_capture_on_commit_callbacks(execute=True):
        account_services.user_suspend(user=author)
    assert client.get(URL, {"q": "provocative"}).json()["count"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        account_services.user_unsuspend(user=author)
    assert client.get(URL, {"q": "provocative"}).json()["count"] == 1


def test_viewer_flags_are_included(client, viewer, post):
    tweet = post(UserFactory(), "likeable content")
    tweet_services.like_create(user=viewer, tweet=tweet)
    (result,) = client.get(URL, {"q": "likeable"}).json()["results"]
    assert result["liked"] is True
    assert result["reposted"] is False
    assert result["num_likes"] == 1


def test_pagination_envelope_keeps_q(client, viewer):
    TweetFactory.create_batch(5, author=viewer, content="paged content")
    body = client.get(URL, {"q": "paged", "limit": 2, "offset": 2}).json()
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert "q=paged" in body["next"] and "offset=4" in body["next"]
    assert "q=paged" in body["previous"]
    past_end = client.get(URL, {"q": "paged", "offset": 50}).json()
    assert past_end["count"] == 5 and past_end["results"] == []


def _search_queries(client, limit: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"q": "counted", "limit": limit})
    assert response.status_code == 200
    assert len(response.json()["results"]) == limit
    return len(queries)


def test_query_count_does_not_grow_with_the_page(client, viewer):
    authors = UserFactory.create_batch(5)
    for i in range(30):
        TweetFactory(author=authors[i % 5], content=f"counted tweet {i}")
    small, large = _search_queries(client, 2), _search_queries(client, 30)
    # Authentication (1), page of ids with the total (1), hydration with author and flags (1).
    assert small == large == 3


def test_visibility_is_the_same_as_everywhere_else(viewer, django_capture_on_commit_callbacks):
    suspended = UserFactory(username="suspended")
    tweets = [TweetFactory(author=viewer), TweetFactory(author=suspended), TweetFactory(author=viewer)]
    tweet_services.tweet_hide(tweet=tweets[2])
    with django_capture_on_commit_callbacks(execute=True):
        account_services.user_suspend(user=suspended)
    staff = UserFactory(is_staff=True)
    for who in (viewer, staff, None):
        assert set(visible_tweets(who)) == set(Tweet.objects.visible_to(who)), who
    assert set(visible_tweets(viewer)) == {tweets[0]}


def test_the_query_uses_the_gin_index(viewer):
    TweetFactory.create_batch(3, author=viewer, content="indexed words")
    qs = PostgresBackend().tweet_queryset("indexed", viewer=viewer).values_list("pk", flat=True)
    with connection.cursor() as cursor:
        # A handful of rows would make a sequential scan cheaper; forbid it to prove the
        # query's expression matches the index's.
        cursor.execute("SET enable_seqscan = off")
        try:
            plan = qs.explain()
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "ix_tweet_search_vector" in plan, plan
    assert "ix_user_suspended" in plan, plan  # the anti-join on suspended authors


def test_reads_never_load_the_search_vector(client, viewer, post):
    tweet = post(viewer, "plain tweet")
    with CaptureQueriesContext(connection) as reads:
        assert client.get(f"/api/tweets/{tweet.pk}/").status_code == 200
        assert client.get(f"/api/users/{viewer.username}/tweets/").status_code == 200
        assert client.get("/api/feed/").json()["results"]
    assert any("tweets_tweet" in query["sql"] for query in reads)
    assert not [query["sql"] for query in reads if "search_vector" in query["sql"]]

    with CaptureQueriesContext(connection) as search:
        assert client.get(URL, {"q": "plain"}).json()["count"] == 1
    # Only the page query touches it (in WHERE and ORDER BY), selecting ids and the total.
    (page_sql,) = [query["sql"] for query in search if "search_vector" in query["sql"]]
    assert page_sql.startswith('SELECT "tweets_tweet"."id" AS "pk", COUNT(*) OVER () AS "total" FROM '), page_sql


def test_generated_column_follows_the_content(viewer):
    tweet = TweetFactory(author=viewer, content="before")
    Tweet.objects.filter(pk=tweet.pk).update(content="after edits")
    backend = PostgresBackend()
    assert backend.search_tweets("before", viewer=viewer, limit=10, offset=0).count == 0
    assert backend.search_tweets("edit", viewer=viewer, limit=10, offset=0).ids == [tweet.pk]
