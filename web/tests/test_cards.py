"""web.cards: what a post shows, from a tweet model or a feed row, images included."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from django.template.loader import get_template

from web.cards import Image, images_of, short_time, tweet_cards


def tweet(**extra):  # type: ignore[no-untyped-def]
    author = SimpleNamespace(username="bob", display_name="Bob")
    fields = {
        "pk": 7,
        "author_id": 2,
        "author": author,
        "content": "look #cats",
        "created_at": datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        "in_reply_to_id": None,
        "num_likes": 3,
        "num_replies": 0,
        "num_reposts": 1,
        "liked": True,
        "reposted": False,
        "mention_list": [],
        "tag_list": ["cats"],
    }
    return SimpleNamespace(**{**fields, **extra})


def test_images_come_from_the_media_objects_the_tweet_carries():
    media = [
        {
            "url": "https://cdn/x.jpg",
            "preview_url": "https://cdn/x-s.jpg",
            "description": "a cat",
            "width": 8,
            "height": 6,
        },
        {"url": "https://cdn/y.jpg", "preview_url": "", "description": "", "width": None, "height": None},
    ]
    images = images_of(tweet(media=media))
    assert images == [
        Image("https://cdn/x.jpg", "https://cdn/x-s.jpg", "a cat", 8, 6),
        Image("https://cdn/y.jpg", "https://cdn/y.jpg", "", None, None),
    ]
    cards = tweet_cards([tweet(media=media)], viewer=None)
    html = get_template("web/_cards.html").render({"cards": cards, "here": "/"})
    assert '<img src="https://cdn/x-s.jpg" alt="a cat" width="8" height="6" loading="lazy">' in html
    assert 'alt="Image without a description"' in html
    assert '<div class="images images-2">' in html


def test_no_media_and_unloaded_relations_show_no_images():
    assert images_of(tweet()) == []
    assert images_of(tweet(media=object())) == []  # a related manager would cost a query per tweet
    assert "<img" not in get_template("web/_cards.html").render({"cards": tweet_cards([tweet()], viewer=None)})


def test_short_times():
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert short_time(now - timedelta(seconds=30), now) == "now"
    assert short_time(now - timedelta(minutes=5), now) == "5m"
    assert short_time(now - timedelta(hours=3), now) == "3h"
    assert short_time(datetime(2026, 3, 9, tzinfo=UTC), now) == "Mar 9"
    assert short_time(datetime(2025, 12, 24, tzinfo=UTC), now) == "Dec 24, 2025"
