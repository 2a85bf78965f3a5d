"""The streams against a real stream process: what each stream gets, what it must not get,
tokens, and the process's limits (DESIGN.md section 10)."""

from __future__ import annotations

import time

import pytest
import requests
from django.test import Client
from websockets.exceptions import InvalidStatus

from accounts import services as account_services
from accounts.tests.factories import PASSWORD
from accounts.tokens import RefreshToken
from mastodon_api.tests.conftest import SECRET, oauth_app, token_for  # noqa: F401
from streaming import channels
from streaming.tests.conftest import SSE, WS, jwt_for, wait_listening, wait_until
from tweets import services as tweet_services

pytestmark = pytest.mark.django_db(transaction=True)  # committed rows: the stream process reads them


def sse(server, path: str, token: str | None, **params: str) -> SSE:  # type: ignore[no-untyped-def]
    return SSE(f"{server.url}/api/v1/streaming/{path}", token=token, params=params or None)


def test_health_answers_ok_without_a_token(stream_server):
    response = requests.get(f"{stream_server.url}/api/v1/streaming/health", timeout=5)
    assert (response.status_code, response.text) == (200, "OK")


def test_no_token_or_a_bad_one_is_refused_with_401(stream_server, alice):
    assert sse(stream_server, "user", None).status == 401
    bad = sse(stream_server, "user", "not-a-token")
    assert bad.status == 401 and bad.response.json() == {"error": "Invalid access token"}
    assert sse(stream_server, "user", jwt_for(alice)[:-3] + "abc").status == 401  # altered signature
    with pytest.raises(InvalidStatus) as refused:
        WS(stream_server.ws_url, token="not-a-token")
    assert refused.value.response.status_code == 401  # at the handshake, never accepted then closed
    with pytest.raises(InvalidStatus) as missing:
        WS(stream_server.ws_url)
    assert missing.value.response.status_code == 401


def test_unknown_stream_and_missing_tag(stream_server, alice):
    token = jwt_for(alice)
    assert sse(stream_server, "direct", token).status == 404
    assert sse(stream_server, "hashtag", token).status == 400


def test_home_stream_gets_followed_and_own_posts_and_deletes(stream_server, alice, bob, carol):
    account_services.follow_create(follower=alice, followee=bob)
    stream = sse(stream_server, "user", jwt_for(alice))
    assert stream.status == 200
    wait_listening(channels.user(alice.pk))

    tweet_services.tweet_create(author=carol, content="not followed")
    by_bob = tweet_services.tweet_create(author=bob, content="hello @alice #news")
    status = stream.wait_for("update")
    assert status["id"] == str(by_bob.pk)  # carol's came first and never arrived
    assert status["account"]["username"] == "bob"
    assert status["tags"][0]["name"] == "news" and status["mentions"][0]["username"] == "alice"
    assert status["url"].startswith("http://127.0.0.1:")  # the web server's URL, not the stream's port
    own = tweet_services.tweet_create(author=alice, content="my own")
    assert stream.wait_for("update")["id"] == str(own.pk)

    tweet_services.tweet_delete(tweet=by_bob, by=bob)
    assert stream.wait_for("delete") == by_bob.pk  # the bare id: JSON number, no quotes
    stream.close()


def test_notifications_reach_user_and_user_notification_streams(stream_server, alice, bob):
    tweet = tweet_services.tweet_create(author=alice, content="like me")
    home = sse(stream_server, "user", jwt_for(alice))
    only = sse(stream_server, "user/notification", jwt_for(alice))
    wait_listening(channels.user(alice.pk))

    tweet_services.like_create(user=bob, tweet=tweet)
    for stream in (home, only):
        notification = stream.wait_for("notification")
        assert notification["type"] == "favourite"
        assert notification["account"]["username"] == "bob"
        assert notification["status"]["id"] == str(tweet.pk)
    tweet_services.tweet_create(author=alice, content="an update only the home stream gets")
    home.wait_for("update")
    only.none("update", within=0.5)


