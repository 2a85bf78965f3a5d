"""seed_demo: demo data through the services, consistent counters, safe to re-run."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import Follow, User
from tweets import services
from tweets.models import Tweet, TweetMedia

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "demo-pass-for-tests-91"


def test_seed_demo_creates_consistent_data_and_a_working_login():
    out = StringIO()
    call_command("seed_demo", users=4, tweets=30, password=DEMO_PASSWORD, stdout=out)
    assert "Seeded 5 users and 30 tweets" in out.getvalue()
    assert User.objects.count() == 5
    assert Tweet.objects.count() == 30
    assert Follow.objects.exists()
    # Three posts carry pictures (four in all), uploaded through the media service: re-encoded,
    # with a preview, a blurhash and a description.
    with_pictures = Tweet.objects.filter(num_media__gt=0).order_by("pk")
    assert [tweet.num_media for tweet in with_pictures] == [1, 2, 1]
    for tweet in with_pictures:
        for link in TweetMedia.objects.filter(tweet=tweet).select_related("media"):
            assert link.media.width == 1200 and link.media.preview and link.media.blurhash
            assert link.media.description
    # Every counter was kept by the services: nothing for recount_stats to repair.
    assert set(services.recount_stats().values()) == {0}
    response = APIClient().post("/api/auth/token/", {"username": "demo", "password": DEMO_PASSWORD}, format="json")
    assert response.status_code == 200


def test_seed_demo_is_safe_to_re_run():
    call_command("seed_demo", users=3, tweets=5, password=DEMO_PASSWORD, stdout=StringIO())
    follows = Follow.objects.count()
    call_command("seed_demo", users=3, tweets=5, password=DEMO_PASSWORD, stdout=StringIO())
    assert User.objects.count() == 4
    assert Follow.objects.count() == follows
    assert set(services.recount_stats().values()) == {0}


def test_seed_demo_without_a_password_fails_clearly(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="password"):
        call_command("seed_demo", users=1, tweets=1, password="", stdout=StringIO(), stderr=StringIO())
    assert not User.objects.exists()
