"""What apps call at start-up and from their main screens (DESIGN.md section 7, last paragraph):
follow requests, favourites, bookmarks, trends, favourited_by, reblogged_by,
update_credentials, pinned statuses, and the 404 for deleting another account's status."""

from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import block_create, follow_create
from accounts.tests.factories import UserFactory
from conftest import client_for
from mastodon_api.tests.clients import check
from notifications.models import Notification
from tweets.models import Bookmark, Like, Repost, Tweet, TweetHashtag
from tweets.services import bookmark_create, like_create, repost_create, tweet_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _links(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """{rel: path} of the Link header."""
    parts = [part.strip() for part in response["Link"].split(",")]
    return {
        part.split('rel="')[1].rstrip('"'): part[1 : part.index(">")].removeprefix("http://testserver")
        for part in parts
    }


def _ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()]


def test_follow_requests_are_always_empty(alice, bob, mclient):
    follow_create(follower=bob, followee=alice)
    assert mclient(alice).get("/api/v1/follow_requests").json() == []
    assert mclient(alice, scope="read:follows").get("/api/v1/follow_requests/").json() == []
    assert mclient(alice, scope="read:statuses").get("/api/v1/follow_requests").status_code == 403
    assert APIClient().get("/api/v1/follow_requests").status_code == 401


class TestFavourites:
    def test_newest_favourite_first_paged_by_the_favourites_id(self, alice, bob, mclient):
        t1, t2, t3 = (tweet_create(author=bob, content=f"t{i}") for i in range(3))
        for tweet in (t2, t3, t1):  # liked in an order unrelated to the tweets' own
            like_create(user=alice, tweet=tweet)
        like_create(user=bob, tweet=t2)  # someone else's
        client = mclient(alice)
        everything = client.get("/api/v1/favourites")
        assert _ids(everything) == [str(t1.pk), str(t3.pk), str(t2.pk)]
        assert all(check("Status", s)["favourited"] for s in everything.json())
        page = client.get("/api/v1/favourites", {"limit": 1})
        newest_like = Like.objects.get(user=alice, tweet=t1)
        assert _links(page)["next"].endswith(f"max_id={newest_like.pk}")  # the favourite's id, not the status's
        second = client.get(_links(page)["next"])
        assert _ids(second) == [str(t3.pk)]
        assert _ids(client.get(_links(second)["prev"])) == [str(t1.pk)]
        assert _ids(client.get(_links(second)["next"])) == [str(t2.pk)]

    def test_same_likes_as_the_native_api_without_blocked_authors(self, alice, bob, carol, mclient):
        mine = tweet_create(author=bob, content="bob's")
        theirs = tweet_create(author=carol, content="carol's")
        assert client_for(alice).post(f"/api/tweets/{mine.pk}/like/").status_code == 201
        like_create(user=alice, tweet=theirs)
        block_create(user=carol, target=alice)
        assert _ids(mclient(alice).get("/api/v1/favourites")) == [str(mine.pk)]
        assert mclient(alice, scope="read:statuses").get("/api/v1/favourites").status_code == 403


