"""accounts.auth_cache: JWT authentication without the user row per request, while
suspension, unsuspension and password change still take effect on the very next request."""

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts import auth_cache, services
from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """`with commit(): ...` runs the on-commit callbacks (signals, cache deletes) at block end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


FEED = "/api/feed/"
ME = "/api/users/me/"


def user_row_reads(queries: CaptureQueriesContext) -> int:
    """Queries that read a user row by id (what authentication used to do every request)."""
    return sum(
        1
        for q in queries.captured_queries
        if q["sql"].lstrip().startswith('SELECT "accounts_user"."id"') and '"accounts_user"."id" =' in q["sql"]
    )


def login(client: APIClient, username: str, password: str = PASSWORD) -> str:
    response = client.post("/api/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["access"]


def test_warm_cache_serves_the_feed_without_reading_the_user(make_client, alice, commit):
    from tweets.services import tweet_create

    with commit():
        tweet_create(author=alice, content="hello")
    client = make_client(alice)
    with CaptureQueriesContext(connection) as cold:
        assert client.get(FEED).status_code == 200
    assert user_row_reads(cold) == 1  # the first request reads the row and caches the facts
    assert auth_cache.cached_state(alice.pk)[:2] == (True, None)
    with CaptureQueriesContext(connection) as warm:
        assert client.get(FEED).status_code == 200
    assert user_row_reads(warm) == 0
    assert len(warm) == 1  # only the feed's state query
    assert client.get(FEED).json()["results"][0]["content"] == "hello"


def test_views_that_use_the_user_read_it_fresh(make_client, alice):
    client = make_client(alice)
    client.get(FEED)  # warm
    User.objects.filter(pk=alice.pk).update(display_name="Alice Fresh")
    body = client.get(ME).json()
    assert body["display_name"] == "Alice Fresh" and body["username"] == "alice"


def test_suspension_refuses_a_cached_user_at_once(make_client, alice, commit):
    client = make_client(alice)
    assert client.get(FEED).status_code == 200
    assert auth_cache.cached_state(alice.pk) is not None
    with commit():
        services.user_suspend(user=alice)
    response = client.get(FEED)
    assert response.status_code == 401
    assert auth_cache.cached_state(alice.pk) is None  # an inactive user is never cached
    with commit():
        services.user_unsuspend(user=alice)
    assert client.get(FEED).status_code == 200


def test_password_change_refuses_older_tokens_at_once(alice):
    api = APIClient()
    old = login(api, "alice")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {old}")
    assert client.get(FEED).status_code == 200  # facts cached
    response = client.post(
        "/api/auth/password/", {"old_password": PASSWORD, "new_password": "violet-tractor-umbrella-42"}, format="json"
    )
    assert response.status_code in (200, 204), response.content
    refused = client.get(FEED)
    assert refused.status_code == 401 and "password change" in refused.json()["detail"]
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {login(api, 'alice', 'violet-tractor-umbrella-42')}")
    assert fresh.get(FEED).status_code == 200


def test_admin_edit_forgets_the_facts(make_client, alice):
    make_client(alice).get(FEED)
    assert auth_cache.cached_state(alice.pk) is not None
    alice.is_active = False
    services.user_admin_save(user=alice, change=True)
    assert auth_cache.cached_state(alice.pk) is None
    assert make_client(alice).get(FEED).status_code == 401


def test_cache_entry_expires(make_client, alice, settings):
    settings.AUTH_USER_CACHE_SECONDS = 7
    make_client(alice).get(FEED)
    from django_redis import get_redis_connection

    ttls = [get_redis_connection("default").ttl(key) for key in get_redis_connection("default").keys("*authstate*")]
    assert ttls and all(0 < ttl <= 7 for ttl in ttls)


def test_turned_off_reads_the_row_every_time(make_client, alice, settings):
    settings.AUTH_USER_CACHE_SECONDS = 0
    client = make_client(alice)
    client.get(FEED)
    assert auth_cache.cached_state(alice.pk) is None
    with CaptureQueriesContext(connection) as queries:
        client.get(FEED)
    assert user_row_reads(queries) == 1


def test_lazy_user_is_a_user_and_loads_once():
    bob = UserFactory(username="bobby")
    lazy = auth_cache.LazyUser(bob.pk)
    with CaptureQueriesContext(connection) as queries:
        assert isinstance(lazy, User) and lazy.pk == bob.pk and lazy.id == bob.pk and lazy.is_authenticated
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        assert lazy.username == "bobby" and lazy.email == bob.email
    assert len(queries) == 1


# --- sessions (the web pages): accounts.auth_cache.session_user ------------------------------

HOME = "/"


def signed_in(client: Client) -> bool:
    """Whether the home page is the signed-in timeline (else it is the sign-in page)."""
    return 'aria-label="Main"' in client.get(HOME).content.decode()


def session_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_warm_session_reads_no_user_row(alice):
    client = session_client(alice)
    with CaptureQueriesContext(connection) as cold:
        assert signed_in(client)
    assert user_row_reads(cold) == 1  # Django's get_user, then the facts are cached
    state = auth_cache.cached_state(alice.pk)
    assert state is not None and state.session_hash == alice.get_session_auth_hash()
    assert (state.username, state.display_name, state.is_staff) == ("alice", alice.display_name, False)
    with CaptureQueriesContext(connection) as warm:
        page = client.get(HOME).content.decode()
    assert user_row_reads(warm) == 0
    assert 'data-me="alice"' in page and 'href="/@alice"' in page  # the names came from the cache


def test_sign_out_ends_a_cached_session(alice):
    client = session_client(alice)
    assert signed_in(client) and signed_in(client)  # facts cached
    assert client.post("/logout").status_code == 302
    assert not signed_in(client)
    assert auth_cache.cached_state(alice.pk) is not None  # the facts stay: the session is what ended


def test_password_change_ends_the_other_cached_sessions_at_once(alice):
    this, other = session_client(alice), session_client(alice)
    assert signed_in(this) and signed_in(other)  # both warm, on the old hash
    form = {"current_password": PASSWORD, "new_password": "violet-tractor-umbrella-42"}
    changed = this.post("/settings/password", form)
    assert changed.status_code == 302, changed.content
    assert not signed_in(other)  # the old hash no longer matches
    assert "_auth_user_id" not in other.session  # and the session was flushed, as Django does
    assert signed_in(this) and signed_in(this)  # this one carries the new hash (cached again)
    assert auth_cache.cached_state(alice.pk).session_hash == User.objects.get(pk=alice.pk).get_session_auth_hash()


def test_suspension_ends_a_cached_session_at_once(alice, commit):
    client = session_client(alice)
    assert signed_in(client) and auth_cache.cached_state(alice.pk) is not None
    with commit():
        services.user_suspend(user=alice)
    assert not signed_in(client)
    with commit():
        services.user_unsuspend(user=alice)
    assert signed_in(client)


def test_a_session_whose_hash_differs_from_the_cached_one_is_refused(alice):
    client = session_client(alice)
    assert signed_in(client)  # facts cached
    session = client.session
    session[HASH_SESSION_KEY] = "0" * 64  # e.g. written before a password change the cache saw
    session.save()
    assert not signed_in(client)
    assert "_auth_user_id" not in client.session


def test_profile_edit_shows_the_new_display_name_at_once(alice):
    client = session_client(alice)
    assert signed_in(client)
    services.user_update_profile(user=alice, display_name="Zed")
    assert auth_cache.cached_state(alice.pk) is None
    assert '<span class="avatar tone-' in client.get(HOME).content.decode()
    assert auth_cache.cached_state(alice.pk).display_name == "Zed"


def test_lazy_user_answers_the_cached_names_then_the_row():
    bob = UserFactory(username="bobby", display_name="Bob")
    auth_cache.remember(bob)
    lazy = auth_cache.LazyUser(bob.pk, auth_cache.cached_state(bob.pk))
    with CaptureQueriesContext(connection) as queries:
        assert (lazy.username, lazy.display_name, lazy.is_active, lazy.is_staff) == ("bobby", "Bob", True, False)
    assert len(queries) == 0
    lazy.display_name = "Robert"  # a write goes to the row (read now), which answers from then on
    assert lazy.display_name == "Robert" and lazy.email == bob.email
