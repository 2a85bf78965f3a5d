"""Writes of the moderation app: filing reports, and the moderators' actions on them.

The actions on users and tweets are the accounts and tweets services themselves (they
write the moderation log when given the moderator); resolving is ours and logged too.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User, username_validator
from accounts.services import user_suspend
from core.audit import log_moderation
from moderation.models import REPORT_REASON_MAX_LENGTH, Report
from tweets.models import Tweet
from tweets.selectors import parse_tweet_id
from tweets.services import tweet_hide

# A suspension from the queue with no reason typed: the report's own words, shortened.
_DEFAULT_REASON_LENGTH = 200


def clean_reason(reason: str) -> str:
    """Trim; 1..1000 characters; no NUL, which PostgreSQL text cannot hold."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["This field may not be blank."]})
    if len(reason) > REPORT_REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": [f"Ensure this field has no more than {REPORT_REASON_MAX_LENGTH} characters."]}
        )
    if "\x00" in reason:
        raise ValidationError({"reason": ["Null characters are not allowed."]})
    return reason


def _reported_user(username: str) -> User:
    """The active user named `username` (any case), or a 400 on `user`: it is body input, not a URL."""
    user = None
    try:
        username_validator(username)
    except ValidationError:
        pass  # cannot exist (and a NUL byte would upset PostgreSQL)
    else:
        user = User.objects.active().filter(username__lower=username.lower()).first()
    if user is None:
        raise ValidationError({"user": ["No such user."]})
    return user


def _reported_tweet(tweet_id: str) -> Tweet:
    """A visible tweet (not hidden, author not suspended), or a 400 on `tweet`.

    Blocks do not matter: a blocked user may still report what they were shown.
    """
    try:
        pk = parse_tweet_id(tweet_id)
    except Http404 as exc:
        raise ValidationError({"tweet": ["No such tweet."]}) from exc
    tweet = Tweet.objects.visible().select_related("author").defer("search_vector").filter(pk=pk).first()
    if tweet is None:
        raise ValidationError({"tweet": ["No such tweet."]})
    return tweet


def report_create(*, reporter: User, reason: str, username: str | None = None, tweet_id: str | None = None) -> Report:
    """File a report on a user, or on one of their tweets (`username` may then be left out)."""
    reason = clean_reason(reason)
    tweet = _reported_tweet(tweet_id) if tweet_id is not None else None
    if username is None:
        if tweet is None:
            raise ValidationError({"user": ["Name the user, or the tweet, you report."]})
        user = tweet.author
        if user.pk == reporter.pk:
            raise ValidationError({"tweet": ["You cannot report your own tweet."]})
    else:
        user = _reported_user(username)
        if user.pk == reporter.pk:
            raise ValidationError({"user": ["You cannot report yourself."]})
        if tweet is not None and tweet.author_id != user.pk:
            raise ValidationError({"tweet": ["This tweet is not by that user."]})
    return Report.objects.create(reporter=reporter, user=user, tweet=tweet, reason=reason)


@transaction.atomic
def report_resolve(*, report: Report, by: User, reason: str = "") -> bool:
    """Close an open report (logged with the moderator and reason). Returns whether it changed."""
    now = timezone.now()
    changed = Report.objects.filter(pk=report.pk, status=Report.Status.OPEN).update(
        status=Report.Status.RESOLVED, resolved_at=now, resolved_by=by
    )
    if not changed:
        return False
    report.status, report.resolved_at, report.resolved_by = Report.Status.RESOLVED, now, by
    log_moderation(moderator=by, obj=report, action="Resolved the report", reason=reason)
    return True


def _resolve_all(reports: QuerySet[Report], *, by: User, reason: str) -> int:
    """Resolve each open report of `reports`, one log entry each. Returns how many."""
    return sum(
        report_resolve(report=report, by=by, reason=reason) for report in reports.filter(status=Report.Status.OPEN)
    )


@transaction.atomic
def report_hide_tweet_and_resolve(*, report: Report, by: User, reason: str) -> int:
    """Hide the reported tweet (a reason is required) and resolve every open report on it.

    Returns how many reports were resolved.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Hiding a tweet needs a reason."]})
    tweet = Tweet.objects.filter(pk=report.tweet_id).first() if report.tweet_id is not None else None
    if tweet is None:
        raise ValidationError({"tweet": [f"Report {report.pk} names no tweet (or it was deleted)."]})
    tweet_hide(tweet=tweet, reason=reason, by=by)
    return _resolve_all(Report.objects.filter(tweet=tweet), by=by, reason=f"tweet hidden: {reason}")


@transaction.atomic
def report_suspend_user_and_resolve(*, report: Report, by: User, reason: str = "") -> int:
    """Suspend the reported user and resolve every open report on them.

    Without a reason, the report's own is logged. Returns how many reports were resolved.
    """
    if report.user_id == by.pk:
        raise ValidationError({"user": ["You cannot suspend yourself."]})
    reason = reason.strip() or f"report {report.pk}: {report.reason[:_DEFAULT_REASON_LENGTH]}"
    user_suspend(user=report.user, by=by, reason=reason)
    return _resolve_all(Report.objects.filter(user_id=report.user_id), by=by, reason=f"user suspended: {reason}")
