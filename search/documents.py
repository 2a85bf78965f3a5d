"""Elasticsearch documents (django-elasticsearch-dsl) for the Elasticsearch backend.

Only what search needs is indexed; results are hydrated from PostgreSQL, so a document
never has to carry what the API renders. Only visible tweets and active users are
indexed: `should_index_object` filters saves and `manage.py search_index --rebuild`,
and the search tasks remove what became hidden, deleted or suspended.
"""

from django.conf import settings
from django_elasticsearch_dsl import Document, fields
from django_elasticsearch_dsl.registries import registry
from elasticsearch.dsl import normalizer

from accounts.models import User
from search.selectors import indexable_tweets, indexable_users
from tweets.models import Tweet

lowercase = normalizer("chirp_lowercase", filter=["lowercase"])


class PreparedFieldsFix:
    """Work around django-es/django-elasticsearch-dsl#505 (open): with elasticsearch >= 9.4,
    DocType.__init__'s `self._prepared_fields = ...` lands in the document's data, prepare()
    reads the empty class attribute, and every object is indexed with no fields at all."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        object.__setattr__(self, "_prepared_fields", self.init_prepare())  # type: ignore[attr-defined]


@registry.register_document
class TweetDocument(PreparedFieldsFix, Document):
    # The built-in English analyzer: stemming (running -> run), stop words, lowercase.
    content = fields.TextField(analyzer="english")
    author_id = fields.LongField(attr="author_id")
    created_at = fields.DateField()

    #: A save whose update_fields misses all of these leaves the document as it was.
    sync_fields = frozenset({"content", "author", "created_at", "hidden_at"})

    class Index:
        name = f"{settings.SEARCH_INDEX_PREFIX}-tweets"

    class Django:
        model = Tweet
        queryset_pagination = 2000

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return indexable_tweets().order_by("pk")

    def should_index_object(self, obj: Tweet) -> bool:
        return obj.hidden_at is None and obj.author.is_active


@registry.register_document
class UserDocument(PreparedFieldsFix, Document):
    # A keyword (sortable, exact, prefix and fuzzy queries), compared in lowercase.
    username = fields.KeywordField(normalizer=lowercase)
    display_name = fields.TextField(analyzer="standard")
    created_at = fields.DateField()

    sync_fields = frozenset({"username", "display_name", "is_active"})

    class Index:
        name = f"{settings.SEARCH_INDEX_PREFIX}-users"

    class Django:
        model = User
        queryset_pagination = 2000

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return indexable_users().order_by("pk")

    def should_index_object(self, obj: User) -> bool:
        return obj.is_active
