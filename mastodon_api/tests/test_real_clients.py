"""The judges: Mastodon.py and toot against a live Chirp server (real HTTP, real PostgreSQL and Redis).

Side effects run after commit as in production; Celery runs them inline here (conftest), so
notifications and feeds are there when the next request comes.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from mastodon import Mastodon

from accounts.tests.factories import PASSWORD
from mastodon_api.tests.clients import approve_in_browser, check

pytestmark = pytest.mark.django_db(transaction=True)

OOB = "urn:ietf:wg:oauth:2.0:oob"
SCOPES = ["read", "write", "follow", "push"]


@pytest.fixture
def sessions():  # type: ignore[no-untyped-def]
    """HTTP sessions closed after the test: a kept-alive connection would keep a server thread,
    and its database connection, alive past the test database's teardown."""
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


def test_mastodon_py_signs_in_and_does_everything(live_server, sessions, alice, bob, carol, dave):
    base = live_server.url
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
    top = b.timeline_home(limit=2)
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
    notes = a.notifications()
    for note in notes:
        check("Notification", note)
    assert {"follow", "favourite", "reblog", "mention"} <= {n.type for n in notes}
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


def _toot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "toot", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_toot_logs_in_posts_reads_and_whois(live_server, alice, tmp_path):
    login = _toot(
        tmp_path, "login_cli", "--instance", live_server.url, "--email", "alice@example.com", "--password", PASSWORD
    )
    assert login.returncode == 0, login.stdout + login.stderr
    assert "Successfully logged in" in login.stdout

    post = _toot(tmp_path, "post", "Posted from toot #cli")
    assert post.returncode == 0, post.stdout + post.stderr
    assert "Toot posted" in post.stdout

    timeline = _toot(tmp_path, "timelines", "home", "--no-pager", "--no-clear")
    assert timeline.returncode == 0, timeline.stdout + timeline.stderr
    assert "Posted from toot" in timeline.stdout

    whois = _toot(tmp_path, "whois", "alice")
    assert whois.returncode == 0, whois.stdout + whois.stderr
    assert "@alice" in whois.stdout
