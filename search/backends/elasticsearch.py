"""Elasticsearch through django-elasticsearch-dsl: the production backend at scale.

Writes happen in Celery tasks (search.tasks), never in a request. Queries are built as
elasticsearch.dsl objects by pure functions (`tweet_search`, `user_search`), so their
exact bodies are unit-tested without a cluster. Any cluster error becomes a 503.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django_elasticsearch_dsl import Document
from elasticsearch import ApiError, TransportError
from elasticsearch.dsl import Q, Search
from elasticsearch.dsl.query import Query
from elasticsearch.helpers import bulk

from accounts.models import User
from core.exceptions import ServiceUnavailable
from search import websearch
from search.backends import SearchBackend, SearchPage
from search.documents import TweetDocument, UserDocument
from tweets.models import Tweet

logger = logging.getLogger(__name__)

# index.max_result_window: from + size beyond it is an error in Elasticsearch.
MAX_RESULT_WINDOW = 10_000


def _operand_query(operand: websearch.Operand) -> Query:
    if operand.phrase:
        return Q("match_phrase", content={"query": operand.text})
    # "and": a word the analyzer splits (e-mail) must match in all its parts, as in PostgreSQL.
    return Q("match", content={"query": operand.text, "operator": "and"})


def _alternative_query(alternative: tuple[websearch.Operand, ...]) -> Query:
    must = [_operand_query(op) for op in alternative if not op.negated]
    must_not = [_operand_query(op) for op in alternative if op.negated]
    return Q("bool", must=must, must_not=must_not)


def tweet_query(query: websearch.Query) -> Query:
    """The bool query for a parsed web-search query (see search.websearch)."""
    if len(query.alternatives) == 1:
        return _alternative_query(query.alternatives[0])
    return Q("bool", should=[_alternative_query(alt) for alt in query.alternatives], minimum_should_match=1)


def _page(search: Search, *, limit: int, offset: int) -> Search:
    if offset >= MAX_RESULT_WINDOW:
        return search[0:0]  # the count only: pages past the window are empty
    return search[offset : min(offset + limit, MAX_RESULT_WINDOW)]


def tweet_search(q: str, *, limit: int, offset: int) -> Search | None:
    """The search request for `q`, or None when `q` cannot match anything by the index."""
    # Stop words are dropped here as the analyzer would drop them, but before the query
    # is built: a `match` on "the" alone matches nothing and would void its alternative.
    query = websearch.parse(q).without_stop_words()
    if not query.indexable:
        return None
    search = (
        TweetDocument.search()
        .query(tweet_query(query))
        .sort({"_score": {"order": "desc"}}, {"created_at": {"order": "desc"}})
        .extra(track_total_hits=True)
        .source(False)
    )
    return _page(search, limit=limit, offset=offset)


def user_search(q: str, *, limit: int, offset: int) -> Search:
    """Exact username, then username prefix, then close usernames and display names."""
    term = " ".join(q.split())
    lowered = term.lower()
    query = Q(
        "bool",
        should=[
            Q("term", username={"value": lowered, "boost": 10}),
            Q("prefix", username={"value": lowered, "boost": 5}),
            Q("fuzzy", username={"value": lowered, "fuzziness": "AUTO"}),
            Q("match_bool_prefix", display_name={"query": term, "boost": 2}),
            Q("match", display_name={"query": term, "fuzziness": "AUTO"}),
        ],
        minimum_should_match=1,
    )
    search = (
        UserDocument.search()
        .query(query)
        .sort({"_score": {"order": "desc"}}, {"username": {"order": "asc"}})
        .extra(track_total_hits=True)
        .source(False)
    )
    return _page(search, limit=limit, offset=offset)


def _execute(search: Search) -> SearchPage:
    try:
        response = search.execute()
    except (ApiError, TransportError) as exc:
        logger.warning("elasticsearch search failed: %s", exc)
        raise ServiceUnavailable("Search is unavailable; try again shortly.") from exc
    total = response.hits.total.value  # type: ignore[attr-defined]  # an AttrDict the stubs type as a list
    return SearchPage(total, [int(hit.meta.id) for hit in response.hits])


class ElasticsearchBackend(SearchBackend):
    maintained_by_database = False

    def index_tweets(self, tweets: Iterable[Tweet]) -> None:
        TweetDocument().update(tweets)

    def remove_tweets(self, tweet_ids: Iterable[int]) -> None:
        self._delete(TweetDocument, tweet_ids)

    def remove_tweets_by_author(self, author_id: int) -> None:
        # delete_by_query sees only refreshed documents: refresh first, or a tweet indexed
        # in the last second before a suspension would stay. Suspensions are rare.
        TweetDocument._index.refresh()
        TweetDocument.search().filter("term", author_id=author_id).params(conflicts="proceed").delete()

    def index_users(self, users: Iterable[User]) -> None:
        UserDocument().update(users)

    def remove_users(self, user_ids: Iterable[int]) -> None:
        self._delete(UserDocument, user_ids)

    @staticmethod
    def _delete(document: type[Document], ids: Iterable[int]) -> None:
        actions = [{"_op_type": "delete", "_index": document._index._name, "_id": str(pk)} for pk in ids]
        if actions:
            # 404: not indexed (never was, or already removed): the goal is reached.
            bulk(document._get_connection(), actions, ignore_status=(404,))

    def search_tweets(self, q: str, *, viewer: User | None, limit: int, offset: int) -> SearchPage:
        search = tweet_search(q, limit=limit, offset=offset)
        if search is None:
            return SearchPage(0, [])
        return _execute(search)

    def search_users(self, q: str, *, viewer: User | None, limit: int, offset: int) -> SearchPage:
        return _execute(user_search(q, limit=limit, offset=offset))

    def check(self) -> None:
        connection = TweetDocument._get_connection()
        health = connection.cluster.health(request_timeout=2)
        if health["status"] == "red":
            raise RuntimeError("cluster status red")
        for document in (TweetDocument, UserDocument):
            if not connection.indices.exists(index=document._index._name):
                raise RuntimeError(f"index {document._index._name} is missing (manage.py search_index --create)")
