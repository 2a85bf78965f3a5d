"""Notification test helpers: run on-commit signals (and the eager tasks), read rows compactly;
the real-worker fixtures are the feed's (one Worker for the whole project)."""

import pytest

from feed.tests.conftest import live_celery, worker_env, worker_factory  # noqa: F401  (fixtures)
from notifications.models import Notification


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """`with commit(): ...` runs the on-commit signals, and so the (eager) tasks, at block end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def rows(user) -> list[tuple[str, str, int | None]]:  # type: ignore[no-untyped-def]
    """(type, actor username, tweet id) of every notification row of `user`, newest first."""
    return [
        (n.type, n.actor.username, n.tweet_id)
        for n in Notification.objects.filter(recipient=user).select_related("actor").order_by("-id")
    ]
