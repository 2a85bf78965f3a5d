"""Writes of the search app: bring the index in line with the database for one object.

Each function re-reads the row and indexes or removes accordingly, so it is idempotent
and order-independent: a late or repeated task converges on the database's state.
With the PostgreSQL backend there is nothing to do (the database is the index).
"""

from search.backends import get_backend
from search.selectors import indexable_tweets, indexable_users


def sync_tweet(*, tweet_id: int) -> None:
    """Index the tweet if it is visible, else remove it (deleted, hidden, author suspended)."""
    backend = get_backend()
    if backend.maintained_by_database:
        return
    tweet = indexable_tweets().filter(pk=tweet_id).first()
    if tweet is None:
        backend.remove_tweets([tweet_id])
    else:
        backend.index_tweets([tweet])


def sync_user(*, user_id: int, with_tweets: bool = False) -> None:
    """Index the user if active, else remove them; `with_tweets` also (re)indexes or removes their tweets."""
    backend = get_backend()
    if backend.maintained_by_database:
        return
    user = indexable_users().filter(pk=user_id).first()
    if user is None:
        backend.remove_users([user_id])
        if with_tweets:
            backend.remove_tweets_by_author(user_id)
        return
    backend.index_users([user])
    if with_tweets:
        backend.index_tweets(indexable_tweets().filter(author_id=user_id).iterator(chunk_size=2000))
