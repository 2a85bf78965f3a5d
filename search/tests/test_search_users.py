"""GET /api/search/users/ on the PostgreSQL backend: prefix, display name, similarity."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as account_services
from accounts.tests.factories import UserFactory
from search.backends.postgres import PostgresBackend, trigram_available

pytestmark = pytest.mark.django_db

URL = reverse("search-users")


def usernames(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [user["username"] for user in response.json()["results"]]


@pytest.fixture
def people():
    return {
        "ada": UserFactory(username="ada_lovelace", display_name="Ada Lovelace", bio="engines"),
        "adam": UserFactory(username="AdamSmith", display_name="Adam"),
        "grace": UserFactory(username="grace", display_name="Grace Hopper"),
        "margaret": UserFactory(username="margaret", display_name="M. Hamilton"),
        "under": UserFactory(username="a_b", display_name=""),
        "axb": UserFactory(username="axb", display_name=""),
    }


def test_found_by_username_prefix_any_case(client, people):
    assert usernames(client.get(URL, {"q": "ADA"})) == ["ada_lovelace", "AdamSmith"]
    assert usernames(client.get(URL, {"q": "adams"})) == ["AdamSmith"]


def test_exact_username_comes_first(client, people):
    UserFactory(username="grace_fan", display_name="", num_followers=1000)
    assert usernames(client.get(URL, {"q": "grace"}))[:2] == ["grace", "grace_fan"]


def test_found_by_display_name(client, people):
    assert usernames(client.get(URL, {"q": "hopper"})) == ["grace"]
    assert usernames(client.get(URL, {"q": "HAMILTON"})) == ["margaret"]


def test_like_wildcards_are_literal(client, people):
    assert usernames(client.get(URL, {"q": "a_"})) == ["a_b"]
    assert usernames(client.get(URL, {"q": "%"})) == []


def test_same_user_object_as_elsewhere(client, people):
    (result,) = client.get(URL, {"q": "grace"}).json()["results"]
    profile = client.get("/api/users/grace/").json()
    assert "relationship" in profile  # the profile adds the viewer's relationship; lists do not
    del profile["relationship"]
    assert result == profile
    assert "email" not in result


def test_suspended_users_are_not_found_except_by_staff(client, people, make_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        account_services.user_suspend(user=people["grace"])
    assert usernames(client.get(URL, {"q": "grace"})) == []
    staff = make_client(UserFactory(username="mod", is_staff=True))
    assert usernames(staff.get(URL, {"q": "grace"})) == ["grace"]


def test_fallback_without_trigram_matches_prefix_and_substring(viewer, people):
    backend = PostgresBackend(trigram=False)
    page = backend.search_users("love", viewer=viewer, limit=10, offset=0)
    assert page.ids == [people["ada"].pk]  # display name substring
    assert backend.search_users("ADA", viewer=viewer, limit=10, offset=0).ids == [people["ada"].pk, people["adam"].pk]
    assert backend.search_users("margret", viewer=viewer, limit=10, offset=0).count == 0  # no similarity


@pytest.fixture
def trigram():
    if not trigram_available():
        pytest.skip("pg_trgm is not available in this PostgreSQL (the embedded server lacks it)")


def test_similar_spelling_found_with_trigram(trigram, client, people):
    # Neither a prefix nor a substring: only trigram similarity finds these.
    assert usernames(client.get(URL, {"q": "margret"})) == ["margaret"]
    assert usernames(client.get(URL, {"q": "Lovelase"})) == ["ada_lovelace"]


def test_trigram_indexes_are_usable(trigram, viewer, people):
    qs = PostgresBackend().user_queryset("margret", viewer=viewer)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            plan = qs.explain()
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "ix_user_username_trgm" in plan and "ix_user_display_name_trgm" in plan, plan


def test_query_count_does_not_grow_with_the_page(client):
    UserFactory.create_batch(25, display_name="Countable Person")

    def queries(limit: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"q": "countable", "limit": limit})
        assert len(response.json()["results"]) == limit
        return len(captured)

    # Authentication, page of ids with the total, hydration (+ the pg_trgm probe once per process).
    first = queries(2)
    assert queries(2) == queries(25) == 3
    assert first in (3, 4)
