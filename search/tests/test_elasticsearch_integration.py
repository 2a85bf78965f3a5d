"""The Elasticsearch backend against a real cluster: run with ELASTICSEARCH_URL set.

Skipped otherwise (our CI machines cannot run Elasticsearch); nothing here is faked.
Each test works in its own freshly created indexes (a unique prefix), deleted after.
Writes go the production way: services -> signals after commit -> Celery task (eager
in tests) -> Elasticsearch; the indexes are refreshed before each search.
"""

import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from accounts import services as account_services
from search.backends import get_backend
from search.documents import TweetDocument, UserDocument
from tweets import services as tweet_services

pytestmark = [
    pytest.mark.elasticsearch,
    pytest.mark.skipif(not settings.ELASTICSEARCH_URL, reason="ELASTICSEARCH_URL is not set"),
    pytest.mark.django_db,
]

TWEETS = reverse("search-tweets")
USERS = reverse("search-users")
DOCUMENTS = (TweetDocument, UserDocument)


@pytest.fixture(autouse=True)
def es(settings):
    settings.SEARCH_BACKEND = "search.backends.elasticsearch.ElasticsearchBackend"
    prefix = f"test-{uuid.uuid4().hex[:8]}-"
    original = {document: document._index._name for document in DOCUMENTS}
    for document in DOCUMENTS:
        document._index._name = prefix + original[document]
        document._index.create()
    yield
    for document in DOCUMENTS:
        document._index.delete(ignore_unavailable=True)
        document._index._name = original[document]


def refresh() -> None:
    for document in DOCUMENTS:
        document._index.refresh()


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """Run a service call and its after-commit events (signals -> tasks), then refresh."""

    def _act(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = function(**kwargs)
        refresh()
        return result

    return _act


def contents(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [tweet["content"] for tweet in response.json()["results"]]


def test_backend_is_elasticsearch_and_healthy(api_client):
    assert not get_backend().maintained_by_database
    assert api_client.get("/healthz").json()["search"] == "ok"


def test_new_tweet_is_found_with_stemming_and_any_case(client, viewer, act):
    act(tweet_services.tweet_create, author=viewer, content="I run every Morning")
    assert contents(client.get(TWEETS, {"q": "running"})) == ["I run every Morning"]
    assert contents(client.get(TWEETS, {"q": "MORNING"})) == ["I run every Morning"]


def test_phrase_exclusion_and_or(client, viewer, act):
    for content in ["a red apple pie", "the apple is red", "my cat sleeps", "my cat and my dog"]:
        act(tweet_services.tweet_create, author=viewer, content=content)
    assert contents(client.get(TWEETS, {"q": '"red apple"'})) == ["a red apple pie"]
    assert contents(client.get(TWEETS, {"q": "cat -dog"})) == ["my cat sleeps"]
    assert sorted(contents(client.get(TWEETS, {"q": "pie or sleeps"}))) == ["a red apple pie", "my cat sleeps"]
    assert client.get(TWEETS, {"q": "-dog"}).json()["count"] == 0


def test_deleted_and_hidden_tweets_leave_the_index(client, viewer, act):
    deleted = act(tweet_services.tweet_create, author=viewer, content="ephemeral one")
    hidden = act(tweet_services.tweet_create, author=viewer, content="ephemeral two")
    assert client.get(TWEETS, {"q": "ephemeral"}).json()["count"] == 2
    act(tweet_services.tweet_delete, tweet=deleted, by=viewer)
    act(tweet_services.tweet_hide, tweet=hidden, reason="spam")
    assert client.get(TWEETS, {"q": "ephemeral"}).json()["count"] == 0
    assert TweetDocument.search().count() == 0
    act(tweet_services.tweet_unhide, tweet=hidden)
    assert contents(client.get(TWEETS, {"q": "ephemeral"})) == ["ephemeral two"]


def test_suspension_removes_the_user_and_their_tweets(client, act):
    troll = act(account_services.user_register, username="troll", email="t@example.com", password="a-long-pw-4242")
    act(tweet_services.tweet_create, author=troll, content="provocative statement")
    assert client.get(USERS, {"q": "troll"}).json()["count"] == 1
    act(account_services.user_suspend, user=troll)
    assert client.get(USERS, {"q": "troll"}).json()["count"] == 0
    assert client.get(TWEETS, {"q": "provocative"}).json()["count"] == 0
    act(account_services.user_unsuspend, user=troll)
    assert client.get(USERS, {"q": "troll"}).json()["count"] == 1
    assert client.get(TWEETS, {"q": "provocative"}).json()["count"] == 1


def test_users_by_prefix_display_name_and_similarity(client, act):
    ada = act(account_services.user_register, username="ada_lovelace", email="a@example.com", password="a-long-pw-4242")
    act(account_services.user_update_profile, user=ada, display_name="Ada Lovelace")
    act(account_services.user_register, username="margaret", email="m@example.com", password="a-long-pw-4242")

    def names(q):
        response = client.get(USERS, {"q": q})
        assert response.status_code == 200, response.content
        return [user["username"] for user in response.json()["results"]]

    assert names("ADA") == ["ada_lovelace"]
    assert names("lovel") == ["ada_lovelace"]
    assert names("margret") == ["margaret"]


@pytest.mark.parametrize("q", ['"', "title:(foo", "a OR OR", "*?~^", '{"match_all": {}}', "🎉", "\\", "-"])
def test_nasty_queries_never_500(client, q):
    for url in (TWEETS, USERS):
        assert client.get(url, {"q": q}).status_code in (200, 400)


def test_search_index_rebuild(client, viewer, django_capture_on_commit_callbacks):
    # Rows written without their events (as after a lost task): the rebuild finds them.
    with django_capture_on_commit_callbacks(execute=False):
        tweet_services.tweet_create(author=viewer, content="rebuilt from the database")
        hidden = tweet_services.tweet_create(author=viewer, content="rebuilt but hidden")
        tweet_services.tweet_hide(tweet=hidden)
    call_command("search_index", "--rebuild", "-f")
    refresh()
    assert contents(client.get(TWEETS, {"q": "rebuilt"})) == ["rebuilt from the database"]
    assert [user["username"] for user in client.get(USERS, {"q": "viewer"}).json()["results"]] == ["viewer"]
