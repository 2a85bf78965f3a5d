"""The Elasticsearch backend without a cluster: documents, mappings, exact query bodies.

Nothing here talks to Elasticsearch (and nothing fakes it): these are the pure parts,
what we would send. test_elasticsearch_integration.py runs them against a real cluster.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.exceptions import ServiceUnavailable
from search.backends.elasticsearch import MAX_RESULT_WINDOW, _execute, tweet_search, user_search
from search.documents import TweetDocument, UserDocument
from search.signal_processor import CelerySignalProcessor, task_for
from search.tasks import sync_tweet, sync_user
from tweets import services as tweet_services
from tweets.models import Like, Tweet
from tweets.tests.factories import TweetFactory

SORT_TWEETS = [{"_score": {"order": "desc"}}, {"created_at": {"order": "desc"}}]


def match(text: str) -> dict:
    return {"match": {"content": {"query": text, "operator": "and"}}}


def phrase(text: str) -> dict:
    return {"match_phrase": {"content": {"query": text}}}


def body(query: dict, *, offset: int = 0, size: int = 20) -> dict:
    return {
        "query": query,
        "sort": SORT_TWEETS,
        "track_total_hits": True,
        "from": offset,
        "size": size,
        "_source": False,
    }


# --- documents ----------------------------------------------------------------


def test_tweet_index_uses_the_english_analyzer():
    assert TweetDocument._index.to_dict() == {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0},
        "mappings": {
            "properties": {
                "content": {"type": "text", "analyzer": "english"},
                "author_id": {"type": "long"},
                "created_at": {"type": "date"},
            }
        },
    }


def test_user_index_compares_usernames_in_lowercase():
    assert UserDocument._index.to_dict() == {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": 0,
            "analysis": {"normalizer": {"chirp_lowercase": {"type": "custom", "filter": ["lowercase"]}}},
        },
        "mappings": {
            "properties": {
                "username": {"type": "keyword", "normalizer": "chirp_lowercase"},
                "display_name": {"type": "text", "analyzer": "standard"},
                "created_at": {"type": "date"},
            }
        },
    }


@pytest.mark.django_db
def test_tweet_document_preparation():
    created = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)
    tweet = TweetFactory(content="Running late", created_at=created)
    document = TweetDocument()
    assert document.prepare(tweet) == {"content": "Running late", "author_id": tweet.author_id, "created_at": created}
    assert document._prepare_action(tweet, "index") == {
        "_op_type": "index",
        "_index": TweetDocument._index._name,  # "chirp-tweets" unless SEARCH_INDEX_PREFIX is set
        "_id": tweet.pk,
        "_source": {"content": "Running late", "author_id": tweet.author_id, "created_at": created},
    }


@pytest.mark.django_db
def test_user_document_preparation():
    user = UserFactory(username="Ada", display_name="Ada Lovelace", bio="not indexed")
    assert UserDocument().prepare(user) == {
        "username": "Ada",
        "display_name": "Ada Lovelace",
        "created_at": user.created_at,
    }


@pytest.mark.django_db
def test_only_visible_tweets_and_active_users_are_indexed():
    visible = TweetFactory(content="fine")
    hidden = TweetFactory(content="hidden")
    tweet_services.tweet_hide(tweet=hidden, reason="spam")
    suspended = UserFactory(is_active=False)
    by_suspended = TweetFactory(author=suspended, content="by a suspended author")

    document = TweetDocument()
    assert list(document.get_queryset()) == [visible]
    assert document.should_index_object(visible)
    assert not document.should_index_object(Tweet.objects.get(pk=hidden.pk))
    assert not document.should_index_object(by_suspended)
    actions = list(document._get_actions([visible, Tweet.objects.get(pk=hidden.pk), by_suspended], "index"))
    assert [action["_id"] for action in actions] == [visible.pk]

    assert list(UserDocument().get_queryset()) == list(User.objects.filter(is_active=True).order_by("pk"))
    assert not UserDocument().should_index_object(suspended)


@pytest.mark.django_db
def test_rebuild_reads_tweets_with_their_authors_in_one_query_per_chunk():
    TweetFactory.create_batch(5)
    with CaptureQueriesContext(connection) as queries:
        documents = [TweetDocument().prepare(tweet) for tweet in TweetDocument().get_indexing_queryset()]
    assert len(documents) == 5
    assert len(queries) == 1
    assert "search_vector" not in queries[0]["sql"].split(" FROM ")[0]


# --- tweet query bodies -----------------------------------------------------------


def test_words_are_all_required():
    assert tweet_search("running shoes", limit=20, offset=0).to_dict() == body(
        {"bool": {"must": [match("running"), match("shoes")]}}
    )


def test_phrase_and_exclusion():
    assert tweet_search('"red apple" -pie -"apple crumble"', limit=20, offset=0).to_dict() == body(
        {"bool": {"must": [phrase("red apple")], "must_not": [match("pie"), phrase("apple crumble")]}}
    )


def test_or_of_anded_alternatives():
    assert tweet_search("cat food OR dog -bone", limit=20, offset=0).to_dict() == body(
        {
            "bool": {
                "should": [
                    {"bool": {"must": [match("cat"), match("food")]}},
                    {"bool": {"must": [match("dog")], "must_not": [match("bone")]}},
                ],
                "minimum_should_match": 1,
            }
        }
    )


def test_stop_words_are_dropped_before_building():
    assert tweet_search("the cat or the", limit=20, offset=0).to_dict() == body({"bool": {"must": [match("cat")]}})


def test_lucene_syntax_is_plain_text():
    assert tweet_search("title:foo +(bar~2) baz*", limit=20, offset=0).to_dict() == body(
        {"bool": {"must": [match("title:foo"), match("+(bar~2)"), match("baz*")]}}
    )


@pytest.mark.parametrize("q", ["-dog", "cat or -dog", "the", "!!!", "🎉", "the -dog"])
def test_queries_that_cannot_use_the_index_are_not_sent(q):
    assert tweet_search(q, limit=20, offset=0) is None


def test_pages_stay_inside_the_result_window():
    assert tweet_search("cat", limit=20, offset=40).to_dict()["from"] == 40
    near_end = tweet_search("cat", limit=100, offset=MAX_RESULT_WINDOW - 10).to_dict()
    assert (near_end["from"], near_end["size"]) == (MAX_RESULT_WINDOW - 10, 10)
    past_end = tweet_search("cat", limit=20, offset=MAX_RESULT_WINDOW).to_dict()
    assert (past_end["from"], past_end["size"]) == (0, 0)  # the count only


# --- user query bodies ---------------------------------------------------------


def test_user_query_body():
    assert user_search("  Ada  Love ", limit=5, offset=10).to_dict() == {
        "query": {
            "bool": {
                "should": [
                    {"term": {"username": {"value": "ada love", "boost": 10}}},
                    {"prefix": {"username": {"value": "ada love", "boost": 5}}},
                    {"fuzzy": {"username": {"value": "ada love", "fuzziness": "AUTO"}}},
                    {"match_bool_prefix": {"display_name": {"query": "Ada Love", "boost": 2}}},
                    {"match": {"display_name": {"query": "Ada Love", "fuzziness": "AUTO"}}},
                ],
                "minimum_should_match": 1,
            }
        },
        "sort": [{"_score": {"order": "desc"}}, {"username": {"order": "asc"}}],
        "track_total_hits": True,
        "from": 10,
        "size": 5,
        "_source": False,
    }


def test_an_unreachable_cluster_is_a_503_not_a_500():
    from elasticsearch import Elasticsearch

    closed_port = Elasticsearch("http://127.0.0.1:9", request_timeout=1, max_retries=0)
    with pytest.raises(ServiceUnavailable):
        _execute(tweet_search("cat", limit=1, offset=0).using(closed_port))
    with pytest.raises(ServiceUnavailable):
        _execute(user_search("cat", limit=1, offset=0).using(closed_port))


# --- signal processor ----------------------------------------------------------


def test_processor_picks_the_sync_task_for_indexed_models_only():
    assert task_for(Tweet, 7, None) == (sync_tweet, {"tweet_id": 7})
    assert task_for(User, 8, frozenset({"display_name"})) == (sync_user, {"user_id": 8})
    assert task_for(User, 8, frozenset({"last_login"})) is None  # nothing indexed changed
    assert task_for(Tweet, 7, frozenset({"num_likes"})) is None
    assert task_for(Like, 1, None) is None


@pytest.fixture
def processor():
    from django.apps import apps
    from elasticsearch.dsl import connections

    current = apps.get_app_config("django_elasticsearch_dsl").signal_processor
    if isinstance(current, CelerySignalProcessor):  # ELASTICSEARCH_URL is set: already listening
        yield current
        return
    instance = CelerySignalProcessor(connections)  # connects to the model signals
    yield instance
    instance.teardown()


@pytest.mark.django_db
def test_processor_enqueues_after_commit_and_only_for_indexed_models(processor, django_capture_on_commit_callbacks):
    author, other = UserFactory.create_batch(2)
    with django_capture_on_commit_callbacks() as callbacks:
        tweet = Tweet.objects.create(author=author, content="hello")
    assert len(callbacks) == 1  # one sync_tweet, not yet sent: the row is not committed
    assert callbacks[0].func == sync_tweet.delay and callbacks[0].keywords == {"tweet_id": tweet.pk}

    with django_capture_on_commit_callbacks() as callbacks:
        Like.objects.create(user=other, tweet=tweet)
        author.save(update_fields=["last_login"])
    assert callbacks == []

    with django_capture_on_commit_callbacks() as callbacks:
        pk = tweet.pk
        tweet.delete()
    assert [(c.func, c.keywords) for c in callbacks] == [(sync_tweet.delay, {"tweet_id": pk})]
