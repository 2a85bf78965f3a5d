"""manage.py rebuild_search on the PostgreSQL backend: indexes rebuilt, search still right."""

from io import StringIO

import pytest
from django.core.management import call_command

from search.backends import get_backend
from tweets.tests.factories import TweetFactory


@pytest.mark.django_db(transaction=True)
def test_rebuild_search_reindexes_the_gin_index_and_search_still_finds(alice):
    tweet = TweetFactory(author=alice, content="rebuilding the zeppelin index")
    out = StringIO()
    call_command("rebuild_search", stdout=out)
    call_command("rebuild_search", stdout=out)  # safe to re-run
    text = out.getvalue()
    assert text.count("ix_tweet_search_vector rebuilt") == 2
    assert "ix_user_username_prefix rebuilt" in text
    page = get_backend().search_tweets("zeppelin", viewer=alice, limit=20, offset=0)
    assert page.ids == [tweet.pk]
