"""`make bench`'s side-by-side measurement of the Mastodon home timeline, run on a tiny data set."""

from io import StringIO

import pytest
from django.core.management import call_command
from oauth2_provider.models import Application

from bench.run import mastodon_home
from tweets import services as tweet_services

pytestmark = pytest.mark.django_db


def test_mastodon_home_measures_both_endpoints_side_by_side(alice, bob, make_client):
    assert make_client(alice).post(f"/api/users/{bob.username}/follow/").status_code in (200, 201)
    for i in range(3):
        tweet_services.tweet_create(author=bob, content=f"bench tweet {i}")

    result = mastodon_home(alice, requests=3)

    assert result.name == "mastodon_home" and result.met is (result.ratio <= 1.5)
    assert "1.5" in result.goal
    assert "/api/v1/timelines/home p50" in result.ours and "/api/feed/ p50" in result.baseline
    assert result.ratio is not None and result.ratio > 0
    assert "mastodon_home" in result.line()
    assert result.info["viewer"] == "alice"
    assert not Application.objects.filter(name="bench_mastodon_home").exists()  # its token went with it


def test_the_command_prints_both_p50s_and_their_ratio(alice):
    out = StringIO()
    call_command("bench_mastodon_home", user="alice", requests=3, stdout=out)
    assert "GET /api/feed/ p50" in out.getvalue() and "GET /api/v1/timelines/home p50" in out.getvalue()
    assert "ratio" in out.getvalue()
