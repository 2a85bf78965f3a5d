"""The browsable API and the console in a real browser (issue 12, points 13 and 14): Debian's
chromium driven by Playwright against a live server. `make test` installs chromium
(`make browser-deps`); Playwright never downloads a browser of its own."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from accounts.tests.factories import PASSWORD, UserFactory
from moderation import services as moderation_services
from tweets import services as tweet_services

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """A fresh chromium profile and page, 1280 px wide (the console's target width)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here
    # between browser steps are plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            shutil.rmtree(tmp_path / "profile", ignore_errors=True)


def sign_in(page, live_server, username: str, next_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/api/session/login/?next={next_url}")
    assert "Chirp" in page.content()
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


def test_sign_in_post_a_tweet_through_the_form_and_see_it_in_the_feed(page, live_server):
    UserFactory(username="alice")
    bob = UserFactory(username="bob")
    bobs = tweet_services.tweet_create(author=bob, content="bob was here")

    page.goto(live_server.url + "/")
    for link in ("/api/", "/api/docs/", "/admin/", "/healthz"):
        assert page.locator(f'a[href$="{link}"]').count() >= 1, link

    sign_in(page, live_server, "alice", "/api/tweets/")
    form = page.locator("#post-object-form form")
    form.locator("[name=content]").fill("Hello from a real browser #chirp")
    form.locator("button", has_text="POST").click()
    page.wait_for_load_state()
    assert "HTTP 201 Created" in page.inner_text(".response-info")

    # Bodiless POST: the follow form is its button.
    page.goto(f"{live_server.url}/api/users/bob/follow/")
    page.locator("#post-object-form button", has_text="POST").click()
    page.wait_for_load_state()
    assert "HTTP 201 Created" in page.inner_text(".response-info")

    # PATCH through the HTML form (DRF's ajax-form.js sends it with the CSRF token).
    page.goto(f"{live_server.url}/api/users/me/")
    patch = page.locator("#patch-object-form form")
    patch.locator("[name=display_name]").fill("Alice in Chromium")
    patch.locator("button", has_text="PATCH").click()
    page.wait_for_function("document.querySelector('.response-info').innerText.includes('Alice in Chromium')")
    assert "HTTP 200 OK" in page.inner_text(".response-info")

    page.goto(f"{live_server.url}/api/feed/")
    feed = page.inner_text(".response-info")
    assert "HTTP 200 OK" in feed
    assert "Hello from a real browser #chirp" in feed
    assert "bob was here" in feed  # merged in by the follow
    assert str(bobs.pk) in feed


def test_console_changelists_fit_1280_px(page, live_server, tmp_path):
    UserFactory(username="moderator", is_staff=True, is_superuser=True)
    # The widest rows a moderator meets: a 30-character name, a 50-character display name,
    # a long email, 280-character tweets of long words.
    author = UserFactory(username="a" * 30, display_name="D" * 50, email=f"{'e' * 40}@{'example' * 4}.com")
    tweets = [
        tweet_services.tweet_create(author=author, content=("supercalifragilistic " * 14)[:280]) for _ in range(3)
    ]
    reporter = UserFactory(username="r" * 30)
    moderation_services.report_create(reporter=reporter, tweet_id=str(tweets[0].pk), reason="x" * 1000)

    sign_in(page, live_server, "moderator", "/api/")
    for url in ("/admin/accounts/user/", "/admin/tweets/tweet/", "/admin/moderation/report/"):
        page.goto(live_server.url + url)
        # Django lets a wide table scroll inside its box: that box must not need to.
        widths = page.evaluate(
            "() => { const box = document.querySelector('#result_list').parentElement;"
            " return [box.scrollWidth, box.clientWidth, document.documentElement.scrollWidth]; }"
        )
        page.screenshot(path=str(tmp_path / f"{url.split('/')[2]}.png"))  # to look at when it fails
        assert widths[0] <= widths[1] and widths[2] <= 1280, (url, widths)
        assert page.locator("#result_list").is_visible()
    page.goto(f"{live_server.url}/admin/")
    assert "Groups" not in page.inner_text("#content-main")