def test_mutes_and_blocks_filter_as_the_feed_does(stream_server, alice, bob, carol, dave):
    for followee in (bob, carol):
        account_services.follow_create(follower=alice, followee=followee)
    account_services.mute_create(user=alice, target=bob)
    account_services.block_create(user=dave, target=alice)
    home = sse(stream_server, "user", jwt_for(alice))
    public = sse(stream_server, "public", jwt_for(alice))
    wait_listening(channels.user(alice.pk))
    wait_listening(channels.public())

    tweet_services.tweet_create(author=bob, content="muted")
    tweet_services.tweet_create(author=dave, content="blocks alice")
    shown = tweet_services.tweet_create(author=carol, content="shown")
    assert home.wait_for("update")["id"] == str(shown.pk)
    assert public.wait_for("update")["id"] == str(shown.pk)
    assert [event for event, _ in home.seen + public.seen] == ["update", "update"]  # nothing else came first


def test_a_reblog_carries_the_viewers_own_flags(stream_server, alice, bob, carol):
    original = tweet_services.tweet_create(author=carol, content="worth sharing")
    tweet_services.like_create(user=alice, tweet=original)
    account_services.follow_create(follower=alice, followee=bob)
    stream = sse(stream_server, "user", jwt_for(alice))
    wait_listening(channels.user(alice.pk))

    tweet_services.repost_create(user=bob, tweet=original)
    status = stream.wait_for("update")
    assert status["reblog"]["id"] == str(original.pk) and status["account"]["username"] == "bob"
    assert status["favourited"] is True and status["reblog"]["favourited"] is True  # alice's own like


def test_merged_authors_reach_their_listening_followers(stream_server, settings, alice, bob, carol, dave):
    settings.FANOUT_FOLLOWER_LIMIT = 0  # every author is merged at read time (hybrid fan-out)
    for follower in (alice, carol):
        account_services.follow_create(follower=follower, followee=bob)
    account_services.mute_create(user=carol, target=bob)
    early = sse(stream_server, "user", jwt_for(alice))  # listening before bob is merged
    muter = sse(stream_server, "user", jwt_for(carol))
    wait_listening(channels.user(alice.pk))

    tweet_services.tweet_create(author=bob, content="the crossing")  # bob becomes merged
    wait_listening(channels.source(bob.pk))  # the process heard of it and listens for alice
    late = sse(stream_server, "user", jwt_for(alice))  # connects with bob merged already
    merged = tweet_services.tweet_create(author=bob, content="merged, not fanned out")
    for stream in (early, late):
        assert stream.wait_for("update", lambda s: s["id"] == str(merged.pk))["account"]["username"] == "bob"
    muter.none("update", within=0.5)

    tweet_services.tweet_delete(tweet=merged, by=bob)
    assert early.wait_for("delete") == merged.pk
    muter.close()  # carol follows bob too: her stream kept the process listening to bob
    account_services.follow_delete(follower=alice, followee=bob)
    wait_until(lambda: _listeners(channels.source(bob.pk)) == 0, what="bob's channel unsubscribed", timeout=5)
    tweet_services.tweet_create(author=bob, content="alice does not follow bob any more")
    early.none("update", within=0.5)


def _listeners(channel: str) -> int:
    from django_redis import get_redis_connection

    return int(get_redis_connection("default").pubsub_numsub(channel)[0][1])


def test_public_and_hashtag_over_one_websocket_with_an_oauth_token(stream_server, oauth_app, alice, bob):  # noqa: F811
    token = token_for(alice, oauth_app, "read")
    socket = WS(stream_server.ws_url, token=token, subprotocol=True)  # masto.js's way: the token as the protocol
    assert socket.socket.subprotocol == token  # echoed, as browsers require
    socket.send({"type": "subscribe", "stream": "public"})
    socket.send({"type": "subscribe", "stream": "hashtag", "tag": "Chirp"})
    wait_listening(channels.public())
    time.sleep(0.2)  # both subscriptions registered

    tagged = tweet_services.tweet_create(author=bob, content="hello #chirp")
    streams = sorted(
        tuple(socket.wait_for("update", lambda item: item[0]["id"] == str(tagged.pk))[1]) for _ in range(2)
    )
    assert streams == [("hashtag", "Chirp"), ("public",)]  # the tag as subscribed, as Mastodon echoes it
    plain = tweet_services.tweet_create(author=bob, content="no tag")
    assert socket.wait_for("update")[1] == ["public"]
    socket.send({"type": "unsubscribe", "stream": "public"})
    time.sleep(0.2)
    tweet_services.tweet_create(author=bob, content="after unsubscribing")
    socket.none("update", within=0.5)
    tweet_services.tweet_delete(tweet=plain, by=bob)
    payload, stream = socket.wait_for("delete")
    assert payload == plain.pk and stream == ["hashtag", "Chirp"]

    socket.send({"type": "subscribe", "stream": "lists"})
    assert socket.wait_for("error")["error"] == "Unknown stream type"
    socket.close()


