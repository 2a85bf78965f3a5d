"""PostgreSQL full-text search: the default backend, and the one `make run` and CI use.

Tweets: `tweets_tweet.search_vector` is a stored generated column
(`to_tsvector('english', content)`) with a GIN index, so the database keeps it exact on
every write and there is nothing to index, remove or backfill: a deleted tweet's row is
gone, and hidden tweets and suspended authors are filtered at query time.

Users: case-insensitive username prefix (btree on lower(username) text_pattern_ops) and
display-name substring; with pg_trgm also trigram similarity (typos), served by GIN
trigram indexes. The extension is optional (see accounts migration 0002).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.lookups import TrigramSimilar, TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity, TrigramWordSimilarity
from django.db import connections, router
from django.db.models import Case, Count, F, Func, IntegerField, Lookup, Q, QuerySet, TextField, Value, When, Window
from django.db.models.functions import Greatest, Lower

from accounts.models import User
from search.backends import SearchBackend, SearchPage
from tweets.models import Tweet
from tweets.selectors import without_blocked


class _NotEqual(Lookup):
    lookup_name = "ne"

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} <> {rhs}", (*lhs_params, *rhs_params)


class _Like(Lookup):
    """`lhs LIKE rhs` with the pattern given as is (the caller escapes it)."""

    lookup_name = "like"
    operator = "LIKE"

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} {self.operator} {rhs}", (*lhs_params, *rhs_params)


class _ILike(_Like):
    # Plain ILIKE (Django's icontains compiles to UPPER(..) LIKE UPPER(..), which no
    # trigram index on the bare column can serve).
    lookup_name = "ilike"
    operator = "ILIKE"


def escape_like(text: str) -> str:
    r"""Make `text` literal inside a LIKE pattern (default escape character: \)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def tweet_query(q: str) -> SearchQuery:
    """`websearch_to_tsquery('english', q)`: phrases, -exclusion and OR; never a syntax error."""
    return SearchQuery(q, search_type="websearch", config="english")


_trigram_cache: dict[tuple[str, str], bool] = {}


def trigram_available(using: str = "default") -> bool:
    """Whether pg_trgm is installed in this database (asked once per process and database)."""
    connection = connections[using]
    key = (using, str(connection.settings_dict["NAME"]))
    if key not in _trigram_cache:
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')")
            _trigram_cache[key] = bool(cursor.fetchone()[0])
    return _trigram_cache[key]


def page_rows(qs: QuerySet, *, limit: int, offset: int) -> QuerySet:
    """(id, total) rows of one page: the total by `COUNT(*) OVER ()`, since every match
    is read to rank it anyway, so a page costs one query instead of a count and a page."""
    return qs.annotate(total=Window(Count("*"))).values_list("pk", "total")[offset : offset + limit]


def _page(qs: QuerySet, *, limit: int, offset: int) -> SearchPage:
    rows = list(page_rows(qs, limit=limit, offset=offset))
    if rows:
        return SearchPage(rows[0][1], [pk for pk, _ in rows])
    return SearchPage(qs.count() if offset else 0, [])  # a separate count only past the end


def visible_tweets(viewer: User | None) -> QuerySet[Tweet]:
    """Tweet.objects.visible_to(viewer), with the author condition as an anti-join on the few
    suspended users. Joining accounts_user for every match made the planner trade the GIN
    index for a parallel sequential scan on common words (4x slower at 10,000 matches)."""
    if viewer is not None and getattr(viewer, "is_staff", False):
        return without_blocked(Tweet.objects.all(), viewer=viewer)
    suspended = User.objects.filter(is_active=False).values("pk")
    return without_blocked(Tweet.objects.filter(hidden_at__isnull=True).exclude(author_id__in=suspended), viewer=viewer)


class PostgresBackend(SearchBackend):
    maintained_by_database = True

    def __init__(self, *, trigram: bool | None = None) -> None:
        # None: use trigram similarity when the database has pg_trgm.
        self._trigram = trigram

    # Indexing: the generated column is written by the database with the row itself.
    def index_tweets(self, tweets: Iterable[Tweet]) -> None:
        pass

    def remove_tweets(self, tweet_ids: Iterable[int]) -> None:
        pass

    def remove_tweets_by_author(self, author_id: int) -> None:
        pass

    def index_users(self, users: Iterable[User]) -> None:
        pass

    def remove_users(self, user_ids: Iterable[int]) -> None:
        pass

    def tweet_queryset(self, q: str, *, viewer: User | None):  # type: ignore[no-untyped-def]
        """Matching visible tweets, best first (a queryset: EXPLAIN it in the benchmark)."""
        query = tweet_query(q)
        return (
            visible_tweets(viewer)
            .filter(search_vector=query)
            # A query of exclusions only (`-dog`) cannot use the index and would rank every
            # tweet: querytree() is 'T' then, folded at plan time into "One-Time Filter: false".
            .filter(_NotEqual(Func(query, function="querytree", output_field=TextField()), Value("T")))
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-created_at", "-id")
        )

    def search_tweets(self, q: str, *, viewer: User | None, limit: int, offset: int) -> SearchPage:
        return _page(self.tweet_queryset(q, viewer=viewer), limit=limit, offset=offset)

    def use_trigram(self) -> bool:
        if self._trigram is not None:
            return self._trigram
        return trigram_available(router.db_for_read(User))

    def user_queryset(self, q: str, *, viewer: User | None):  # type: ignore[no-untyped-def]
        """Matching users: exact username, then username prefix, then similarity, then popularity."""
        term = " ".join(q.split())
        lowered = term.lower()
        username_prefix = _Like(Lower("username"), Value(escape_like(lowered) + "%"))
        display_name_contains = _ILike(F("display_name"), Value("%" + escape_like(term) + "%"))
        match = Q(username_prefix) | Q(display_name_contains)
        order = [
            Case(
                When(Q(username__lower=lowered), then=Value(0)),
                When(Q(username_prefix), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ).asc()
        ]
        if self.use_trigram():
            # `username % q` (whole-string similarity: usernames are one token) and
            # `display_name %> q` (q close to some word of the display name).
            match |= Q(TrigramSimilar(F("username"), Value(term)))
            match |= Q(TrigramWordSimilar(F("display_name"), Value(term)))
            similarity = Greatest(TrigramSimilarity("username", term), TrigramWordSimilarity(term, "display_name"))
            order.append(similarity.desc())
        order += [F("num_followers").desc(), F("id").asc()]
        return User.objects.visible_to(viewer).filter(match).order_by(*order)

    def search_users(self, q: str, *, viewer: User | None, limit: int, offset: int) -> SearchPage:
        return _page(self.user_queryset(q, viewer=viewer), limit=limit, offset=offset)

    def check(self) -> None:
        with connections[router.db_for_read(Tweet)].cursor() as cursor:
            cursor.execute(
                "SELECT to_tsvector('english', 'checking') @@ websearch_to_tsquery('english', 'checked'),"
                " EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'ix_tweet_search_vector')"
            )
            stems, indexed = cursor.fetchone()
        if not stems:
            raise RuntimeError("english text search configuration is not working")
        if not indexed:
            raise RuntimeError("index ix_tweet_search_vector is missing (run migrate)")
