"""web.posts: a post's HTML made in Python escapes every text that comes from a person and
keeps the accessible names of DESIGN.md section 11 (the browser tests read them)."""

from datetime import UTC, datetime

from django.utils.safestring import mark_safe

from web.cards import Card, Image
from web.posts import actions, post

HOSTILE = "<script>x</script>\"'&"


def card(**changes: object) -> Card:
    fields: dict = {
        "id": 7,
        "username": "bob",
        "name": HOSTILE,
        "html": mark_safe("text &amp; more"),
        "created_at": datetime(2026, 12, 3, 10, 4, tzinfo=UTC),
        "in_reply_to_id": 3,
        "num_likes": 2,
        "num_replies": 1,
        "num_reposts": 0,
        "liked": True,
        "reposted": False,
        "mine": False,
        "reposted_by": HOSTILE,
        "reply_to": HOSTILE,
        "images": [Image(url="/m/a.png", preview_url="/m/a_p.png", description=HOSTILE, width=4, height=3)],
    }
    return Card(**{**fields, **changes})


def test_every_text_from_a_person_is_escaped():
    html = str(post(card(), here='/@bob?q="<b>"'))
    assert "<script>" not in html and "<b>" not in html
    assert html.count("&lt;script&gt;x&lt;/script&gt;&#34;&#39;&amp;") == 6  # name, reposter x2, reply-to x2, alt
    assert 'value="/@bob?q=&#34;&lt;b&gt;&#34;"' in html
    assert '<div class="text">text &amp; more</div>' in html  # linkify's HTML as it is


def test_the_names_the_contract_reads():
    html = str(post(card(name="Bob B", reposted_by=None, reply_to="alice", images=[]), here="/"))
    assert '<a class="who" href="/@bob"><span class="name">Bob B</span> <span class="handle">@bob</span></a>' in html
    assert '<time datetime="2026-12-03T10:04:00+00:00">Dec 3</time>' in html
    assert 'title="10:04 UTC \u00b7 Dec 3, 2026"' in html
    assert '<p class="reply-to">Replying to <a href="/@alice">@alice</a></p>' in html
    for name in ('Reply</span><span class="n" aria-hidden="true">1', "Repost", 'Unlike </span><span class="n">2'):
        assert f'<span class="vh">{name}' in html
    assert '<span class="vh">Report</span>' in html and "Delete" not in html
    mine = str(actions(card(mine=True, liked=False, reposted=True, num_likes=0), here="/"))
    assert '<span class="vh">Delete</span>' in mine and '<span class="vh">Undo repost</span>' in mine
    assert '<span class="vh">Like </span><span class="n vh">0</span>' in mine


def test_compact_has_no_buttons_and_focus_shows_the_full_time():
    compact = str(post(card(), here="/", compact=True))
    assert 'class="post compact"' in compact and "<button" not in compact and "reply-slot" not in compact
    focused = str(post(card(), here="/", focus=True))
    assert '<time datetime="2026-12-03T10:04:00+00:00">10:04 UTC \u00b7 Dec 3, 2026</time>' in focused
