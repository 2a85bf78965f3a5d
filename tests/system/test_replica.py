"""Read replicas against a real PostgreSQL streaming standby (DATABASE_REPLICA_URLS).

A throwaway primary and a hot standby made from it with `pg_basebackup -R`, both on
loopback; the app under gunicorn with DATABASE_REPLICA_URLS naming the standby. Reads are
proven to come from the standby by pausing its WAL replay (pg_wal_replay_pause) and
writing on the primary: a row then exists on the primary only, so whoever sees it read
the primary and whoever does not read the standby.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests

from devtools.servers import AppServer, ThrowawayPostgres, ThrowawayStandby, manage

pytestmark = [pytest.mark.slow]

NAME = "chirp_replica"
PIN_SECONDS = 2.0


class Stack:
    def __init__(self, primary: ThrowawayPostgres, standby: ThrowawayStandby, app: AppServer) -> None:
        self.primary, self.standby, self.app = primary, standby, app

    def replay(self, *, paused: bool) -> None:
        """Pause or resume the standby's WAL replay (it keeps receiving WAL meanwhile)."""
        with psycopg.connect(self.standby.url(NAME), autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")

    def get(self, path: str, headers: dict[str, str]) -> requests.Response:
        return requests.get(f"{self.app.url}{path}", headers=headers, timeout=30)

    def post(self, path: str, headers: dict[str, str], body: dict | None = None) -> requests.Response:
        return requests.post(f"{self.app.url}{path}", json=body or {}, headers=headers, timeout=30)

    def tweet_ids(self, username: str, headers: dict[str, str]) -> list[str]:
        response = self.get(f"/api/users/{username}/tweets/", headers)
        assert response.status_code == 200, response.text
        return [tweet["id"] for tweet in response.json()["results"]]


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    primary = ThrowawayPostgres()
    standby: ThrowawayStandby | None = None
    app: AppServer | None = None
    try:
        primary.start()
        env = {"DATABASE_URL": primary.create_database(NAME), "AUTH_THROTTLE_RATE": "10000/minute"}
        manage(env, "migrate", "--noinput", "-v", "0")
        standby = ThrowawayStandby(primary)
        standby.start()
        standby.wait_caught_up(NAME)
        env |= {
            "DATABASE_REPLICA_URLS": standby.url(NAME),
            "REPLICA_PIN_SECONDS": str(PIN_SECONDS),
            "REPLICA_RETRY_SECONDS": "1",
            "DB_CONNECT_TIMEOUT": "2",
            # Fan-out inline in the POST: no worker of another test meets this database.
            "CELERY_TASK_ALWAYS_EAGER": "true",
        }
        app = AppServer(env, threads=4)
        app.start()
        yield Stack(primary, standby, app)
    finally:
        if app is not None:
            app.stop()
        if standby is not None:
            standby.destroy()
        primary.destroy()


def test_reads_go_to_the_replica_and_a_writer_reads_its_writes_until_the_pin_expires(stack):
    alice, bob = stack.app.register("alice"), stack.app.register("bob")
    assert stack.post("/api/users/alice/follow/", bob).status_code == 201
    stack.standby.wait_caught_up(NAME)
    time.sleep(PIN_SECONDS + 0.5)  # bob's follow pinned him; let it expire

    stack.replay(paused=True)
    try:
        posted = stack.post("/api/tweets/", alice, {"content": "on the primary only"})
        assert posted.status_code == 201
        tweet_id = posted.json()["id"]
        # bob did not write: his reads go to the standby, which has not replayed the tweet.
        assert tweet_id not in stack.tweet_ids("alice", bob)
        assert stack.get(f"/api/tweets/{tweet_id}/", bob).status_code == 404
        # alice just wrote: pinned to the primary, she sees her tweet.
        assert tweet_id in stack.tweet_ids("alice", alice)
        assert stack.get(f"/api/tweets/{tweet_id}/", alice).status_code == 200
        # bob's feed holds the tweet (the fan-out read the primary); hydrating it on the
        # lagging standby finds nothing, so the feed asks the primary instead of dropping it.
        feed = stack.get("/api/feed/", bob)
        assert feed.status_code == 200
        assert [tweet["id"] for tweet in feed.json()["results"]] == [tweet_id]
        assert [tweet["id"] for tweet in stack.get("/api/feed/", bob).json()["results"]] == [tweet_id]

        time.sleep(PIN_SECONDS + 0.5)
        # The pin expired: alice reads the standby again, where her tweet is not yet.
        assert tweet_id not in stack.tweet_ids("alice", alice)
    finally:
        stack.replay(paused=False)
    stack.standby.wait_caught_up(NAME)
    assert tweet_id in stack.tweet_ids("alice", bob)
    assert tweet_id in stack.tweet_ids("alice", alice)


def test_replica_down_reads_fall_back_to_the_primary_and_return_after_it_restarts(stack):
    carol, dave = stack.app.register("carol"), stack.app.register("dave")
    stack.standby.wait_caught_up(NAME)
    time.sleep(PIN_SECONDS + 0.5)
    with ThreadPoolExecutor(8) as pool:  # every gunicorn thread holds a pooled standby connection
        warm = list(pool.map(lambda _: stack.get("/api/users/carol/tweets/", dave), range(16)))
    assert {response.status_code for response in warm} == {200}

    stack.standby.stop("immediate")
    try:
        posted = stack.post("/api/tweets/", carol, {"content": "while the replica is down"})
        assert posted.status_code == 201
        with ThreadPoolExecutor(8) as pool:
            during = list(pool.map(lambda _: stack.get("/api/users/carol/tweets/", dave), range(16)))
        assert [response.status_code for response in during] == [200] * 16
        # Served by the primary: the tweet written during the outage is there.
        assert all(posted.json()["id"] in [t["id"] for t in r.json()["results"]] for r in during)
        assert stack.get("/api/feed/", dave).status_code == 200
        assert '"message": "database: replica replica_0 is unreachable' in stack.app.log()
    finally:
        stack.standby.start()
    stack.standby.wait_caught_up(NAME)

    # Back in use once REPLICA_RETRY_SECONDS passed: shown again by a row only the primary has.
    time.sleep(1.5)
    stack.replay(paused=True)
    try:
        posted = stack.post("/api/tweets/", carol, {"content": "after the restart"})
        assert posted.status_code == 201
        time.sleep(PIN_SECONDS + 0.5)
        assert posted.json()["id"] not in stack.tweet_ids("carol", dave)
    finally:
        stack.replay(paused=False)


def test_a_mastodon_token_issued_a_moment_ago_authenticates_while_the_standby_lags(stack):
    """The token lookup (mastodon_api.auth) reads the standby; a token it does not have yet is
    looked up again on the primary, so a client's first request after signing in works."""
    stack.app.register("erin")
    app = requests.post(
        f"{stack.app.url}/api/v1/apps",
        json={"client_name": "lag test", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read"},
        timeout=30,
    ).json()
    stack.standby.wait_caught_up(NAME)
    stack.replay(paused=True)
    try:
        token = requests.post(
            f"{stack.app.url}/oauth/token",
            json={
                "grant_type": "password",
                "username": "erin",
                "password": "fault-test-pw-1234",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "scope": "read",
            },
            timeout=30,
        )
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        me = stack.get("/api/v1/accounts/verify_credentials", headers)
        assert me.status_code == 200, me.text
        assert me.json()["username"] == "erin"
        assert stack.get("/api/v1/accounts/verify_credentials", {"Authorization": "Bearer nope"}).status_code == 401
    finally:
        stack.replay(paused=False)
