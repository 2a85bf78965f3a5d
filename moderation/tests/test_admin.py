"""The moderation console: the report queue and its actions, and the tweet and user actions,
through the admin's changelist POSTs; every action leaves a LogEntry with moderator and reason."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tests.factories import UserFactory
from moderation import services
from moderation.models import Report
from tweets import services as tweet_services
from tweets.models import Tweet

pytestmark = pytest.mark.django_db

QUEUE = "/admin/moderation/report/"
TWEETS = "/admin/tweets/tweet/"
USERS = "/admin/accounts/user/"


@pytest.fixture
def root(db) -> User:
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin(root) -> Client:
    client = Client()
    client.force_login(root)
    return client


def log_of(obj) -> list[tuple[int, int, str]]:  # type: ignore[no-untyped-def]
    """(moderator id, action flag, message) of each LogEntry on `obj`, oldest first."""
    rows = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
    return list(rows.order_by("pk").values_list("user_id", "action_flag", "change_message"))


def act(admin: Client, url: str, action: str, ids: list[int], reason: str = ""):  # type: ignore[no-untyped-def]
    response = admin.post(url, {"action": action, "_selected_action": ids, "reason": reason}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def reported(alice, bob, carol) -> dict:
    """Bob's tweet reported by alice and carol; carol reported as a user by alice."""
    tweet = tweet_services.tweet_create(author=bob, content="<b>abusive</b> words")
    return {
        "tweet": tweet,
        "on_tweet": services.report_create(reporter=alice, tweet_id=str(tweet.pk), reason="abusive"),
        "on_tweet_too": services.report_create(reporter=carol, tweet_id=str(tweet.pk), reason="<script>x</script>"),
        "on_user": services.report_create(reporter=alice, username="carol", reason="spam account"),
    }


def test_queue_lists_with_status_filter_links_and_escaping(admin, reported):
    services.report_resolve(report=reported["on_user"], by=User.objects.get(username="root"))
    response = admin.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/admin/tweets/tweet/{reported["tweet"].pk}/change/"' in html
    assert f'href="/admin/accounts/user/{reported["on_tweet"].user_id}/change/"' in html
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    open_ids = {r.pk for r in admin.get(QUEUE, {"status__exact": "open"}).context["cl"].result_list}
    assert open_ids == {reported["on_tweet"].pk, reported["on_tweet_too"].pk}
    resolved = {r.pk for r in admin.get(QUEUE, {"status__exact": "resolved"}).context["cl"].result_list}
    assert resolved == {reported["on_user"].pk}
    page = admin.get(f"{QUEUE}{reported['on_tweet'].pk}/change/")
    assert page.status_code == 200
    assert "&lt;b&gt;abusive&lt;/b&gt; words" in page.content.decode()
    # The queue's query count does not grow with the number of reports.
    with CaptureQueriesContext(connection) as few:
        assert admin.get(QUEUE).status_code == 200
    for n in range(20):
        services.report_create(reporter=UserFactory(), username="bob", reason=f"more {n}")
    with CaptureQueriesContext(connection) as many:
        assert admin.get(QUEUE).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries) <= 6


def test_reports_are_not_added_or_deleted_in_the_admin(admin, reported):
    assert admin.get(f"{QUEUE}add/").status_code == 403
    assert admin.get(f"{QUEUE}{reported['on_user'].pk}/delete/").status_code == 403


def test_resolve_action(admin, root, reported):
    html = act(admin, QUEUE, "resolve", [reported["on_user"].pk], reason="looked fine")
    assert "Resolved for 1 report(s)." in html
    report = Report.objects.get(pk=reported["on_user"].pk)
    assert (report.status, report.resolved_by_id) == (Report.Status.RESOLVED, root.pk)
    assert log_of(report) == [(root.pk, CHANGE, "Resolved the report. Reason: looked fine")]
    # Without a reason too; an already resolved one is left alone.
    act(admin, QUEUE, "resolve", [reported["on_user"].pk, reported["on_tweet"].pk])
    assert log_of(reported["on_tweet"]) == [(root.pk, CHANGE, "Resolved the report.")]
    assert len(log_of(report)) == 1


