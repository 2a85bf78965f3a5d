"""The judges: Mastodon.py and toot against a real Chirp server (gunicorn + a Celery worker).

As the other system tests do (tests/system): gunicorn in its own process on the
committed test database, our Redis database and broker, and a real Celery worker
(feed/tests/conftest.py), both shared by the module's tests. Side effects (fan-out into
feeds, notifications) arrive from the worker after the request returns, so where a test
reads them right after an action it polls for them, bounded (`eventually`), never sleeps.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple, TypeVar

import pytest
import requests
from mastodon import Mastodon, MastodonAPIError, MastodonNotFoundError

from accounts.tests.factories import PASSWORD
from devtools.servers import AppServer
from feed.tests.conftest import Worker, wait_for
from mastodon_api.tests.clients import approve_in_browser, check

pytestmark = pytest.mark.django_db(transaction=True)  # committed rows: the server reads them

OOB = "urn:ietf:wg:oauth:2.0:oob"
SCOPES = ["read", "write", "follow", "push"]
T = TypeVar("T")


class Chirp(NamedTuple):
    server: AppServer
    worker: Worker


@pytest.fixture(scope="module")
def chirp(worker_env, tmp_path_factory) -> Iterator[Chirp]:  # type: ignore[no-untyped-def]
    """One gunicorn and one Celery worker for the module, on the test database, Redis and broker
    (worker_env: DATABASE_URL = devtools.testing.test_database_url(), the settings' REDIS_URL and broker)."""
    server = AppServer({**worker_env, "CONN_MAX_AGE": "0"})
    worker = Worker(worker_env, tmp_path_factory.mktemp("mastodon-worker"))
    with ThreadPoolExecutor(1) as pool:  # both boot (and stop) at once
        try:
            booting = pool.submit(server.start)
            worker.start()
            booting.result()
            yield Chirp(server, worker)
        finally:
            stopping = pool.submit(server.stop)
            worker.stop()
            stopping.result()


@pytest.fixture
def base_url(chirp, live_celery) -> str:  # type: ignore[no-untyped-def]
    """The server's URL; this process publishes its tasks to the broker too (not inline)."""
    return chirp.server.url


def eventually(fetch: Callable[[], T], ok: Callable[[T], bool], what: str, timeout: float = 20.0) -> T:
    """Poll `fetch` until `ok` holds for its result (the worker's side effect arrived); returns it."""
    last: list[T] = []

    def probe() -> bool:
        last[:] = [fetch()]
        return ok(last[0])

    assert wait_for(probe, timeout=timeout, interval=0.1), f"{what} within {timeout} s; last: {last[0]!r}"
    return last[0]


@pytest.fixture
def sessions():  # type: ignore[no-untyped-def]
    """HTTP sessions, closed after the test (no kept-alive connection outlives it)."""
    opened: list[requests.Session] = []

    def make() -> requests.Session:
        opened.append(requests.Session())
        return opened[-1]

    yield make
    for session in opened:
        session.close()


def _password_client(base_url: str, login: str, session: requests.Session) -> Mastodon:
    client_id, client_secret = Mastodon.create_app("Chirp tests", api_base_url=base_url, scopes=SCOPES, session=session)
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base_url, session=session)
    api.log_in(username=login, password=PASSWORD, scopes=SCOPES)
    return api


def _oob_client(base_url: str, login: str, session: requests.Session) -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        "Chirp tests (browser)", api_base_url=base_url, scopes=SCOPES, redirect_uris=OOB, session=session
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base_url, session=session)
    url = api.auth_request_url(redirect_uris=OOB, scopes=SCOPES)
    code = approve_in_browser(url, login, PASSWORD)
    api.log_in(code=code, redirect_uri=OOB, scopes=SCOPES)
    return api


