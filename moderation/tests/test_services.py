"""Moderation services: each action writes the admin's LogEntry with the moderator and the reason."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from accounts import services as account_services
from accounts.models import User
from moderation import services
from moderation.models import Report
from tweets import services as tweet_services
from tweets.models import Tweet

pytestmark = pytest.mark.django_db


def entries_for(obj) -> list[LogEntry]:  # type: ignore[no-untyped-def]
    content_type = ContentType.objects.get_for_model(obj)
    return list(LogEntry.objects.filter(content_type=content_type, object_id=str(obj.pk)).order_by("pk"))


def the_entry(obj, moderator) -> LogEntry:  # type: ignore[no-untyped-def]
    (entry,) = entries_for(obj)
    assert entry.user_id == moderator.pk
    assert entry.action_flag == CHANGE
    return entry


def test_hide_and_unhide_with_a_moderator_are_logged(staff, alice):
    tweet = tweet_services.tweet_create(author=alice, content="bad")
    assert tweet_services.tweet_hide(tweet=tweet, reason="  slur  ", by=staff)
    entry = the_entry(tweet, staff)
    assert entry.change_message == "Hid the tweet. Reason: slur"
    assert tweet.hidden_at is not None
    assert Tweet.objects.get(pk=tweet.pk).hidden_reason == "slur"
    # A no-op (already hidden) changes and logs nothing.
    assert not tweet_services.tweet_hide(tweet=tweet, reason="again", by=staff)
    assert len(entries_for(tweet)) == 1
    assert tweet_services.tweet_unhide(tweet=tweet, by=staff, reason="appeal granted")
    assert entries_for(tweet)[-1].change_message == "Unhid the tweet. Reason: appeal granted"


def test_a_moderator_cannot_hide_without_a_reason(staff, alice):
    tweet = tweet_services.tweet_create(author=alice, content="bad")
    with pytest.raises(ValidationError) as exc:
        tweet_services.tweet_hide(tweet=tweet, reason="   ", by=staff)
    assert "reason" in exc.value.message_dict
    assert Tweet.objects.get(pk=tweet.pk).hidden_at is None
    assert entries_for(tweet) == []


def test_system_hides_and_suspensions_without_a_moderator_are_not_logged(alice):
    tweet = tweet_services.tweet_create(author=alice, content="x")
    tweet_services.tweet_hide(tweet=tweet, reason="")
    account_services.user_suspend(user=alice)
    assert not LogEntry.objects.exists()


def test_suspend_and_unsuspend_are_logged(staff, bob):
    assert account_services.user_suspend(user=bob, by=staff, reason="spam bot")
    assert not account_services.user_suspend(user=bob, by=staff, reason="twice")
    assert the_entry(bob, staff).change_message == "Suspended the user. Reason: spam bot"
    assert account_services.user_unsuspend(user=bob, by=staff)
    assert entries_for(bob)[-1].change_message == "Lifted the suspension."
    assert User.objects.get(pk=bob.pk).is_active


def test_resolve_is_logged_once(staff, alice, bob):
    report = services.report_create(reporter=alice, username="bob", reason="spam")
    assert services.report_resolve(report=report, by=staff, reason="not spam")
    assert not services.report_resolve(report=report, by=staff, reason="again")
    report.refresh_from_db()
    assert (report.status, report.resolved_by) == (Report.Status.RESOLVED, staff)
    assert report.resolved_at is not None
    assert the_entry(report, staff).change_message == "Resolved the report. Reason: not spam"


def test_hide_and_resolve_resolves_every_open_report_on_the_tweet(staff, alice, bob, carol):
    tweet = tweet_services.tweet_create(author=bob, content="abuse")
    other = tweet_services.tweet_create(author=bob, content="fine")
    first = services.report_create(reporter=alice, tweet_id=str(tweet.pk), reason="abuse")
    second = services.report_create(reporter=carol, tweet_id=str(tweet.pk), reason="abuse too")
    unrelated = services.report_create(reporter=carol, tweet_id=str(other.pk), reason="meh")
    assert services.report_hide_tweet_and_resolve(report=first, by=staff, reason="abusive") == 2
    tweet.refresh_from_db()
    assert (tweet.hidden_reason, tweet.hidden_at is not None) == ("abusive", True)
    assert the_entry(tweet, staff).change_message == "Hid the tweet. Reason: abusive"
    for report in (first, second):
        report.refresh_from_db()
        assert report.status == Report.Status.RESOLVED
        assert the_entry(report, staff).change_message == "Resolved the report. Reason: tweet hidden: abusive"
    unrelated.refresh_from_db()
    assert unrelated.status == Report.Status.OPEN


def test_hide_and_resolve_needs_a_reason_and_a_tweet(staff, alice, bob):
    tweet = tweet_services.tweet_create(author=bob, content="abuse")
    report = services.report_create(reporter=alice, tweet_id=str(tweet.pk), reason="abuse")
    with pytest.raises(ValidationError):
        services.report_hide_tweet_and_resolve(report=report, by=staff, reason=" ")
    about_user = services.report_create(reporter=alice, username="bob", reason="abuse")
    with pytest.raises(ValidationError):
        services.report_hide_tweet_and_resolve(report=about_user, by=staff, reason="x")
    # The author deleted the tweet: the report stays (tweet NULL), hiding is not possible.
    tweet_services.tweet_delete(tweet=tweet, by=bob)
    report.refresh_from_db()
    assert report.tweet_id is None
    with pytest.raises(ValidationError):
        services.report_hide_tweet_and_resolve(report=report, by=staff, reason="x")
    assert not LogEntry.objects.exists()
    assert Report.objects.filter(status=Report.Status.OPEN).count() == 2


def test_suspend_and_resolve_resolves_every_open_report_on_the_user(staff, alice, bob, carol):
    tweet = tweet_services.tweet_create(author=bob, content="abuse")
    first = services.report_create(reporter=alice, username="bob", reason="troll")
    second = services.report_create(reporter=carol, tweet_id=str(tweet.pk), reason="abuse")
    other = services.report_create(reporter=alice, username="carol", reason="meh")
    assert services.report_suspend_user_and_resolve(report=first, by=staff, reason="") == 2
    assert not User.objects.get(pk=bob.pk).is_active
    assert the_entry(bob, staff).change_message == f"Suspended the user. Reason: report {first.pk}: troll"
    for report in (first, second):
        report.refresh_from_db()
        assert report.status == Report.Status.RESOLVED
    other.refresh_from_db()
    assert other.status == Report.Status.OPEN


def test_a_moderator_cannot_suspend_themselves_from_a_report(staff, alice):
    report = services.report_create(reporter=alice, username="moderator", reason="power trip")
    with pytest.raises(ValidationError):
        services.report_suspend_user_and_resolve(report=report, by=staff, reason="x")
    assert User.objects.get(pk=staff.pk).is_active


def test_report_create_checks_what_the_api_checks(alice, bob):
    with pytest.raises(ValidationError) as exc:
        services.report_create(reporter=alice, username="bob", reason="x" * 1001)
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.report_create(reporter=alice, reason="x")
    assert "user" in exc.value.message_dict