class TestBookmarks:
    def test_bookmark_unbookmark_list_and_flag(self, alice, bob, mclient, run_on_commit):
        tweet = tweet_create(author=alice, content="keep #this")
        client = mclient(bob)
        with run_on_commit() as callbacks:
            marked = check("Status", client.post(f"/api/v1/statuses/{tweet.pk}/bookmark").json())
        assert callbacks == []  # nothing announced: no notification, no counter
        assert marked["id"] == str(tweet.pk) and marked["bookmarked"] is True
        assert (marked["favourites_count"], marked["reblogs_count"], marked["replies_count"]) == (0, 0, 0)
        assert not Notification.objects.exists()
        assert client.post(f"/api/v1/statuses/{tweet.pk}/bookmark").json()["bookmarked"] is True  # idempotent
        assert Bookmark.objects.filter(user=bob).count() == 1
        # Private: the author (and anyone else) sees it unbookmarked.
        assert mclient(alice).get(f"/api/v1/statuses/{tweet.pk}").json()["bookmarked"] is False
        assert client.get(f"/api/v1/statuses/{tweet.pk}").json()["bookmarked"] is True
        assert _ids(client.get("/api/v1/bookmarks")) == [str(tweet.pk)]
        # The same bookmarks natively.
        assert [t["id"] for t in client_for(bob).get("/api/users/me/bookmarks/").json()["results"]] == [str(tweet.pk)]
        unmarked = client.post(f"/api/v1/statuses/{tweet.pk}/unbookmark").json()
        assert unmarked["bookmarked"] is False
        assert client.post(f"/api/v1/statuses/{tweet.pk}/unbookmark").status_code == 200  # idempotent
        assert client.get("/api/v1/bookmarks").json() == []

    def test_newest_bookmark_first_paged_by_the_bookmarks_id(self, alice, bob, mclient):
        tweets = [tweet_create(author=alice, content=f"t{i}") for i in range(3)]
        now = timezone.now()
        for minutes, tweet in ((30, tweets[1]), (20, tweets[2]), (10, tweets[0])):
            Bookmark.objects.create(user=bob, tweet=tweet, created_at=now - timedelta(minutes=minutes))
        client = mclient(bob)
        assert _ids(client.get("/api/v1/bookmarks")) == [str(t.pk) for t in (tweets[0], tweets[2], tweets[1])]
        page = client.get("/api/v1/bookmarks", {"limit": 2})
        assert _links(page)["next"].endswith(f"max_id={Bookmark.objects.get(tweet=tweets[2]).pk}")
        assert _ids(client.get(_links(page)["next"])) == [str(tweets[1].pk)]

    def test_a_reblogs_id_bookmarks_the_original_and_blocks_hold(self, alice, bob, carol, mclient):
        tweet = tweet_create(author=alice, content="original")
        repost_create(user=carol, tweet=tweet)
        reblog_id = Repost.objects.get(user=carol).pk
        marked = mclient(bob).post(f"/api/v1/statuses/{reblog_id}/bookmark").json()
        assert marked["id"] == str(tweet.pk) and marked["bookmarked"] is True
        assert Bookmark.objects.get(user=bob).tweet_id == tweet.pk
        block_create(user=alice, target=carol)
        # What a block hides is not found (Mastodon's behaviour), and nothing is written.
        assert mclient(carol).post(f"/api/v1/statuses/{tweet.pk}/bookmark").status_code == 404
        assert not Bookmark.objects.filter(user=carol).exists()
        assert mclient(bob, scope="read").post(f"/api/v1/statuses/{tweet.pk}/bookmark").status_code == 403

    def test_bookmarked_on_every_status_the_viewer_sees(self, alice, bob, carol, mclient, run_on_commit):
        with run_on_commit():
            follow_create(follower=bob, followee=alice)
        with run_on_commit():
            root = tweet_create(author=alice, content="#topic root @bob")
            reply = tweet_create(author=carol, content="reply", in_reply_to=root)
            like_create(user=alice, tweet=tweet_create(author=bob, content="bob's own"))
        with run_on_commit():
            repost_create(user=alice, tweet=reply)
        bookmark_create(user=bob, tweet=root)
        bookmark_create(user=bob, tweet=reply)
        bookmark_create(user=alice, tweet=root)  # alice's: never shown to bob
        client = mclient(bob)
        home = client.get("/api/v1/timelines/home").json()
        flags = {(s["reblog"] or s)["id"]: (s["reblog"] or s)["bookmarked"] for s in home}
        own = Tweet.objects.get(content="bob's own")
        assert flags == {str(root.pk): True, str(reply.pk): True, str(own.pk): False}
        lists = [
            client.get(f"/api/v1/accounts/{alice.pk}/statuses").json(),
            client.get("/api/v1/timelines/tag/topic").json(),
            client.get(f"/api/v1/statuses/{reply.pk}/context").json()["ancestors"],
            [n["status"] for n in client.get("/api/v1/notifications", {"types[]": ["mention"]}).json()],
            client.get("/api/v2/search", {"q": "root", "type": "statuses"}).json()["statuses"],
            client.get("/api/v1/bookmarks").json(),
        ]
        for statuses in lists:
            assert statuses, lists
            for status in statuses:
                original = status["reblog"] or status
                assert original["bookmarked"] is (original["id"] in (str(root.pk), str(reply.pk))), status
        assert all(s["bookmarked"] is False for s in mclient(carol).get("/api/v1/timelines/tag/topic").json())
        assert APIClient().get(f"/api/v1/statuses/{root.pk}").json()["bookmarked"] is False  # anonymous


