"""Every page of the web interface (DESIGN.md section 11), signed in and out, through Django's
test client: what it shows comes from the apps' selectors, refusals have the API's status."""

import re

import pytest

from accounts import services as account_services
from notifications import selectors as notification_selectors
from tweets import services as tweet_services
from tweets.tests.factories import TweetFactory
from web.tests.conftest import HTMX, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(commit, alice, bob, carol):  # type: ignore[no-untyped-def]
    """alice follows bob; bob posts (one with a mention and a tag), carol replies to bob."""
    with commit():
        account_services.follow_create(follower=alice, followee=bob)
    with commit():
        first = tweet_services.tweet_create(author=bob, content="hello @alice, this is #Chirp")
    with commit():
        reply = tweet_services.tweet_create(author=carol, content="welcome bob", in_reply_to=first)
    return {"first": first, "reply": reply}


def signed_out_pages(world) -> list[str]:  # type: ignore[no-untyped-def]
    tweet = world["first"]
    return [
        "/notifications",
        "/search",
        "/search?q=hello",
        "/tags/chirp",
        "/settings",
        "/@bob",
        "/@bob/following",
        "/@bob/followers",
        f"/@bob/{tweet.pk}",
        f"/tweets/{tweet.pk}/report",
        "/@bob/report",
        "/timeline/new",
    ]


def test_signed_out_the_root_is_the_sign_in_page_and_every_other_page_asks_to_sign_in(browser, world):
    client = browser()
    home = client.get("/")
    assert home.status_code == 200
    assert '<form method="post" action="/login"' in text(home)
    assert client.get("/login").status_code == 200
    assert client.get("/signup").status_code == 200
    for path in signed_out_pages(world):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login?next="), path
    # htmx: told where to go rather than given the sign-in page as a fragment.
    response = client.get("/timeline/new", **HTMX)
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/login?next=")


def test_signed_in_every_page_answers(browser, world, alice):
    client = browser(alice)
    for path in ["/", "/login", "/signup", "/logout", *signed_out_pages(world)]:
        response = client.get(path)
        assert response.status_code in (200, 302), (path, response.status_code)
    assert client.get("/login")["Location"] == "/"  # signed in already
    assert client.get("/signup")["Location"] == "/"


def test_home_shows_the_feed_newest_first_with_the_compose_form(browser, world, alice):
    html = text(browser(alice).get("/"))
    assert 'action="/compose"' in html and 'name="images"' in html and "multiple" in html
    assert '<label for="compose-text" class="vh">What\'s happening?</label>' in html
    assert "Add images" in html and "Image description 1" in html
    first, reply = world["first"], world["reply"]
    assert f'data-id="{first.pk}"' in html
    assert f'data-id="{reply.pk}"' not in html  # alice does not follow carol
    # Mentions and tags are links; the author's name, @username and the time link are there.
    assert '<a href="/@alice" class="mention">@alice</a>' in html
    assert '<a href="/tags/chirp" class="tag">#Chirp</a>' in html
    assert '<a class="who" href="/@bob"><span class="name">bob</span> <span class="handle">@bob</span></a>' in html
    assert f'<a class="time" href="/@bob/{first.pk}"' in html


def test_home_is_the_feeds_timeline_page_by_page_like_the_api(browser, make_client, commit, alice, bob):
    with commit():
        account_services.follow_create(follower=alice, followee=bob)
    for i in range(45):
        with commit():
            tweet_services.tweet_create(author=bob, content=f"post {i}")
    TweetFactory(author=bob, content="a row no fan-out brought")  # not in the feed: not on the page
    client = browser(alice)
    api = make_client(alice)
    for offset in (0, 20, 40):
        html = text(client.get(f"/?offset={offset}"))
        shown = re.findall(r'<article class="post[^"]*" data-id="(\d+)"', html)
        expected = [item["id"] for item in api.get("/api/feed/", {"offset": offset}).json()["results"]]
        assert shown == expected, offset
    assert 'href="/?offset=20"' in text(client.get("/"))
    assert "Load more" not in text(client.get("/?offset=40"))
    # htmx asks for the next page only: its posts and the next "Load more", no frame.
    fragment = text(client.get("/?offset=20", **HTMX))
    assert "<html" not in fragment and fragment.count("<article") == 20 and 'href="/?offset=40"' in fragment


@pytest.mark.parametrize("offset", ["-1", "x", "1e3", "9999999"])
def test_a_bad_offset_is_a_400(browser, alice, offset):
    response = browser(alice).get("/", {"offset": offset})
    assert response.status_code == 400
    assert "offset must be a whole number" in text(response)


def test_profile_shows_counts_relationship_buttons_and_tweets(browser, world, alice, bob):
    html = text(browser(alice).get("/@bob"))
    assert re.search(r"<strong>1</strong> Tweets", html)
    assert re.search(r"<strong>0</strong> Following</a>", html)
    assert re.search(r"<strong>1</strong> Followers</a>", html)
    assert ">Unfollow</button>" in html and ">Mute</button>" in html and ">Block</button>" in html
    assert ">Report</button>" in html
    assert f'data-id="{world["first"].pk}"' in html
    own = text(browser(bob).get("/@bob"))
    assert "Edit profile" in own and ">Follow</button>" not in own
    assert text(browser(bob).get("/@alice")).count("Follows you") == 1


