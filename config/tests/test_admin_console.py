"""The moderation console shows what moderators use (issue 12, point 13): no Groups or token
blacklist, no Save button on pages that only show a record, short changelist columns.
The 1280 px fit itself is measured in a real browser (test_browser.py)."""

import re

import pytest
from django.test import Client

from accounts import services as account_services
from accounts.models import Follow, User
from accounts.tests.factories import UserFactory
from moderation import services as moderation_services
from tweets import services as tweet_services
from tweets.models import Tweet

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db) -> User:
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin(root) -> Client:
    client = Client()
    client.force_login(root)
    return client


def column_headers(html: str) -> list[str]:
    """The changelist's column classes, in order (Django marks each <th> `column-NAME`)."""
    return re.findall(r'<th scope="col" class="[^"]*column-([\w]+)', html)


def test_index_lists_only_what_moderators_use(admin):
    html = admin.get("/admin/").content.decode()
    for shown in ("/admin/accounts/user/", "/admin/tweets/tweet/", "/admin/moderation/report/"):
        assert shown in html
    for gone in ("/admin/auth/group/", "/admin/token_blacklist/", "Groups", "Outstanding tokens", "Blacklisted tokens"):
        assert gone not in html
    assert admin.get("/admin/auth/group/").status_code == 404
    assert admin.get("/admin/token_blacklist/outstandingtoken/").status_code == 404
    assert admin.get("/admin/token_blacklist/blacklistedtoken/add/").status_code == 404
    # The user page no longer offers groups (no group admin to make them with).
    user_page = admin.get(f"/admin/accounts/user/{UserFactory().pk}/change/").content.decode()
    assert 'name="groups"' not in user_page
    assert 'name="user_permissions"' in user_page


@pytest.fixture
def records(alice, bob) -> dict:
    tweet = tweet_services.tweet_create(author=alice, content="a tweet to look at")
    tweet_services.like_create(user=bob, tweet=tweet)
    tweet_services.repost_create(user=bob, tweet=tweet)
    account_services.follow_create(follower=bob, followee=alice)
    report = moderation_services.report_create(reporter=bob, tweet_id=str(tweet.pk), reason="just checking")
    return {
        "tweets/tweet": tweet.pk,
        "accounts/follow": Follow.objects.get(follower=bob).pk,
        "moderation/report": report.pk,
    }


def _read_only_pages(records: dict) -> list[str]:
    from tweets.models import Like, Repost

    return [
        f"/admin/tweets/tweet/{records['tweets/tweet']}/change/",
        f"/admin/tweets/like/{Like.objects.get().pk}/change/",
        f"/admin/tweets/repost/{Repost.objects.get().pk}/change/",
        f"/admin/accounts/follow/{records['accounts/follow']}/change/",
        f"/admin/moderation/report/{records['moderation/report']}/change/",
    ]


def test_read_only_change_pages_have_no_save_buttons(admin, records):
    for url in _read_only_pages(records):
        response = admin.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for button in ('name="_save"', 'name="_continue"', 'name="_addanother"'):
            assert button not in html, (url, button)
        assert response.context["adminform"].form.fields == {}, url  # nothing editable on the page


def test_editable_user_page_keeps_its_save_buttons(admin, alice):
    html = admin.get(f"/admin/accounts/user/{alice.pk}/change/").content.decode()
    assert 'name="_save"' in html and 'name="_continue"' in html


def test_a_post_to_a_read_only_change_page_is_refused_and_changes_nothing(admin, records, alice, carol):
    follow_url = f"/admin/accounts/follow/{records['accounts/follow']}/change/"
    assert admin.post(follow_url, {"follower": carol.pk, "followee": alice.pk}).status_code == 403
    assert Follow.objects.get(pk=records["accounts/follow"]).follower.username == "bob"
    tweet_url = f"/admin/tweets/tweet/{records['tweets/tweet']}/change/"
    assert admin.post(tweet_url, {"content": "rewritten"}).status_code == 403
    assert Tweet.objects.get().content == "a tweet to look at"


def test_delete_still_works_from_a_read_only_page(admin, records):
    page = admin.get(f"/admin/tweets/tweet/{records['tweets/tweet']}/change/").content.decode()
    assert 'class="deletelink"' in page
    response = admin.post(f"/admin/tweets/tweet/{records['tweets/tweet']}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Tweet.objects.exists()


def test_user_changelist_has_six_short_columns(admin, alice):
    User.objects.filter(pk=alice.pk).update(display_name="A" * 50, email=f"{'e' * 60}@example.com")
    html = admin.get("/admin/accounts/user/").content.decode()
    assert column_headers(html) == ["names", "short_email", "status", "tweets", "followers", "joined"]
    assert "A" * 29 + "…" in html and "A" * 31 not in html.replace('title="' + "A" * 50, "")
    assert "e" * 39 + "…" in html
    assert 'style="overflow-wrap: anywhere"' in html  # long names wrap instead of widening the list
    assert re.search(r'class="field-joined">\d{4}-\d\d-\d\d \d\d:\d\d<', html)
    assert 'class="field-status">superuser<' in html and 'class="field-status">active<' in html


def test_tweet_changelist_has_seven_short_columns(admin, alice):
    tweet = tweet_services.tweet_create(author=alice, content="word " * 50)
    tweet_services.tweet_hide(tweet=tweet, reason="spam", by=alice)
    html = admin.get("/admin/tweets/tweet/").content.decode()
    assert column_headers(html) == ["id", "author_name", "short_content", "posted", "likes", "reposts", "hidden"]
    assert ("word " * 12).strip() + "…</span>" in html  # 59 characters and an ellipsis
    assert 'class="field-hidden"><img src="/static/admin/img/icon-yes.svg" alt="True">' in html


def test_the_navigation_sidebar_is_off(admin):
    # It takes 300 px of every list page; the index lists the same.
    assert 'id="nav-sidebar"' not in admin.get("/admin/tweets/tweet/").content.decode()


def test_report_queue_shows_short_dates(admin, records):
    html = admin.get("/admin/moderation/report/").content.decode()
    assert re.search(r'class="field-filed">\d{4}-\d\d-\d\d \d\d:\d\d<', html)
