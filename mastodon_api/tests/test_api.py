"""The Mastodon endpoints through the Django test client: entities, errors, paging, query counts."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.services import block_create, follow_create, mute_create
from accounts.tests.factories import UserFactory
from conftest import client_for
from mastodon_api.tests.clients import check
from tweets.services import bookmark_create, like_create, repost_create, tweet_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _links(response) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """[(rel, url)] of the Link header, in order."""
    parts = [part.strip() for part in response["Link"].split(",")]
    return [(part.split('rel="')[1].rstrip('"'), part[1 : part.index(">")]) for part in parts]


class TestInstanceAndStubs:
    @pytest.mark.parametrize("path", ["/api/v1/instance", "/api/v1/instance/"])
    def test_v1(self, path):
        body = check("InstanceV1", APIClient().get(path).json())
        assert body["version"] == "4.2.0 (compatible; Chirp 1.0)"
        assert body["uri"] == "testserver"
        assert body["configuration"]["statuses"]["max_characters"] == 280
        assert body["registrations"] is False

    @pytest.mark.parametrize("path", ["/api/v2/instance", "/api/v2/instance/"])
    def test_v2(self, path):
        body = check("InstanceV2", APIClient().get(path).json())
        assert body["domain"] == "testserver" and body["version"].startswith("4.2.0 ")
        assert body["configuration"]["statuses"]["max_characters"] == 280
        assert body["registrations"]["enabled"] is False

    def test_stubs(self, alice, mclient):
        client = mclient(alice)
        for path in ("/api/v1/custom_emojis", "/api/v1/filters", "/api/v2/filters", "/api/v1/lists"):
            assert client.get(path).json() == [], path
        assert client.get("/api/v1/markers", {"timeline[]": "home"}).json() == {}
        assert client.get("/api/v1/preferences").json()["posting:default:visibility"] == "public"

    def test_default_avatar_is_served_by_chirp(self, alice, mclient):
        account = mclient(alice).get("/api/v1/accounts/verify_credentials").json()
        assert account["avatar"].startswith("http://testserver/static/")
        assert APIClient().get(account["avatar"].removeprefix("http://testserver")).status_code == 200

    def test_cors_is_open_on_the_mastodon_api_only(self):
        preflight = {"HTTP_ORIGIN": "https://web.example", "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET"}
        for path in ("/api/v1/instance", "/api/v2/search", "/oauth/token"):
            response = APIClient().options(path, **preflight)
            assert response["Access-Control-Allow-Origin"] == "https://web.example", path
        assert "Access-Control-Allow-Origin" not in APIClient().options("/api/feed/", **preflight)
        actual = APIClient().get("/api/v1/timelines/tag/x", HTTP_ORIGIN="https://web.example")
        exposed = actual["Access-Control-Expose-Headers"]
        assert "Link" in exposed and "X-RateLimit-Remaining" in exposed


class TestErrors:
    def test_shapes(self, alice, mclient):
        client = mclient(alice)
        assert client.get("/api/v1/statuses/999999").json() == {"error": "Record not found"}
        assert client.get("/api/v1/statuses/abc").status_code == 404
        assert client.get("/api/v1/accounts/0").status_code == 404
        empty = client.post("/api/v1/statuses", {"status": "   "})
        assert empty.status_code == 422 and empty.json()["error"].startswith("Validation failed")
        long = client.post("/api/v1/statuses", {"status": "x" * 281})
        assert long.status_code == 422
        media = client.post("/api/v1/statuses", {"status": "x", "media_ids[]": ["1"]})
        assert media.status_code == 422
        assert client.post("/api/v1/statuses", {"status": "secret", "visibility": "direct"}).status_code == 422
        assert client.get("/api/v1/timelines/home", {"max_id": "nope"}).status_code == 422
        assert client.get("/api/v2/search").status_code == 422

    def test_block_is_a_403(self, alice, bob, mclient):
        tweet = tweet_create(author=alice, content="mine")
        block_create(user=alice, target=bob)
        response = mclient(bob).post(f"/api/v1/statuses/{tweet.pk}/favourite")
        # Mastodon hides what a block hides: the status is not found for bob
        assert response.status_code == 404 and "error" in response.json()
        assert mclient(bob).post(f"/api/v1/accounts/{alice.pk}/follow").status_code == 403

    def test_rate_limit_headers_and_429(self, alice, mclient):
        client = mclient(alice)
        response = client.get("/api/v1/accounts/verify_credentials")
        assert response["X-RateLimit-Limit"] == "300"
        assert int(response["X-RateLimit-Remaining"]) == 299
        assert response["X-RateLimit-Reset"].endswith("Z")
        with override_settings(MASTODON_RATE_LIMIT=2):
            assert client.get("/api/v1/accounts/verify_credentials")["X-RateLimit-Remaining"] == "0"
            limited = client.get("/api/v1/accounts/verify_credentials")
            assert limited.json() == {"error": "Too many requests"}
            assert limited["X-RateLimit-Remaining"] == "0" and "Retry-After" in limited


class TestStatuses:
    def test_create_get_context_delete(self, alice, bob, mclient, run_on_commit):
        a, b = mclient(alice), mclient(bob)
        with run_on_commit():
            first = check("Status", a.post("/api/v1/statuses", {"status": "Hi @bob #News & <b>"}).json())
            reply = b.post("/api/v1/statuses", {"status": "@alice hello", "in_reply_to_id": first["id"]}).json()
        assert first["content"] == (
            '<p>Hi <span class="h-card" translate="no"><a href="http://testserver/@bob" class="u-url mention">'
            '@<span>bob</span></a></span> <a href="http://testserver/tags/news" class="mention hashtag" rel="tag">'
            "#<span>News</span></a> &amp; &lt;b&gt;</p>"
        )
        assert reply["in_reply_to_id"] == first["id"] and reply["in_reply_to_account_id"] == str(alice.pk)
        context = check("Context", b.get(f"/api/v1/statuses/{reply['id']}/context").json())
        assert [s["id"] for s in context["ancestors"]] == [first["id"]] and context["descendants"] == []
        # Another account's status: Mastodon's 404, and it stays
        assert b.delete(f"/api/v1/statuses/{first['id']}").json() == {"error": "Record not found"}
        assert b.get(f"/api/v1/statuses/{first['id']}").status_code == 200
        deleted = a.delete(f"/api/v1/statuses/{first['id']}")
        assert deleted.status_code == 200 and deleted.json()["text"] == "Hi @bob #News & <b>"
        assert a.get(f"/api/v1/statuses/{first['id']}").status_code == 404

    def test_favourite_reblog_and_the_native_api_agree(self, alice, bob, mclient, run_on_commit):
        tweet = tweet_create(author=alice, content="shared")
        b = mclient(bob)
        with run_on_commit():
            fav = b.post(f"/api/v1/statuses/{tweet.pk}/favourite").json()
            wrapper = check("Status", b.post(f"/api/v1/statuses/{tweet.pk}/reblog").json())
        assert fav["favourited"] is True and fav["favourites_count"] == 1
        assert wrapper["id"] != str(tweet.pk) and int(wrapper["id"]) > tweet.pk  # one time-ordered id space
        assert wrapper["reblog"]["id"] == str(tweet.pk) and wrapper["reblog"]["reblogged"] is True
        native = client_for(bob).get(f"/api/tweets/{tweet.pk}/").json()
        assert native["liked"] is True and native["reposted"] is True
        # a reblog's id names the reblog; actions on it act on the original
        assert b.get(f"/api/v1/statuses/{wrapper['id']}").json()["reblog"]["id"] == str(tweet.pk)
        undone = b.post(f"/api/v1/statuses/{wrapper['id']}/unreblog").json()
        assert undone["id"] == str(tweet.pk) and undone["reblogged"] is False
        assert b.post(f"/api/v1/statuses/{tweet.pk}/unfavourite").json()["favourites_count"] == 0


class TestAccounts:
    def test_lookup_get_relationships(self, alice, bob, carol, mclient):
        client = mclient(alice)
        assert check("Account", client.get("/api/v1/accounts/lookup", {"acct": "bob"}).json())["id"] == str(bob.pk)
        assert client.get("/api/v1/accounts/lookup", {"acct": "bob@testserver"}).status_code == 200
        assert client.get("/api/v1/accounts/lookup", {"acct": "bob@elsewhere.example"}).status_code == 404
        assert client.get(f"/api/v1/accounts/{bob.pk}").json()["username"] == "bob"
        follow_create(follower=alice, followee=bob)
        block_create(user=alice, target=carol)
        rels = client.get("/api/v1/accounts/relationships", {"id[]": [bob.pk, carol.pk]}).json()
        assert [check("Relationship", r)["id"] for r in rels] == [str(bob.pk), str(carol.pk)]
        assert rels[0]["following"] is True and rels[1]["blocking"] is True

    def test_statuses_mix_tweets_and_reblogs_in_id_order(self, alice, bob, mclient):
        old = tweet_create(author=bob, content="old one")
        mine = tweet_create(author=alice, content="my own")
        repost_create(user=alice, tweet=old)
        newest = tweet_create(author=alice, content="newest")
        client = mclient(bob)
        statuses = client.get(f"/api/v1/accounts/{alice.pk}/statuses").json()
        assert [(s["id"] == str(newest.pk), s["reblog"] is not None) for s in statuses] == [
            (True, False),
            (False, True),
            (False, False),
        ]
        assert statuses[2]["id"] == str(mine.pk)
        page = client.get(f"/api/v1/accounts/{alice.pk}/statuses", {"limit": 1})
        rels = [rel for rel, _ in _links(page)]
        assert rels == ["next", "prev"]
        next_page = APIClient().get(_links(page)[0][1].removeprefix("http://testserver"))
        assert [s["reblog"]["id"] for s in next_page.json()] == [str(old.pk)]
        only = client.get(f"/api/v1/accounts/{alice.pk}/statuses", {"exclude_reblogs": "true"}).json()
        assert [s["id"] for s in only] == [str(newest.pk), str(mine.pk)]
        since = client.get(f"/api/v1/accounts/{alice.pk}/statuses", {"min_id": mine.pk, "limit": 1}).json()
        assert since[0]["reblog"]["id"] == str(old.pk)  # the one just above min_id

    def test_followers_following_blocks_mutes(self, alice, bob, carol, dave, mclient):
        follow_create(follower=bob, followee=alice)
        follow_create(follower=carol, followee=alice)
        block_create(user=alice, target=dave)
        mute_create(user=alice, target=bob)
        client = mclient(alice)
        page = client.get(f"/api/v1/accounts/{alice.pk}/followers", {"limit": 1})
        assert [a["username"] for a in page.json()] == ["carol"]
        following = client.get(_links(page)[0][1].removeprefix("http://testserver")).json()
        assert [a["username"] for a in following] == ["bob"]
        assert [a["username"] for a in client.get(f"/api/v1/accounts/{bob.pk}/following").json()] == ["alice"]
        assert [a["username"] for a in client.get("/api/v1/blocks").json()] == ["dave"]
        assert [a["username"] for a in client.get("/api/v1/mutes").json()] == ["bob"]

    def test_follow_unfollow_block_mute_answer_relationships(self, alice, bob, mclient):
        client = mclient(alice)
        assert client.post(f"/api/v1/accounts/{bob.pk}/follow").json()["following"] is True
        assert client.post(f"/api/v1/accounts/{bob.pk}/unfollow").json()["following"] is False
        assert client.post(f"/api/v1/accounts/{bob.pk}/mute").json()["muting"] is True
        assert client.post(f"/api/v1/accounts/{bob.pk}/unmute").json()["muting"] is False
        assert client.post(f"/api/v1/accounts/{bob.pk}/block").json()["blocking"] is True
        assert mclient(bob).get("/api/v1/accounts/relationships", {"id[]": alice.pk}).json()[0]["blocked_by"] is True
        assert client.post(f"/api/v1/accounts/{bob.pk}/unblock").json()["blocking"] is False
        assert client.post(f"/api/v1/accounts/{alice.pk}/follow").status_code == 422


class TestTimelines:
    def test_home_pages_without_duplicates_or_gaps_while_tweets_arrive(self, alice, bob, mclient, run_on_commit):
        with run_on_commit():
            follow_create(follower=bob, followee=alice)
        with run_on_commit():
            ids = [tweet_create(author=alice, content=f"t{i}").pk for i in range(7)]
        client = mclient(bob)
        seen: list[str] = []
        page = client.get("/api/v1/timelines/home", {"limit": 3})
        while page.json():
            seen += [s["id"] for s in page.json()]
            with run_on_commit():  # new tweets keep arriving at the top
                tweet_create(author=alice, content="late")
            page = client.get(_links(page)[0][1].removeprefix("http://testserver"))
        assert seen == [str(pk) for pk in reversed(ids)]
        # a cursor above every id (or naming a status that is gone) loses nothing
        top = client.get("/api/v1/timelines/home", {"max_id": 2**62, "limit": 40}).json()
        assert len(top) == len(ids) + 3
        newer = client.get("/api/v1/timelines/home", {"min_id": ids[-1], "limit": 2}).json()
        assert len(newer) == 2 and all(int(s["id"]) > ids[-1] for s in newer)
        since = client.get("/api/v1/timelines/home", {"since_id": ids[-1]}).json()
        assert len(since) == 3  # one "late" tweet per page read

    def test_home_shows_reblogs_as_wrappers(self, alice, bob, carol, mclient, run_on_commit):
        with run_on_commit():
            follow_create(follower=bob, followee=alice)
            tweet = tweet_create(author=carol, content="carol's")
        with run_on_commit():
            repost_create(user=alice, tweet=tweet)
        home = mclient(bob).get("/api/v1/timelines/home").json()
        assert [(s["account"]["username"], s["reblog"]["id"]) for s in home] == [("alice", str(tweet.pk))]

    def test_home_statuses_equal_the_same_statuses_read_one_by_one(self, alice, bob, carol, mclient, run_on_commit):
        """The home timeline reads accounts, reblog ids and replied-to authors with the feed's own
        state query; each status must be exactly what GET /api/v1/statuses/:id renders (the ORM path)."""
        alice.display_name, alice.bio = "Alice A.", "Likes <b>tea</b>\n\nand maths"
        alice.save()
        with run_on_commit():
            follow_create(follower=bob, followee=alice)
            follow_create(follower=bob, followee=carol)
        with run_on_commit():
            root = tweet_create(author=carol, content="root #Topic by carol @alice")
            reply = tweet_create(author=alice, content="@carol a reply", in_reply_to=root)
            elsewhere = tweet_create(author=UserFactory(), content="not followed, reposted in")
            like_create(user=bob, tweet=reply)
            repost_create(user=bob, tweet=root)
        with run_on_commit():
            repost_create(user=alice, tweet=elsewhere)
        bookmark_create(user=bob, tweet=reply)
        client = mclient(bob)
        home = client.get("/api/v1/timelines/home").json()
        assert len(home) == 3 and any(s["reblog"] for s in home) and any(s["in_reply_to_account_id"] for s in home)
        for status in home:
            assert status == client.get(f"/api/v1/statuses/{status['id']}").json(), status["id"]

    def test_tag_timeline(self, alice, bob, mclient):
        tagged = tweet_create(author=alice, content="about #Django")
        tweet_create(author=alice, content="untagged")
        statuses = APIClient().get("/api/v1/timelines/tag/django").json()
        assert [s["id"] for s in statuses] == [str(tagged.pk)]
        assert statuses[0]["tags"] == [{"name": "django", "url": "http://testserver/tags/django", "history": []}]
        assert APIClient().get("/api/v1/timelines/tag/12").status_code == 404


class TestNotifications:
    def test_types_get_dismiss_clear(self, alice, bob, mclient, run_on_commit):
        with run_on_commit():
            follow_create(follower=bob, followee=alice)
            tweet = tweet_create(author=alice, content="hello")
        with run_on_commit():
            like_create(user=bob, tweet=tweet)
            repost_create(user=bob, tweet=tweet)
            tweet_create(author=bob, content="@alice reply", in_reply_to=tweet)
        client = mclient(alice)
        notes = [check("Notification", n) for n in client.get("/api/v1/notifications").json()]
        assert [n["type"] for n in notes] == ["mention", "reblog", "favourite", "follow"]
        mentions = client.get("/api/v1/notifications", {"types[]": ["mention"]}).json()
        assert [n["type"] for n in mentions] == ["mention"]
        no_follow = client.get("/api/v1/notifications", {"exclude_types[]": ["follow", "favourite"]}).json()
        assert [n["type"] for n in no_follow] == ["mention", "reblog"]
        assert client.get(f"/api/v1/notifications/{notes[1]['id']}").json()["type"] == "reblog"
        assert client.post(f"/api/v1/notifications/{notes[1]['id']}/dismiss").status_code == 200
        assert client.get(f"/api/v1/notifications/{notes[1]['id']}").status_code == 404
        assert mclient(bob).get(f"/api/v1/notifications/{notes[0]['id']}").status_code == 404  # not bob's
        assert client.post("/api/v1/notifications/clear").status_code == 200
        assert client.get("/api/v1/notifications").json() == []


class TestSearch:
    def test_v2(self, alice, bob, mclient):
        tweet_create(author=alice, content="Searching for #python things")
        client = mclient(bob)
        result = check("Search", client.get("/api/v2/search", {"q": "searching"}).json())
        assert len(result["statuses"]) == 1
        assert [
            a["username"] for a in client.get("/api/v2/search", {"q": "@alice", "type": "accounts"}).json()["accounts"]
        ] == ["alice"]
        assert client.get("/api/v2/search", {"q": "#pyt", "type": "hashtags"}).json()["hashtags"][0]["name"] == "python"


class TestQueryCounts:
    """Every list costs the same number of queries for 2 entries as for 10."""

    def _count(self, client, path: str, expected_len: int) -> int:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200 and len(response.json()) == expected_len, response.content
        return len(ctx.captured_queries)

    def test_lists(self, alice, bob, mclient, run_on_commit):
        with run_on_commit():
            follow_create(follower=bob, followee=alice)
        client = mclient(alice)
        paths = {
            "home": "/api/v1/timelines/home?limit={}",
            "statuses": f"/api/v1/accounts/{alice.pk}/statuses?limit={{}}",
            "notifications": "/api/v1/notifications?limit={}",
            "followers": f"/api/v1/accounts/{alice.pk}/followers?limit={{}}",
            "tag": "/api/v1/timelines/tag/q?limit={}",
            "following": f"/api/v1/accounts/{alice.pk}/following?limit={{}}",
            "blocks": "/api/v1/blocks?limit={}",
            "mutes": "/api/v1/mutes?limit={}",
        }
        with run_on_commit():
            for i in range(10):
                tweet = tweet_create(author=alice, content=f"#q number {i}")
                other = UserFactory()
                follow_create(follower=other, followee=alice)
                like_create(user=other, tweet=tweet)
                repost_create(user=alice, tweet=tweet_create(author=bob, content=f"bob's {i}"))
                follow_create(follower=alice, followee=UserFactory())
                block_create(user=alice, target=UserFactory())
                mute_create(user=alice, target=UserFactory())
        for path in paths.values():  # the first read of a feed rebuilds it from the database
            client.get(path.format(1))
        small = {name: self._count(client, path.format(2), 2) for name, path in paths.items()}
        large = {name: self._count(client, path.format(10), 10) for name, path in paths.items()}
        assert small == large, (small, large)