def test_mastodon_py_signs_in_and_does_everything(base_url, chirp, sessions, alice, bob, carol, dave):
    base = base_url
    a = _password_client(base, "alice@example.com", sessions())  # password grant, by email
    b = _oob_client(base, "bob", sessions())  # out-of-band authorization code, signed in by username

    me = check("CredentialAccount", a.account_verify_credentials())
    assert me.username == "alice"
    assert b.account_verify_credentials().username == "bob"
    assert a.instance().version.startswith("4.2.0")

    # bob follows alice, found by account_lookup
    found = check("Account", b.account_lookup("alice"))
    rel = check("Relationship", b.account_follow(found.id))
    assert rel.following is True

    # alice posts (mention and hashtag); bob replies
    first = check("Status", a.status_post("Hello @bob, welcome to #Chirp <3"))
    assert '<a href="' in first.content and "&lt;3" in first.content
    assert [m.username for m in first.mentions] == ["bob"] and [t.name for t in first.tags] == ["chirp"]
    reply = check("Status", b.status_post("@alice thanks!", in_reply_to_id=first.id))
    assert reply.in_reply_to_id == first.id and reply.in_reply_to_account_id == me.id
    context = check("Context", a.status_context(first.id))
    assert [s.id for s in context.descendants] == [reply.id]

    # more tweets, then bob pages his home timeline with fetch_next / fetch_previous
    posted = [a.status_post(f"tweet number {i}").id for i in range(5)]
    expected = set(posted) | {first.id, reply.id}
    eventually(lambda: {s.id for s in b.timeline_home(limit=40)}, expected.issubset, "fan-out into bob's home")
    page = b.timeline_home(limit=2)
    seen = []
    while page:
        for status in page:
            check("Status", status)
        seen += [s.id for s in page]
        page = b.fetch_next(page)
    assert len(seen) == len(set(seen))
    assert set(posted) | {first.id, reply.id} <= set(seen)
    assert seen.index(posted[-1]) < seen.index(posted[0])  # newest first
    newer = a.status_post("arrived after the first page")
    top = eventually(lambda: b.timeline_home(limit=2), lambda t: bool(t) and t[0].id == newer.id, "newest on top")
    assert top[0].id == newer.id
    previous = b.fetch_previous(b.timeline_home(max_id=newer.id, limit=2))
    assert [s.id for s in previous] == [newer.id]

    # favourite and reblog; the reblog is a wrapper status with its own id
    fav = b.status_favourite(first.id)
    assert fav.favourited is True and fav.favourites_count == 1
    wrapper = check("Status", b.status_reblog(first.id))
    assert wrapper.reblog.id == first.id and wrapper.id != first.id and wrapper.account.username == "bob"
    assert b.status(wrapper.id).reblog.id == first.id

    # alice's notifications: follow, favourite, reblog and the reply as a mention
    kinds = {"follow", "favourite", "reblog", "mention"}
    notes = eventually(a.notifications, lambda ns: kinds <= {n.type for n in ns}, "alice's notifications")
    for note in notes:
        check("Notification", note)
    assert kinds <= {n.type for n in notes}
    assert a.notifications(id=notes[0].id).id == notes[0].id

    # blocks and mutes
    assert b.account_block(b.account_lookup("carol").id).blocking is True
    assert b.account_mute(b.account_lookup("dave").id).muting is True
    rels = b.account_relationships([carol.pk, dave.pk])
    assert [(r.blocking, r.muting) for r in rels] == [(True, False), (False, True)]

    # search
    results = check("Search", b.search_v2("welcome"))
    assert [s.id for s in results.statuses] == [first.id]
    assert "alice" in [acc.username for acc in b.search_v2("alice", result_type="accounts").accounts]

    # stubs answer empty
    assert a.custom_emojis() == [] and a.filters() == [] and a.lists() == []

    # delete, and the same data through the native API's eyes
    deleted = a.status_delete(posted[0])
    assert deleted.text == "tweet number 0"
    a.notifications_clear()
    assert a.notifications() == []

    # the side effects above were the worker's, not run inline by the server
    log = chirp.worker.log_path.read_text(errors="replace")
    for task in ("feed.tasks.fan_out", "notifications.tasks.notify_like", "notifications.tasks.notify_repost"):
        assert re.search(rf"Task {re.escape(task)}\[[^\]]+\] succeeded", log), (
            f"{task} not run by the worker:\n{chirp.worker.log_text()}"
        )


