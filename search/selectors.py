"""Reads of the search app: run a search on the active backend, hydrate the page.

Hydration goes through the same selectors as every other list (tweets_by_ids, the
viewer's visibility rules), so results carry the same objects and flags, in a constant
number of queries, and a stale index can never show what PostgreSQL would not.
"""

from django.db.models import QuerySet

from accounts.models import User
from search.backends import get_backend
from tweets.models import Tweet
from tweets.selectors import tweets_by_ids


def indexable_tweets() -> QuerySet[Tweet]:
    """Tweets an external index should hold: visible ones, with their author."""
    return Tweet.objects.visible().select_related("author").defer("search_vector")


def indexable_users() -> QuerySet[User]:
    """Users an external index should hold: not suspended."""
    return User.objects.active()


def search_tweets(*, q: str, viewer: User | None, limit: int, offset: int) -> tuple[int, list[Tweet]]:
    """(total matches, one page of tweets) by relevance then recency."""
    page = get_backend().search_tweets(q, viewer=viewer, limit=limit, offset=offset)
    by_id = tweets_by_ids(ids=page.ids, viewer=viewer)
    return page.count, [by_id[pk] for pk in page.ids if pk in by_id]


def search_users(*, q: str, viewer: User | None, limit: int, offset: int) -> tuple[int, list[User]]:
    """(total matches, one page of users), best match first."""
    page = get_backend().search_users(q, viewer=viewer, limit=limit, offset=offset)
    if not page.ids:
        return page.count, []
    by_id = User.objects.visible_to(viewer).in_bulk(page.ids)
    return page.count, [by_id[pk] for pk in page.ids if pk in by_id]