class TestTrends:
    def test_the_native_trending_tags_as_tags_with_history(self, alice, bob, carol, mclient):
        for author, text in (
            (alice, "#python and #django"),
            (bob, "#python again"),
            (bob, "#python once more"),
            (carol, "#django too"),
            (carol, "#rust"),
        ):
            tweet_create(author=author, content=text)
        old = tweet_create(author=alice, content="#python three days ago")
        three_days_ago = timezone.now() - timedelta(days=3)
        Tweet.objects.filter(pk=old.pk).update(created_at=three_days_ago)
        TweetHashtag.objects.filter(tweet=old).update(created_at=three_days_ago)
        native = [row["tag"] for row in client_for(alice).get("/api/hashtags/trending/").json()]
        tags = APIClient().get("/api/v1/trends/tags").json()  # public, as in Mastodon
        assert [tag["name"] for tag in tags] == native == ["python", "django", "rust"]
        python = check("Tag", tags[0])
        assert python["url"] == "http://testserver/tags/python"
        history = python["history"]
        assert len(history) == 7
        midnight = timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        assert [int(day["day"]) for day in history] == [
            int((midnight - timedelta(days=n)).timestamp()) for n in range(7)
        ]
        assert (history[0]["uses"], history[0]["accounts"]) == ("3", "2")  # three tweets by two accounts today
        assert (history[3]["uses"], history[3]["accounts"]) == ("1", "1")
        assert history[1] == {"day": history[1]["day"], "uses": "0", "accounts": "0"}
        paged = mclient(alice).get("/api/v1/trends/tags", {"limit": 1, "offset": 1}).json()
        assert [tag["name"] for tag in paged] == ["django"]
        assert APIClient().get("/api/v1/trends/tags", {"limit": "x"}).status_code == 422

    def test_costs_two_queries(self, alice):
        for i in range(10):
            tweet_create(author=alice, content=f"#tag{i} #common")
        with CaptureQueriesContext(connection) as ctx:
            assert len(APIClient().get("/api/v1/trends/tags").json()) == 10
        assert len(ctx.captured_queries) == 2


class TestFavouritedAndRebloggedBy:
    @pytest.mark.parametrize(
        ("path", "act", "model"), [("favourited_by", like_create, Like), ("reblogged_by", repost_create, Repost)]
    )
    def test_accounts_newest_first_with_link_paging(self, alice, bob, carol, dave, mclient, path, act, model):
        tweet = tweet_create(author=alice, content="popular")
        for user in (carol, bob, dave):
            act(user=user, tweet=tweet)
        client = mclient(alice)
        accounts = client.get(f"/api/v1/statuses/{tweet.pk}/{path}")
        assert [check("Account", a)["username"] for a in accounts.json()] == ["dave", "bob", "carol"]
        page = client.get(f"/api/v1/statuses/{tweet.pk}/{path}", {"limit": 2})
        assert _links(page)["next"].endswith(f"max_id={model.objects.get(user=bob).pk}")
        assert [a["username"] for a in client.get(_links(page)["next"]).json()] == ["carol"]
        assert APIClient().get(f"/api/v1/statuses/{tweet.pk}/{path}").status_code == 200  # public
        # a reblog's id names its original's
        repost_create(user=dave, tweet=tweet)
        reblog_id = Repost.objects.get(user=dave).pk
        assert [a["username"] for a in client.get(f"/api/v1/statuses/{reblog_id}/{path}").json()] == [
            "dave",
            "bob",
            "carol",
        ]
        # a block leaves the blocked account out; a suspended one is gone
        block_create(user=alice, target=bob)
        dave.is_active = False
        dave.save(update_fields=["is_active"])
        assert [a["username"] for a in client.get(f"/api/v1/statuses/{tweet.pk}/{path}").json()] == ["carol"]
        assert client.get(f"/api/v1/statuses/424242/{path}").json() == {"error": "Record not found"}
        assert mclient(bob).get(f"/api/v1/statuses/{tweet.pk}/{path}").status_code == 404  # alice blocks bob


