"""A page costs a constant number of SQL queries whatever its length (DESIGN.md section 11), as
every list endpoint of the API does: each page with a few items and with a full page of them,
with likes, reposts, replies, mentions and tags in both."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from accounts.tests.factories import UserFactory
from tweets import services as tweet_services
from web.tests.conftest import text

pytestmark = pytest.mark.django_db


def fill(commit, viewer, prefix: str, n: int) -> object:  # type: ignore[no-untyped-def]
    """An author `viewer` follows with `n` posts of every kind; the viewer gets notifications,
    followers, blocks and mutes in proportion. Returns the author."""
    author = UserFactory(username=f"{prefix}author", display_name=f"{prefix} Author")
    other = UserFactory(username=f"{prefix}other")
    with commit():
        account_services.follow_create(follower=viewer, followee=author)
    mine = tweet_services.tweet_create(author=viewer, content=f"{prefix} mine #tag")
    for i in range(n):
        with commit():
            tweet = tweet_services.tweet_create(
                author=author, content=f"@{viewer.username} #tag {prefix} {i}", in_reply_to=mine if i % 2 else None
            )
        with commit():
            tweet_services.like_create(user=viewer, tweet=tweet)
            tweet_services.repost_create(user=other, tweet=tweet)
            tweet_services.like_create(user=other, tweet=mine)
        fan = UserFactory(username=f"{prefix}fan{i}")
        with commit():
            account_services.follow_create(follower=fan, followee=author)
            account_services.follow_create(follower=fan, followee=viewer)
        account_services.mute_create(user=viewer, target=UserFactory(username=f"{prefix}muted{i}"))
        account_services.block_create(user=viewer, target=UserFactory(username=f"{prefix}blocked{i}"))
    return author


def cost(client, path: str) -> int:  # type: ignore[no-untyped-def]
    client.get(path)  # warm: the feed built, the session cached
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, text(response)[:500])
    return len(queries)


@pytest.fixture
def few_and_many(commit, browser):  # type: ignore[no-untyped-def]
    few, many = UserFactory(username="few"), UserFactory(username="many")
    fill(commit, few, "f", 2)
    fill(commit, many, "m", 22)
    return browser(few), browser(many)


# Each page's queries: the unread count of the navigation, then the page's own reads (all
# through the apps' selectors). The signed-in user's row is not read: its facts are cached
# (accounts.auth_cache.session_user; `cost` warms it).
EXPECTED = {
    "/": 2,  # the feed's state query (with the authors' names and whom replies answer)
    "/@{prefix}author": 4,  # profile with relationship, tweets, whom replies answer
    "/@{prefix}author/followers": 4,  # profile, the page of users, their relationships
    "/@{prefix}author/following": 3,  # (nobody: no relationships to read)
    "/notifications": 5,  # count, page with tweets, mark read, whom replies answer
    "/search?q=tag": 5,  # tweets (count, page of ids, rows), whom replies answer; people (count, rows)
    "/tags/tag": 3,  # the tag's tweets, whom replies answer
    "/settings": 4,  # the user's row (the profile form shows the bio), blocked, muted
}


@pytest.mark.parametrize("path", list(EXPECTED))
def test_a_page_costs_the_same_queries_whatever_its_length(few_and_many, path):
    few, many = few_and_many
    small, large = cost(few, path.format(prefix="f")), cost(many, path.format(prefix="m"))
    assert small == large, (path, small, large)
    assert large == EXPECTED[path], (path, large)


def test_the_home_page_shows_a_full_page_in_those_queries(few_and_many):
    _few, many = few_and_many
    html = text(many.get("/"))
    assert html.count("<article") == 20 and "Replying to" in html and "Load more" in html
    assert "m Author" in html  # the display names came with the feed's state query


def test_a_thread_costs_the_same_whatever_its_length(commit, browser):
    viewer = UserFactory(username="viewer")
    counts = []
    for n in (1, 12):
        root = tweet_services.tweet_create(author=viewer, content=f"root {n}")
        parent = root
        for i in range(n):  # a chain under the root, then replies to the root
            parent = tweet_services.tweet_create(author=viewer, content=f"reply {i}", in_reply_to=parent)
            tweet_services.tweet_create(author=viewer, content=f"side {i}", in_reply_to=root)
        counts.append(cost(browser(viewer), f"/@viewer/{parent.pk}"))
    # the tweet, its ancestors and descendants (two statements), their rows, whom replies answer
    assert counts[0] == counts[1] == 6, counts
