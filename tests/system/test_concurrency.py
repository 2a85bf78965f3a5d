"""Concurrency: 50 clients at once liking, reposting, following, unfollowing, blocking and
muting the same targets, while the targets block and unblock them.

Real HTTP against gunicorn (2 processes x 8 threads) on the committed test database.
Half the clients share an account with another client, so the same user races with
itself (double-clicks, retries). At the end every counter equals its rows, no row is
duplicated, no follow survives across a block, and no request got a 5xx. A tweet deleted
in the middle of the storm gives 404s, never a 500; a block gives 403s.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db.models import Count
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Block, Follow, Mute, User
from accounts.tests.factories import UserFactory
from devtools.servers import AppServer
from devtools.testing import test_database_url
from tweets import services as tweet_services
from tweets.models import Like, Repost, Tweet

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CLIENTS = 50
OPS_PER_CLIENT = 10
BLOCKERS = 4  # clients of the targets, blocking and unblocking the racers meanwhile


@pytest.fixture
def app_server():
    server = AppServer(
        {
            "DATABASE_URL": test_database_url(),
            # Fan-out and indexing run inline here: the test is about the write path's races.
            "CELERY_TASK_ALWAYS_EAGER": "1",
            "CONN_MAX_AGE": "0",
        },
        workers=2,
        threads=8,
    )
    server.start()
    yield server
    server.stop()


def test_fifty_clients_racing_on_the_same_targets(app_server):
    author = UserFactory(username="target_author")
    UserFactory(username="star")
    tweet = tweet_services.tweet_create(author=author, content="everyone likes this")
    doomed = tweet_services.tweet_create(author=author, content="deleted mid-storm")
    users = [UserFactory(username=f"racer{i}") for i in range(CLIENTS // 2)]
    tokens = {u.pk: str(RefreshToken.for_user(u).access_token) for u in users}
    author_token = str(RefreshToken.for_user(author).access_token)
    star = User.objects.get(username="star")
    target_tokens = [author_token, str(RefreshToken.for_user(star).access_token)]
    url = app_server.url
    start = threading.Barrier(CLIENTS + BLOCKERS + 1)
    statuses: Counter[tuple[str, int]] = Counter()
    lock = threading.Lock()

    actions = [
        ("POST", f"/api/tweets/{tweet.pk}/like/"),
        ("DELETE", f"/api/tweets/{tweet.pk}/like/"),
        ("POST", f"/api/tweets/{tweet.pk}/repost/"),
        ("DELETE", f"/api/tweets/{tweet.pk}/repost/"),
        ("POST", "/api/users/star/follow/"),
        ("DELETE", "/api/users/star/follow/"),
        ("POST", f"/api/tweets/{doomed.pk}/like/"),
        ("POST", f"/api/tweets/{doomed.pk}/repost/"),
        ("POST", "/api/users/target_author/follow/"),
        ("POST", f"/api/tweets/{doomed.pk}/replies/"),
        ("POST", f"/api/tweets/{tweet.pk}/replies/"),
        ("POST", "/api/users/star/block/"),
        ("DELETE", "/api/users/star/block/"),
        ("POST", "/api/users/target_author/mute/"),
        ("DELETE", "/api/users/target_author/mute/"),
    ]

    def client(index: int) -> None:
        user = users[index % len(users)]  # two clients per account
        rng = random.Random(index)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {tokens[user.pk]}"
        start.wait(timeout=60)
        for _ in range(OPS_PER_CLIENT):
            method, path = rng.choice(actions)
            body = {"content": f"reply from {user.username}"} if path.endswith("replies/") else None
            response = session.request(method, url + path, json=body, timeout=60)
            with lock:
                statuses[(f"{method} {path.split('/')[-2]}", response.status_code)] += 1

    def blocker(index: int) -> None:
        """The targets block and unblock racers, racing the racers' follows, likes and replies."""
        rng = random.Random(1000 + index)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {target_tokens[index % 2]}"
        start.wait(timeout=60)
        for _ in range(OPS_PER_CLIENT):
            method = rng.choice(["POST", "POST", "DELETE"])
            response = session.request(method, f"{url}/api/users/{rng.choice(users).username}/block/", timeout=60)
            with lock:
                statuses[(f"{method} target-block", response.status_code)] += 1

    def delete_doomed() -> int:
        start.wait(timeout=60)
        response = requests.delete(
            f"{url}/api/tweets/{doomed.pk}/", headers={"Authorization": f"Bearer {author_token}"}, timeout=60
        )
        return response.status_code

    with ThreadPoolExecutor(CLIENTS + BLOCKERS + 1) as pool:
        futures = [pool.submit(client, i) for i in range(CLIENTS)]
        futures += [pool.submit(blocker, i) for i in range(BLOCKERS)]
        deleted = pool.submit(delete_doomed)
        for future in futures:
            future.result()
    assert deleted.result() == 204

    # 403: a block stands between the racer and the target (either may have made it).
    allowed = {
        "POST like": {200, 201, 403, 404},
        "DELETE like": {204, 403, 404},
        "POST repost": {200, 201, 403, 404},
        "DELETE repost": {204, 403, 404},
        "POST follow": {200, 201, 403},
        "DELETE follow": {204},
        "POST replies": {201, 403, 404},
        "POST block": {200, 201},
        "DELETE block": {204},
        "POST mute": {200, 201},
        "DELETE mute": {204},
        "POST target-block": {200, 201},
        "DELETE target-block": {204},
    }
    unexpected = {key: n for key, n in statuses.items() if key[1] not in allowed[key[0]]}
    assert not unexpected, f"unexpected statuses: {unexpected} (all: {dict(statuses)})"
    assert sum(statuses.values()) == (CLIENTS + BLOCKERS) * OPS_PER_CLIENT
    # The doomed tweet was only 404 for actions that came after its deletion.
    assert not Tweet.objects.filter(pk=doomed.pk).exists()

    tweet.refresh_from_db()
    assert tweet.num_likes == Like.objects.filter(tweet=tweet).count()
    assert tweet.num_reposts == Repost.objects.filter(tweet=tweet).count()
    assert tweet.num_replies == Tweet.objects.filter(in_reply_to=tweet).count()
    # No follow survived (or was created) across a block, whichever committed first.
    for block in Block.objects.all():
        assert not Follow.objects.filter(follower=block.user, followee=block.target).exists(), block
        assert not Follow.objects.filter(follower=block.target, followee=block.user).exists(), block
    assert not Like.objects.filter(tweet=doomed.pk).exists()
    for user in User.objects.all():
        assert user.num_followers == Follow.objects.filter(followee=user).count(), user
        assert user.num_following == Follow.objects.filter(follower=user).count(), user
    for model, fields in (
        (Like, ("user", "tweet")),
        (Repost, ("user", "tweet")),
        (Follow, ("follower", "followee")),
        (Block, ("user", "target")),
        (Mute, ("user", "target")),
    ):
        duplicates = model.objects.values(*fields).annotate(n=Count("id")).filter(n__gt=1)
        assert not duplicates.exists(), (model.__name__, list(duplicates))
    # The storm really raced: both outcomes of the idempotent endpoints happened.
    assert statuses[("POST like", 201)] and statuses[("POST like", 200)]
    assert statuses[("POST follow", 201)] and statuses[("POST follow", 200)]
    assert statuses[("POST target-block", 201)] and any(code == 403 for _, code in statuses)