class TestUpdateCredentials:
    def test_form_and_json_through_the_profile_service(self, alice, mclient):
        client = mclient(alice)
        account = client.patch(
            "/api/v1/accounts/update_credentials",
            "display_name=Ada+L.&note=Counting+engines",
            content_type="application/x-www-form-urlencoded",
        ).json()
        check("CredentialAccount", account)
        assert account["display_name"] == "Ada L." and account["source"]["note"] == "Counting engines"
        assert account["note"] == "<p>Counting engines</p>"
        native = client_for(alice).get("/api/users/me/").json()
        assert (native["display_name"], native["bio"]) == ("Ada L.", "Counting engines")
        # JSON, one field: the other is left as it is
        account = client.patch("/api/v1/accounts/update_credentials", {"note": "<b>bold</b>"}, format="json").json()
        assert account["display_name"] == "Ada L." and account["note"] == "<p>&lt;b&gt;bold&lt;/b&gt;</p>"
        # fields Chirp has not (avatar, locked, profile fields) are ignored, not an error
        response = client.patch(
            "/api/v1/accounts/update_credentials", {"locked": True, "fields_attributes": []}, format="json"
        )
        assert response.status_code == 200 and response.json()["locked"] is False

    @pytest.mark.parametrize(
        "body",
        [
            {"note": "x" * 161},
            {"display_name": "y" * 51},
            {"display_name": "valid", "note": "x" * 161},
            {"display_name": "y" * 51, "note": "valid"},
            {"note": "a\x00b"},
            {"note": ["a list"]},
        ],
    )
    def test_over_the_native_limits_is_a_422_that_changes_nothing(self, alice, mclient, body):
        alice.display_name, alice.bio = "Before", "Before bio"
        alice.save()
        response = mclient(alice).patch("/api/v1/accounts/update_credentials", body, format="json")
        assert response.status_code == 422, response.content
        assert "error" in response.json()
        user = User.objects.get(pk=alice.pk)
        assert (user.display_name, user.bio) == ("Before", "Before bio")

    def test_the_limits_are_the_natives_exactly(self, alice, mclient):
        body = {"display_name": "d" * 50, "note": "n" * 160}
        assert mclient(alice).patch("/api/v1/accounts/update_credentials", body, format="json").status_code == 200
        error = mclient(alice).patch("/api/v1/accounts/update_credentials", {"note": "n" * 161}, format="json")
        assert "note" in error.json()["error"]  # named as Mastodon names it

    def test_needs_write_accounts(self, alice, mclient):
        response = mclient(alice, scope="read").patch("/api/v1/accounts/update_credentials", {"note": "x"})
        assert response.status_code == 403
        assert APIClient().patch("/api/v1/accounts/update_credentials", {"note": "x"}).status_code == 401


def test_pinned_statuses_are_empty(alice, bob, mclient):
    tweet_create(author=alice, content="not pinned: Chirp has no pins")
    client = mclient(bob)
    assert len(client.get(f"/api/v1/accounts/{alice.pk}/statuses").json()) == 1
    assert client.get(f"/api/v1/accounts/{alice.pk}/statuses", {"pinned": "true"}).json() == []


def test_deleting_another_accounts_status_or_reblog_is_a_404(alice, bob, mclient):
    tweet = tweet_create(author=alice, content="alice's")
    repost_create(user=alice, tweet=tweet_create(author=bob, content="bob's"))
    reblog_id = Repost.objects.get(user=alice).pk
    for status_id in (tweet.pk, reblog_id):
        response = mclient(bob).delete(f"/api/v1/statuses/{status_id}")
        assert (response.status_code, response.json()) == (404, {"error": "Record not found"})
    assert Tweet.objects.filter(pk=tweet.pk).exists() and Repost.objects.filter(pk=reblog_id).exists()
    assert mclient(alice).delete(f"/api/v1/statuses/{reblog_id}").status_code == 200  # her own


def test_list_query_counts_do_not_grow_with_the_page(alice, bob, mclient):
    """favourites, bookmarks, favourited_by, reblogged_by: as many queries for 2 entries as for 10."""
    target = tweet_create(author=alice, content="everyone's favourite")
    for i in range(10):
        tweet = tweet_create(author=bob, content=f"#t{i} @alice number {i}", in_reply_to=target if i % 2 else None)
        like_create(user=alice, tweet=tweet)
        bookmark_create(user=alice, tweet=tweet)
        fan = UserFactory()
        like_create(user=fan, tweet=target)
        repost_create(user=fan, tweet=target)
    client = mclient(alice)
    paths = {
        "favourites": "/api/v1/favourites?limit={}",
        "bookmarks": "/api/v1/bookmarks?limit={}",
        "favourited_by": f"/api/v1/statuses/{target.pk}/favourited_by?limit={{}}",
        "reblogged_by": f"/api/v1/statuses/{target.pk}/reblogged_by?limit={{}}",
    }

    def count(path: str, expected: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200 and len(response.json()) == expected, response.content
        return len(ctx.captured_queries)

    small = {name: count(path.format(2), 2) for name, path in paths.items()}
    large = {name: count(path.format(10), 10) for name, path in paths.items()}
    assert small == large, (small, large)
    assert max(large.values()) <= 5, large