def test_scopes_decide_the_streams_an_oauth_token_opens(stream_server, oauth_app, alice):  # noqa: F811
    statuses_only = token_for(alice, oauth_app, "read:statuses")
    assert sse(stream_server, "user", statuses_only).status == 200
    assert sse(stream_server, "user/notification", statuses_only).status == 401
    app_token = token_for(None, oauth_app, "read")  # client_credentials: no user
    assert sse(stream_server, "public", app_token).status == 422


def test_a_revoked_oauth_token_is_cut_and_refused(stream_server, oauth_app, alice):  # noqa: F811
    token = token_for(alice, oauth_app)
    stream = sse(stream_server, "user", token)
    wait_listening(channels.user(alice.pk))
    started = time.monotonic()
    response = Client().post(
        "/oauth/revoke", {"token": token, "client_id": oauth_app.client_id, "client_secret": SECRET}
    )
    assert response.status_code == 200
    assert stream.closed.wait(5), "stream still open 5 s after the revocation"
    assert time.monotonic() - started < 5
    assert sse(stream_server, "user", token).status == 401


def test_password_change_logout_and_suspension_cut_jwt_streams(stream_server, alice, bob, carol):
    # Password change: tokens issued before it.
    token = jwt_for(alice)
    stream = sse(stream_server, "user", token)
    wait_listening(channels.user(alice.pk))
    account_services.password_change(user=alice, old_password=PASSWORD, new_password="an0ther-long-passphrase")
    assert stream.closed.wait(5)
    assert sse(stream_server, "user", token).status == 401
    assert sse(stream_server, "user", jwt_for(alice)).status == 200  # a new token works

    # Native logout: the access token that sent it.
    refresh = RefreshToken.for_user(bob)
    access = str(refresh.access_token)
    stream = sse(stream_server, "user", access)
    wait_listening(channels.user(bob.pk))
    response = Client().post(
        "/api/auth/logout/",
        {"refresh": str(refresh)},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {access}",
    )
    assert response.status_code == 205
    assert stream.closed.wait(5)
    assert sse(stream_server, "user", access).status == 401

    # Suspension: every stream of the user.
    token = jwt_for(carol)
    streams = [sse(stream_server, "user", token), sse(stream_server, "public", token)]
    wait_listening(channels.user(carol.pk))
    account_services.user_suspend(user=carol)
    assert all(s.closed.wait(5) for s in streams)
    assert sse(stream_server, "user", token).status == 401


def test_connections_per_account_are_capped(stream_server, alice, bob):
    token = jwt_for(alice)
    open_streams = [sse(stream_server, "public", token) for _ in range(3)]
    assert [s.status for s in open_streams] == [200, 200, 200]
    assert sse(stream_server, "user", token).status == 429
    with pytest.raises(InvalidStatus) as refused:
        WS(stream_server.ws_url, token=token)
    assert refused.value.response.status_code == 429
    assert sse(stream_server, "user", jwt_for(bob)).status == 200  # another account is not concerned
    open_streams[0].close()
    wait_until(lambda: sse(stream_server, "user", token).status == 200, what="a slot freed", timeout=5)


def test_sse_streams_get_a_comment_line_regularly(stream_server, alice):
    stream = sse(stream_server, "public", jwt_for(alice))
    wait_until(lambda: stream.comments >= 2, what="heartbeat comments", timeout=5)  # ":)" then ":thump"