def test_hide_tweet_and_resolve_action(admin, root, make_client, alice, reported):
    tweet = reported["tweet"]
    html = act(admin, QUEUE, "hide_tweet_and_resolve", [reported["on_tweet"].pk], reason="harassment")
    assert "Hid the tweet and resolved for 1 report(s)." in html
    tweet.refresh_from_db()
    assert tweet.hidden_at is not None
    assert tweet.hidden_reason == "harassment"
    assert log_of(tweet) == [(root.pk, CHANGE, "Hid the tweet. Reason: harassment")]
    for key in ("on_tweet", "on_tweet_too"):
        report = Report.objects.get(pk=reported[key].pk)
        assert report.status == Report.Status.RESOLVED
        assert log_of(report) == [(root.pk, CHANGE, "Resolved the report. Reason: tweet hidden: harassment")]
    assert Report.objects.get(pk=reported["on_user"].pk).status == Report.Status.OPEN
    assert make_client(alice).get(f"/api/tweets/{tweet.pk}/").status_code == 404


def test_hide_from_the_queue_without_a_reason_is_refused(admin, reported):
    html = act(admin, QUEUE, "hide_tweet_and_resolve", [reported["on_tweet"].pk], reason="   ")
    assert "Hiding a tweet needs a reason" in html
    assert Tweet.objects.get(pk=reported["tweet"].pk).hidden_at is None
    assert Report.objects.get(pk=reported["on_tweet"].pk).status == Report.Status.OPEN
    assert not LogEntry.objects.exists()


def test_hide_from_a_report_without_a_tweet_says_so(admin, reported):
    html = act(admin, QUEUE, "hide_tweet_and_resolve", [reported["on_user"].pk], reason="x")
    assert f"Report {reported['on_user'].pk}: Report {reported['on_user'].pk} names no tweet" in html
    assert Report.objects.get(pk=reported["on_user"].pk).status == Report.Status.OPEN


def test_suspend_user_and_resolve_action(admin, root, make_client, carol, reported):
    client = make_client(carol)
    assert client.get("/api/users/me/").status_code == 200
    html = act(admin, QUEUE, "suspend_user_and_resolve", [reported["on_user"].pk], reason="spam account")
    assert "Suspended the user and resolved for 1 report(s)." in html
    carol.refresh_from_db()
    assert not carol.is_active
    assert log_of(carol) == [(root.pk, CHANGE, "Suspended the user. Reason: spam account")]
    report = Report.objects.get(pk=reported["on_user"].pk)
    assert log_of(report) == [(root.pk, CHANGE, "Resolved the report. Reason: user suspended: spam account")]
    assert client.get("/api/users/me/").status_code == 401
    # The queue marks the suspended user.
    assert "carol</a> (suspended)" in admin.get(QUEUE).content.decode()


def test_tweet_admin_hide_without_a_reason_is_refused_with_a_message(admin, alice):
    tweet = tweet_services.tweet_create(author=alice, content="x")
    html = act(admin, TWEETS, "hide", [tweet.pk], reason="")
    assert "Hiding a tweet needs a reason" in html
    assert Tweet.objects.get(pk=tweet.pk).hidden_at is None
    assert not LogEntry.objects.exists()


def test_tweet_admin_hide_and_unhide_are_logged(admin, root, alice):
    tweet = tweet_services.tweet_create(author=alice, content="x")
    assert "Hid 1 tweet(s)." in act(admin, TWEETS, "hide", [tweet.pk], reason=" spam ")
    assert "Unhid 1 tweet(s)." in act(admin, TWEETS, "unhide", [tweet.pk], reason="appeal")
    assert log_of(tweet) == [
        (root.pk, CHANGE, "Hid the tweet. Reason: spam"),
        (root.pk, CHANGE, "Unhid the tweet. Reason: appeal"),
    ]
    # The admin's own history page of the tweet shows them.
    history = admin.get(f"{TWEETS}{tweet.pk}/history/").content.decode()
    assert "Hid the tweet. Reason: spam" in history


def test_user_admin_suspend_and_unsuspend_are_logged(admin, root, bob):
    assert "Suspended 1 user(s)." in act(admin, USERS, "suspend", [bob.pk], reason="ban evasion")
    assert "Unsuspended 1 user(s)." in act(admin, USERS, "unsuspend", [bob.pk])
    assert log_of(bob) == [
        (root.pk, CHANGE, "Suspended the user. Reason: ban evasion"),
        (root.pk, CHANGE, "Lifted the suspension."),
    ]


def test_staff_without_permissions_cannot_use_the_queue(reported):
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    assert client.get(QUEUE).status_code == 403
    client.post(QUEUE, {"action": "resolve", "_selected_action": [reported["on_user"].pk]})
    assert Report.objects.get(pk=reported["on_user"].pk).status == Report.Status.OPEN