def test_mastodon_py_start_up_calls(base_url, sessions, alice, bob, carol):
    """What apps call at start-up and from their main screens (DESIGN.md section 7, last paragraph)."""
    a = _password_client(base_url, "alice", sessions())
    b = _password_client(base_url, "bob", sessions())
    c = _password_client(base_url, "carol", sessions())
    assert a.follow_requests() == []

    first = a.status_post("Start-up #Chirp calls")
    second = a.status_post("another #chirp one, for #apps")
    # favourites: newest favourite first; paged by the favourite's id with fetch_next
    b.status_favourite(second.id)
    b.status_favourite(first.id)
    c.status_favourite(first.id)
    favourites = b.favourites()
    assert [s.id for s in favourites] == [first.id, second.id] and all(s.favourited for s in favourites)
    page = b.favourites(limit=1)
    assert [s.id for s in page] == [first.id]
    assert [s.id for s in b.fetch_next(page)] == [second.id]
    # who favourited, who reblogged: accounts, newest first
    assert [acct.username for acct in a.status_favourited_by(first.id)] == ["carol", "bob"]
    c.status_reblog(first.id)
    assert [acct.username for acct in a.status_reblogged_by(first.id)] == ["carol"]

    # bookmarks: private to bob, no counter, no notification
    marked = check("Status", b.status_bookmark(second.id))
    assert marked.bookmarked is True and marked.favourites_count == 1
    assert [s.id for s in b.bookmarks()] == [second.id] and b.bookmarks()[0].bookmarked is True
    assert a.status(second.id).bookmarked is False and a.bookmarks() == []
    assert b.status_unbookmark(second.id).bookmarked is False and b.bookmarks() == []

    # trending tags: section 6's list as Tag entities with a week of history
    tags = a.trending_tags()
    assert [tag.name for tag in tags] == ["chirp", "apps"]
    assert len(tags[0].history) == 7 and tags[0].history[0].uses == "2" and tags[0].history[0].accounts == "1"

    # the profile, through the native limits
    me = check("CredentialAccount", a.account_update_credentials(display_name="Alice A.", note="Counts things"))
    assert (me.display_name, me.source.note) == ("Alice A.", "Counts things")
    assert b.account(me.id).display_name == "Alice A."
    with pytest.raises(MastodonAPIError) as refused:
        a.account_update_credentials(note="x" * 161)
    assert refused.value.args[1] == 422
    assert a.account_verify_credentials().source.note == "Counts things"  # nothing changed

    # pinned statuses: none; another account's status cannot be deleted (Mastodon's 404)
    assert a.account_statuses(me.id, pinned=True) == []
    with pytest.raises(MastodonNotFoundError):
        b.status_delete(first.id)
    assert a.status(first.id).id == first.id


def _toot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "toot", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_toot_logs_in_posts_reads_and_whois(base_url, alice, tmp_path):
    login = _toot(tmp_path, "login_cli", "--instance", base_url, "--email", "alice@example.com", "--password", PASSWORD)
    assert login.returncode == 0, login.stdout + login.stderr
    assert "Successfully logged in" in login.stdout

    post = _toot(tmp_path, "post", "Posted from toot #cli")
    assert post.returncode == 0, post.stdout + post.stderr
    assert "Toot posted" in post.stdout

    # The fan-out into alice's own home timeline is the worker's: wait for it with toot's token.
    config = json.loads((tmp_path / "toot" / "config.json").read_text())
    token = config["users"][config["active_user"]]["access_token"]
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        eventually(
            lambda: session.get(f"{base_url}/api/v1/timelines/home", timeout=10).text,
            lambda body: "Posted from toot" in body,
            "the toot in alice's home timeline",
        )

    timeline = _toot(tmp_path, "timelines", "home", "--no-pager", "--no-clear")
    assert timeline.returncode == 0, timeline.stdout + timeline.stderr
    assert "Posted from toot" in timeline.stdout

    whois = _toot(tmp_path, "whois", "alice")
    assert whois.returncode == 0, whois.stdout + whois.stderr
    assert "@alice" in whois.stdout