def test_profile_paths_are_canonical_and_refusals_are_the_apis(browser, world, alice, bob):
    client = browser(alice)
    assert client.get("/@BOB")["Location"] == "/@bob"
    assert client.get(f"/@BOB/{world['first'].pk}")["Location"] == f"/@bob/{world['first'].pk}"
    assert client.get(f"/@carol/{world['first'].pk}")["Location"] == f"/@bob/{world['first'].pk}"
    assert client.get("/@nobody").status_code == 404
    assert client.get("/@bad%00name").status_code == 404
    assert client.get("/@bob/123456789").status_code == 404
    assert client.get("/@bob/0123").status_code == 404
    account_services.block_create(user=bob, target=alice)
    blocked = client.get("/@bob")
    assert blocked.status_code == 403 and "blocked you" in text(blocked)
    assert client.get(f"/@bob/{world['first'].pk}").status_code == 403
    assert client.get("/@bob/followers").status_code == 403
    # The one who blocks sees the profile (to unblock) but not the posts.
    html = text(browser(bob).get("/@alice"))
    assert ">Unblock</button>" in html and "their posts are hidden" in html


def test_thread_ancestors_above_replies_below_and_a_reply_form(browser, commit, world, alice, bob, carol):
    first, reply = world["first"], world["reply"]
    with commit():
        deeper = tweet_services.tweet_create(author=bob, content="thanks carol", in_reply_to=reply)
    html = text(browser(alice).get(f"/@carol/{reply.pk}"))
    positions = [html.index(f'data-id="{pk}"') for pk in (first.pk, reply.pk, deeper.pk)]
    assert positions == sorted(positions)
    assert html.index(f'data-id="{first.pk}"') < html.index('class="ancestors"') + 200
    assert '<label class="vh" for="reply-text">Reply</label>' in html
    assert f'action="/tweets/{reply.pk}/reply"' in html
    assert 'Replying to <a href="/@bob">@bob</a>' in html


def test_notifications_in_words_and_opening_them_marks_them_read(browser, commit, world, alice, bob, carol):
    first = world["first"]  # mentions alice
    with commit():
        own = tweet_services.tweet_create(author=alice, content="mine")
    with commit():
        tweet_services.like_create(user=bob, tweet=own)
    with commit():
        tweet_services.repost_create(user=carol, tweet=own)
    with commit():
        tweet_services.tweet_create(author=bob, content="nice", in_reply_to=own)
    with commit():
        account_services.follow_create(follower=carol, followee=alice)
    client = browser(alice)
    home = text(client.get("/"))
    assert notification_selectors.unread_count(viewer=alice) == 5
    assert '<span id="unread-count">5</span><span class="vh"> unread</span>' in home
    html = text(client.get("/notifications"))
    for words in ("liked your tweet", "followed you", "mentioned you", "replied to your tweet", "reposted your tweet"):
        assert words in html, words
    assert f'data-id="{first.pk}"' in html and f'data-id="{own.pk}"' in html
    assert html.count(" (new)</span>") == 5  # unread when the page was read
    assert notification_selectors.unread_count(viewer=alice) == 0
    assert 'unread-badge" hidden' in text(client.get("/"))


def test_search_people_and_posts_and_the_apis_rules_for_q(browser, world, alice):
    client = browser(alice)
    html = text(client.get("/search", {"q": "hello"}))
    assert '<input type="search" id="q" name="q" value="hello"' in html
    assert f'data-id="{world["first"].pk}"' in html
    people = text(client.get("/search", {"q": "bob"}))
    assert 'href="/@bob" class="who"' in people
    empty = client.get("/search")
    assert empty.status_code == 200 and "Trending today" in text(empty)
    assert '<a href="/tags/chirp">#chirp</a>' in text(empty)
    too_long = client.get("/search", {"q": "x" * 101})
    assert too_long.status_code == 400 and "no more than 100 characters" in text(too_long)


def test_tag_page_and_a_tag_that_breaks_the_rule(browser, world, alice):
    client = browser(alice)
    html = text(client.get("/tags/CHIRP"))
    assert '<h1 class="page-title">#chirp</h1>' in html and f'data-id="{world["first"].pk}"' in html
    assert "No posts with #unknown yet." in text(client.get("/tags/unknown"))
    assert client.get("/tags/123").status_code == 404


def test_followers_and_following_lists(browser, world, alice, bob, carol):
    account_services.follow_create(follower=carol, followee=bob)
    html = text(browser(alice).get("/@bob/followers"))
    assert 'href="/@alice" class="who"' in html and 'href="/@carol" class="who"' in html
    assert html.index('href="/@carol"') < html.index('href="/@alice" class="who"')  # newest first
    assert 'Follow<span class="vh"> @carol</span>' in html  # alice may follow carol from here
    assert 'Follow<span class="vh"> @alice</span>' not in html  # not herself
    assert "does not follow anyone yet" in text(browser(alice).get("/@bob/following"))


def test_settings_show_the_profile_and_the_blocked_and_muted(browser, alice, bob, carol):
    account_services.block_create(user=alice, target=bob)
    account_services.mute_create(user=alice, target=carol)
    html = text(browser(alice).get("/settings"))
    for label in ("Display name", "Bio", "Current password", "New password"):
        assert f">{label}</label>" in html, label
    for button in ("Save profile", "Change password"):
        assert f">{button}</button>" in html
    assert 'Unblock<span class="vh"> @bob</span>' in html
    assert 'Unmute<span class="vh"> @carol</span>' in html


def test_unknown_pages_look_like_the_site(browser, alice):
    response = browser(alice).get("/no/such/page")
    assert response.status_code == 404 and "Not found" in text(response) and 'aria-label="Main"' in text(response)
