"""The pages' Content-Security-Policy, escaping, and no inline script anywhere."""

import re

import pytest

from tweets import services as tweet_services
from web.tests.conftest import text

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script> <img src=x onerror=alert(1)> "quoted" & \'single\''


def directives(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_pages_have_a_csp_without_inline_script_that_allows_the_stream(browser, alice, settings):
    pages = ((browser(), "/"), (browser(), "/signup"), (browser(alice), "/"), (browser(alice), "/settings"))
    for client, path in pages:
        policy = directives(client.get(path))
        assert policy["script-src"] == ["'self'"], path
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in client.get(path)["Content-Security-Policy"]
        assert f"ws://testserver:{settings.STREAMING_PORT}" in policy["connect-src"]
    settings.STREAMING_URL = "wss://stream.example.com"
    assert "wss://stream.example.com" in directives(browser(alice).get("/"))["connect-src"]
    # The API, its docs and the admin keep their own pages as they were.
    assert "Content-Security-Policy" not in browser(alice).get("/api/docs/")


def test_no_inline_script_style_or_handler_in_any_page(browser, alice, bob):
    tweet = tweet_services.tweet_create(author=bob, content="hi")
    client = browser(alice)
    for path in ("/", "/@bob", f"/@bob/{tweet.pk}", "/notifications", "/search?q=hi", "/settings", "/tags/x"):
        html = text(client.get(path))
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), path  # every script has a src
        assert not re.search(r"\son[a-z]+\s*=", html), path  # no onclick= and the like
        assert not re.search(r"\sstyle\s*=", html), path  # style-src 'self' refuses them
        assert not re.search(r"\shx-on", html), path  # htmx's inline handlers (eval) are off too
    head = text(client.get("/"))
    assert '"includeIndicatorStyles":false' in head and '"allowEval":false' in head


def test_content_is_escaped_everywhere(browser, alice, bob):
    tweet = tweet_services.tweet_create(author=bob, content=XSS)
    bob.display_name, bob.bio = "<b>Bob</b>", "<i>bio</i>"
    bob.save()
    client = browser(alice)
    for path in ("/@bob", f"/@bob/{tweet.pk}", "/search?q=alert", "/@bob/followers"):
        html = text(client.get(path))
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>Bob</b>" not in html, path
    html = text(client.get(f"/@bob/{tweet.pk}"))
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Bob&lt;/b&gt;" in html
    search = text(client.get("/search", {"q": '"><script>x</script>'}))
    assert '"><script>x</script>' not in search


def test_frames_and_sniffing_are_refused(browser, alice):
    response = browser(alice).get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_are_gzipped_for_browsers_that_ask_and_the_api_is_not(browser, alice):
    import gzip

    client = browser(alice)
    page = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert page["Content-Encoding"] == "gzip" and "Accept-Encoding" in page["Vary"]
    assert b"What's happening?" in gzip.decompress(page.content)
    assert page.content[3] & gzip.FNAME  # padded at random in the header, as Django's (BREACH)
    assert int(page["Content-Length"]) == len(page.content)
    assert "Content-Encoding" not in client.get("/")  # not asked
    assert "Content-Encoding" not in client.get("/api/", HTTP_ACCEPT_ENCODING="gzip")
