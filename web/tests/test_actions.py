"""Every action of the web interface, without JavaScript (POST, then redirect back) and with
htmx (the fragment it swaps), through the apps' services: their rules, throttles and counters."""

import io
import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts import services as account_services
from accounts.models import Block, Follow, Mute, User
from accounts.tests.factories import PASSWORD
from media.models import Media
from moderation.models import Report
from tweets import services as tweet_services
from tweets.models import Like, Repost, Tweet, TweetMedia
from web.tests.conftest import htmx_from, text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


# --- signing up, in and out ----------------------------------------------------------


def test_sign_up_signs_in_and_shows_the_apis_errors_beside_the_form(browser):
    client = browser()
    response = client.post("/signup", {"username": "newbie", "email": "newbie@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").context is None or "Home" in text(client.get("/"))
    assert User.objects.filter(username="newbie").exists()
    taken = browser().post("/signup", {"username": "NEWBIE", "email": "x@example.com", "password": PASSWORD})
    assert taken.status_code == 400
    html = text(taken)
    assert "A user with that username already exists." in html
    assert 'id="username-errors"' in html and 'aria-invalid="true"' in html
    assert 'value="NEWBIE"' in html and PASSWORD not in html  # the password is not sent back
    weak = browser().post("/signup", {"username": "other", "email": "o@example.com", "password": "123"})
    assert weak.status_code == 400 and "This password is too short." in text(weak)
    assert 'id="password-errors"' in text(weak)
    bad = browser().post("/signup", {"username": "no spaces", "email": "not-an-email", "password": PASSWORD})
    assert bad.status_code == 400 and "Enter a valid email address." in text(bad)
    assert "Use 1 to 30 ASCII letters" in text(bad)


def test_sign_in_with_username_or_email_in_any_case(browser, alice):
    for identifier in ("alice", "ALICE", "alice@example.com", "Alice@Example.com"):
        client = browser()
        response = client.post("/login", {"username": identifier, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == "/", identifier
        assert "Sign out" in text(client.get("/"))
    wrong = browser().post("/login", {"username": "alice", "password": "nope"})
    assert wrong.status_code == 400 and "Invalid username, email or password." in text(wrong)
    account_services.user_suspend(user=alice)
    suspended = browser().post("/login", {"username": "alice", "password": PASSWORD})
    assert suspended.status_code == 400


def test_sign_in_goes_back_to_next_on_this_site_only(browser, alice):
    ok = browser().post("/login", {"username": "alice", "password": PASSWORD, "next": "/settings"})
    assert ok["Location"] == "/settings"
    for evil in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = browser().post("/login", {"username": "alice", "password": PASSWORD, "next": evil})
        assert response["Location"] == "/", evil


def test_sign_in_is_throttled_like_the_token_endpoint(browser, settings, alice):
    settings.AUTH_THROTTLE_RATE = "3/minute"
    client = browser()
    for _ in range(3):
        assert client.post("/login", {"username": "alice", "password": "wrong"}).status_code == 400
    refused = client.post("/login", {"username": "alice", "password": PASSWORD})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0 and "Too many attempts" in text(refused)
    assert "_auth_user_id" not in client.session
    # Sign-up has its own bucket, as register has in the API; it is throttled the same way.
    for i in range(3):
        browser().post("/signup", {"username": f"u{i}", "email": f"u{i}@example.com", "password": PASSWORD})
    refused = browser().post("/signup", {"username": "u9", "email": "u9@example.com", "password": PASSWORD})
    assert refused.status_code == 429


def test_sign_out_is_a_post(browser, alice):
    client = browser(alice)
    page = client.get("/logout")
    assert page.status_code == 200 and "Sign out of Chirp?" in text(page)
    assert "_auth_user_id" in client.session
    assert client.post("/logout")["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_every_form_needs_its_csrf_token(alice, bob):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    tweet = tweet_services.tweet_create(author=bob, content="x")
    for path in ("/compose", f"/tweets/{tweet.pk}/like", "/@bob/follow", "/settings/profile", "/logout"):
        assert client.post(path, {"content": "hi"}).status_code == 403, path
    assert not Like.objects.exists() and not Follow.objects.exists()
    signed_out = Client(enforce_csrf_checks=True)
    assert signed_out.post("/login", {"username": "alice", "password": PASSWORD}).status_code == 403


# --- posting and replying --------------------------------------------------------------


def test_post_without_javascript_redirects_home_and_shows_it(browser, commit, alice):
    client = browser(alice)
    with commit():
        response = client.post("/compose", {"content": "  my first post  ", "next": "/"})
    tweet = Tweet.objects.get(author=alice)
    assert tweet.content == "my first post"  # the service trims
    assert response["Location"] == f"/?posted={tweet.pk}"
    assert f'data-id="{tweet.pk}"' in text(client.get(response["Location"]))


def test_just_posted_shows_even_before_the_fan_out(browser, alice, bob):
    tweet = tweet_services.tweet_create(author=alice, content="on its way")  # no commit: not fanned out
    html = text(browser(alice).get(f"/?posted={tweet.pk}"))
    assert f'data-id="{tweet.pk}"' in html
    others = tweet_services.tweet_create(author=bob, content="not mine")
    assert f'data-id="{others.pk}"' not in text(browser(alice).get(f"/?posted={others.pk}"))


def test_post_errors_are_shown_with_the_draft(browser, alice):
    client = browser(alice)
    empty = client.post("/compose", {"content": "   "})
    assert empty.status_code == 400 and "This field may not be blank." in text(empty)
    long = client.post("/compose", {"content": "y" * 281})
    assert long.status_code == 400 and "no more than 280 characters" in text(long)
    assert "y" * 281 + "</textarea>" in text(long)
    assert not Tweet.objects.exists()


def _png(name: str = "cat.png") -> SimpleUploadedFile:

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_a_post_with_an_image_carries_it_with_its_description(browser, alice):
    response = browser(alice).post("/compose", {"content": "look", "images": [_png()], "description": ["a red square"]})
    assert response.status_code == 302
    tweet = Tweet.objects.get(author=alice)
    attached = [link.media for link in TweetMedia.objects.filter(tweet=tweet).select_related("media")]
    assert [(m.description, m.width, m.height) for m in attached] == [("a red square", 40, 30)]


def test_images_over_the_apis_size_limit_are_refused_and_leave_nothing(browser, alice, settings):
    settings.MEDIA_MAX_BYTES = 50
    response = browser(alice).post("/compose", {"content": "look", "images": [_png()], "description": ["x"]})
    assert response.status_code == 400 and "cat.png: larger than" in text(response)
    assert not Tweet.objects.exists() and not Media.objects.exists()


def test_image_uploads_count_in_the_apis_upload_throttle(browser, alice, settings):
    settings.MEDIA_THROTTLE_RATE = "2/hour"
    client = browser(alice)
    first = client.post("/compose", {"content": "two", "images": [_png("a.png"), _png("b.png")], "description": []})
    assert first.status_code == 302 and Media.objects.count() == 2
    refused = client.post("/compose", {"content": "three", "images": [_png("c.png")], "description": []})
    assert refused.status_code == 400 and "Too many images uploaded" in text(refused)
    assert Media.objects.count() == 2 and Tweet.objects.count() == 1


def test_post_with_htmx_answers_the_new_post(browser, alice):
    response = browser(alice).post("/compose", {"content": "hello <b>htmx</b>"}, **htmx_from("/"))
    assert response.status_code == 200
    tweet = Tweet.objects.get(author=alice)
    html = text(response)
    assert "<html" not in html and f'data-id="{tweet.pk}"' in html and "hello &lt;b&gt;htmx&lt;/b&gt;" in html
    assert json.loads(response["HX-Trigger-After-Swap"]) == {"chirp:posted": {"id": str(tweet.pk)}}
    refused = browser(alice).post("/compose", {"content": ""}, **htmx_from("/"))
    assert refused.status_code == 400 and 'class="problem"' in text(refused)


def test_reply_without_and_with_javascript(browser, commit, alice, bob):
    parent = tweet_services.tweet_create(author=bob, content="question?")
    client = browser(alice)
    page = f"/@bob/{parent.pk}"
    response = client.post(f"/tweets/{parent.pk}/reply", {"content": "answer", "next": page})
    assert response["Location"] == page
    reply = Tweet.objects.get(in_reply_to=parent)
    assert reply.author == alice and f'data-id="{reply.pk}"' in text(client.get(page))
    # The reply form as a fragment (htmx), or the tweet's page without JavaScript.
    form = client.get(f"/tweets/{parent.pk}/reply", **htmx_from("/"))
    assert '<label class="vh" for="reply-' in text(form) and ">Reply</button>" in text(form)
    assert client.get(f"/tweets/{parent.pk}/reply")["Location"] == f"{page}#reply"
    swapped = client.post(f"/tweets/{parent.pk}/reply", {"content": "again"}, **htmx_from("/"))
    assert "again" in text(swapped) and "chirp:replied" in swapped["HX-Trigger-After-Swap"]
    Tweet.objects.filter(pk=parent.pk).update(num_replies=2)
    account_services.block_create(user=bob, target=alice)
    blocked = client.post(f"/tweets/{parent.pk}/reply", {"content": "no"})
    assert blocked.status_code == 403


# --- likes, reposts, deletion, reports ----------------------------------------------------


def test_like_and_repost_without_javascript_go_back_to_the_page(browser, alice, bob):
    tweet = tweet_services.tweet_create(author=bob, content="likeable")
    client = browser(alice)
    assert client.post(f"/tweets/{tweet.pk}/like", {"next": "/search?q=x"})["Location"] == "/search?q=x"
    assert client.post(f"/tweets/{tweet.pk}/like", {"next": "/"}).status_code == 302  # twice: counted once
    assert Tweet.objects.get(pk=tweet.pk).num_likes == 1
    assert client.post(f"/tweets/{tweet.pk}/repost", HTTP_REFERER="http://testserver/@bob")["Location"] == "/@bob"
    assert Repost.objects.filter(user=alice, tweet=tweet).exists()
    client.post(f"/tweets/{tweet.pk}/unlike")
    client.post(f"/tweets/{tweet.pk}/unrepost")
    assert not Like.objects.exists() and not Repost.objects.exists()
    assert Tweet.objects.get(pk=tweet.pk).num_likes == 0


def test_like_with_htmx_answers_the_buttons_with_the_count(browser, alice, bob, carol):
    tweet = tweet_services.tweet_create(author=bob, content="likeable")
    tweet_services.like_create(user=carol, tweet=tweet)
    response = browser(alice).post(f"/tweets/{tweet.pk}/like", {"next": "/"}, **htmx_from("/@bob"))
    html = text(response)
    assert response.status_code == 200 and html.startswith('<div class="actions"')
    assert '<span class="vh">Unlike </span><span class="n">2</span>' in html
    assert 'name="next" value="/@bob"' in html  # the page the fragment lands in
    repost = text(browser(alice).post(f"/tweets/{tweet.pk}/repost", **htmx_from("/")))
    assert '<span class="vh">Undo repost</span>' in repost


def test_a_block_refuses_likes_as_the_api_does(browser, alice, bob):
    tweet = tweet_services.tweet_create(author=bob, content="x")
    account_services.block_create(user=bob, target=alice)
    response = browser(alice).post(f"/tweets/{tweet.pk}/like")
    assert response.status_code == 403 and not Like.objects.exists()
    htmx = browser(alice).post(f"/tweets/{tweet.pk}/repost", **htmx_from("/"))
    assert htmx.status_code == 403 and 'class="problem"' in text(htmx)
    assert browser(alice).post("/tweets/999999/like").status_code == 404
    assert browser(alice).post("/tweets/abc/like").status_code == 404
    assert browser(alice).get(f"/tweets/{tweet.pk}/like").status_code == 405


def test_delete_own_only(browser, alice, bob):
    mine = tweet_services.tweet_create(author=alice, content="mine")
    theirs = tweet_services.tweet_create(author=bob, content="theirs")
    client = browser(alice)
    assert client.post(f"/tweets/{theirs.pk}/delete").status_code == 403
    response = client.post(f"/tweets/{mine.pk}/delete", {"next": f"/@alice/{mine.pk}"})
    assert response["Location"] == "/@alice"  # not back to the page of what is gone
    assert not Tweet.objects.filter(pk=mine.pk).exists()
    again = tweet_services.tweet_create(author=alice, content="again")
    htmx = client.post(f"/tweets/{again.pk}/delete", **htmx_from(f"/@alice/{again.pk}"))
    assert htmx.status_code == 200 and text(htmx) == "" and htmx["HX-Redirect"] == "/@alice"


def test_report_a_tweet_and_an_account(browser, alice, bob):
    tweet = tweet_services.tweet_create(author=bob, content="spam")
    client = browser(alice)
    form = client.get(f"/tweets/{tweet.pk}/report", {"next": "/"})
    assert ">Reason</label>" in text(form) and ">Send report</button>" in text(form)
    blank = client.post(f"/tweets/{tweet.pk}/report", {"reason": " ", "next": "/"})
    assert blank.status_code == 400 and "This field may not be blank." in text(blank)
    done = client.post(f"/tweets/{tweet.pk}/report", {"reason": "spam", "next": "/"})
    assert done["Location"] == "/"
    assert "Your report was sent" in text(client.get("/"))
    report = Report.objects.get()
    assert (report.reporter, report.user, report.tweet_id) == (alice, bob, tweet.pk)
    client.post("/@bob/report", {"reason": "rude", "next": "/@bob"})
    assert Report.objects.filter(user=bob, tweet=None).exists()
    assert client.post("/@alice/report", {"reason": "me"}).status_code == 400  # reporting oneself


def test_reports_are_throttled_per_user_with_the_apis_bucket(browser, make_client, settings, alice, bob):
    settings.REPORT_THROTTLE_RATE = "2/hour"
    make_client(alice).post("/api/reports/", {"user": "bob", "reason": "one"}, format="json")
    client = browser(alice)
    assert client.post("/@bob/report", {"reason": "two"}).status_code == 302
    refused = client.post("/@bob/report", {"reason": "three"})
    assert refused.status_code == 429 and "Try again in" in text(refused)
    assert Report.objects.count() == 2


# --- follows, mutes, blocks ---------------------------------------------------------------


def test_follow_with_htmx_answers_the_profile_head(browser, alice, bob):
    response = browser(alice).post("/@bob/follow", **htmx_from("/@bob"))
    html = text(response)
    assert Follow.objects.filter(follower=alice, followee=bob).exists()
    assert '<section class="profile-head card" id="profile-head"' in html and ">Unfollow</button>" in html
    assert "<strong>1</strong> Followers" in html  # the counter as the service left it
    row = browser(alice).post("/@bob/unfollow", {"in": "row"}, **htmx_from("/@alice/following"))
    assert text(row).startswith('<div class="person-actions">') and "Follow<span" in text(row)
    assert not Follow.objects.exists()


def test_follow_mute_block_without_javascript(browser, alice, bob):
    client = browser(alice)
    assert client.post("/@bob/follow", {"next": "/@bob"})["Location"] == "/@bob"
    client.post("/@bob/mute")
    assert Mute.objects.filter(user=alice, target=bob).exists()
    client.post("/@bob/block")
    assert Block.objects.filter(user=alice, target=bob).exists()
    assert not Follow.objects.exists()  # a block removes the follows, as in the API
    assert "You blocked @bob." in text(client.get("/"))
    client.post("/@bob/unblock", {"next": "/settings"})
    client.post("/@bob/unmute")
    assert not Block.objects.exists() and not Mute.objects.exists()
    assert client.post("/@alice/follow").status_code == 400  # oneself
    assert client.post("/@nobody/follow").status_code == 404
    account_services.block_create(user=bob, target=alice)
    assert client.post("/@bob/follow").status_code == 403


# --- settings ------------------------------------------------------------------------


def test_save_profile_and_its_errors(browser, alice):
    client = browser(alice)
    response = client.post("/settings/profile", {"display_name": "Alice A.", "bio": "hi <there>"})
    assert response["Location"] == "/settings"
    alice.refresh_from_db()
    assert (alice.display_name, alice.bio) == ("Alice A.", "hi <there>")
    assert "Your profile was saved." in text(client.get("/settings"))
    bad = client.post("/settings/profile", {"display_name": "x" * 51, "bio": ""})
    assert bad.status_code == 400 and "no more than 50 characters" in text(bad)
    assert 'value="' + "x" * 51 + '"' in text(bad)


def test_change_password_keeps_this_session_and_ends_the_others(browser, alice):
    client, other = browser(alice), browser(alice)
    wrong = client.post("/settings/password", {"current_password": "nope", "new_password": "a-new-pass-4321"})
    assert wrong.status_code == 400 and "Your old password was entered incorrectly." in text(wrong)
    assert 'id="current-password-errors"' in text(wrong)
    weak = client.post("/settings/password", {"current_password": PASSWORD, "new_password": "alice"})
    assert weak.status_code == 400 and 'id="new-password-errors"' in text(weak)
    done = client.post("/settings/password", {"current_password": PASSWORD, "new_password": "a-new-pass-4321"})
    assert done["Location"] == "/settings"
    assert "Your password was changed." in text(client.get("/settings"))
    assert other.get("/settings").status_code == 302  # the other session ended with the old hash
    assert browser().post("/login", {"username": "alice", "password": "a-new-pass-4321"}).status_code == 302


def test_password_change_is_throttled_per_user(browser, settings, alice):
    settings.AUTH_THROTTLE_RATE = "2/minute"
    client = browser(alice)
    for _ in range(2):
        client.post("/settings/password", {"current_password": "wrong", "new_password": "whatever-1234"})
    refused = client.post("/settings/password", {"current_password": PASSWORD, "new_password": "a-new-pass-4321"})
    assert refused.status_code == 429 and "Too many attempts" in text(refused)
    assert User.objects.get(pk=alice.pk).check_password(PASSWORD)


# --- the live stream's token --------------------------------------------------------------


def test_live_token_is_short_lived_and_needs_the_session_and_csrf(browser, settings, alice):
    from accounts.tokens import AccessToken

    settings.WEB_STREAM_TOKEN_SECONDS = 120
    answer = browser(alice).post("/live/token").json()
    token = AccessToken(answer["token"])
    assert str(token["user_id"]) == str(alice.pk)
    assert token["exp"] - int(token["iat"]) == 120
    assert answer["url"] == f"ws://testserver:{settings.STREAMING_PORT}"  # PORT + 1 unless set
    settings.STREAMING_URL = "wss://stream.example.com/"
    assert browser(alice).post("/live/token").json()["url"] == "wss://stream.example.com"
    assert browser(alice).get("/live/token").status_code == 405
    assert browser().post("/live/token").status_code == 302  # signed out
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post("/live/token").status_code == 403


def test_pages_carry_a_short_lived_stream_token_never_a_refresh_token(browser, settings, alice):
    import re

    from accounts.tokens import AccessToken

    html = text(browser(alice).get("/"))
    raw = re.search(r'data-stream-token="([^"]+)"', html).group(1)
    token = AccessToken(raw)  # an access token: a refresh token would be refused here
    assert token["exp"] - int(token["iat"]) == settings.WEB_STREAM_TOKEN_SECONDS <= 300
    assert f'data-stream-url="ws://testserver:{settings.STREAMING_PORT}"' in html
    assert "data-stream-token" not in text(browser().get("/"))
