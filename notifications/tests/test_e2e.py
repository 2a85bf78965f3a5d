"""End to end through a real `celery -A config worker` process and the real broker.

Transactional: the worker is another process and sees only committed rows.
"""

import time

import pytest
from django.db import transaction

from accounts.tests.factories import UserFactory
from feed.tests.conftest import make_users, wait_for
from notifications.models import Notification
from tweets import services as tweet_services

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_mention_of_50_users_reaches_all_50_lists_through_the_worker(
    worker_factory, live_celery, make_client, capsys
):
    author = UserFactory(username="announcer")
    users = make_users(50, "n")
    worker_factory()
    content = " ".join(f"@{u.username}" for u in users)
    with transaction.atomic():
        tweet = tweet_services.tweet_create(author=author, content=content)
        started = time.perf_counter()  # the task is published when this block commits
    assert wait_for(
        lambda: Notification.objects.filter(tweet=tweet, type="mention").count() == 50, timeout=20, interval=0.005
    )
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(
            "\n[notifications] commit -> a mention of 50 users in all 50 lists through a real worker: "
            f"{elapsed * 1000:.0f} ms"
        )
    for user in users:
        results = make_client(user).get("/api/notifications/").json()["results"]
        assert [(n["type"], n["actor"]["username"], n["tweet"]["id"]) for n in results] == [
            ("mention", "announcer", str(tweet.pk))
        ]
    assert elapsed < 10


def test_like_and_unlike_through_the_worker(worker_factory, live_celery, make_client):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    worker_factory()
    tweet = make_client(bob).post("/api/tweets/", {"content": "like me"}, format="json").json()
    client = make_client(alice)
    assert client.post(f"/api/tweets/{tweet['id']}/like/").status_code == 201
    assert wait_for(lambda: Notification.objects.filter(recipient=bob, type="like").exists())
    assert client.delete(f"/api/tweets/{tweet['id']}/like/").status_code == 204
    assert wait_for(lambda: not Notification.objects.filter(recipient=bob).exists())
