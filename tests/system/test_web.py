"""The web interface for people (DESIGN.md section 11) in a real browser: Debian's chromium driven
by Playwright against a live server, through the accessible names of the contract (role and
name, as a screen reader finds them), with and without JavaScript, by keyboard alone; axe-core
on every page (no serious or critical violation, light and dark), no horizontal scroll at
390 px, and the live path against the real stream process."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django_redis import get_redis_connection
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from accounts import services as account_services
from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from moderation.models import Report
from streaming import channels
from streaming.tests.conftest import StreamServer, listening, stream_env, wait_listening
from tweets import services as tweet_services
from tweets.models import Like, Tweet

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
AXE = Path(__file__).resolve().parents[2] / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made between
    # browser steps are plain synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Site:
    """Opens pages of the live server in fresh browser contexts (cookies of their own)."""

    def __init__(self, chromium: Browser, url: str) -> None:
        self.chromium = chromium
        self.url = url
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []

    def page(self, *, js: bool = True, width: int = 1280, scheme: str = "light") -> Page:
        context = self.chromium.new_context(
            java_script_enabled=js, viewport={"width": width, "height": 900}, color_scheme=scheme
        )
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def signed_in(self, username: str, **options: Any) -> Page:
        page = self.page(**options)
        page.goto(self.url + "/login")
        page.get_by_role("textbox", name="Username", exact=True).fill(username)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url(self.url + "/")
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def site(chromium: Browser, live_server) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    opened = Site(chromium, live_server.url)
    try:
        yield opened
    finally:
        opened.close()
    assert not opened.errors, opened.errors  # no script failed on any page


@pytest.fixture
def people(db) -> dict[str, User]:  # type: ignore[no-untyped-def]
    """alice follows bob; bob has posted twice (one mentions alice and carries a tag); carol
    follows alice."""
    alice = UserFactory(username="alice", display_name="Alice Liddell")
    bob = UserFactory(username="bob", display_name="Bob Builder", bio="Can we fix it?")
    carol = UserFactory(username="carol", display_name="Carol")
    account_services.follow_create(follower=alice, followee=bob)
    account_services.follow_create(follower=carol, followee=alice)
    tweet_services.tweet_create(author=bob, content="first post from bob")
    tweet_services.tweet_create(author=bob, content="hello @alice, welcome to #Chirp")
    return {"alice": alice, "bob": bob, "carol": carol}


def post(page: Page, text: str) -> Any:
    """The article of the post whose text is `text`."""
    return page.get_by_role("article").filter(has_text=text)


# --- the contract's names -----------------------------------------------------------------


def test_the_frame_and_a_post_have_the_contracts_roles_and_names(site, people):
    page = site.signed_in("alice")
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Home", "Search", "Profile", "Settings"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Notifications 2 unread", exact=True)).to_be_visible()  # a mention, a follow
    expect(nav.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    expect(page.get_by_role("textbox", name="What's happening?")).to_be_visible()
    expect(page.get_by_label("Add images")).to_have_attribute("multiple", "")
    expect(page.get_by_role("button", name="Post", exact=True)).to_be_visible()
    article = post(page, "welcome to")
    expect(article.get_by_role("link", name="Bob Builder @bob")).to_have_attribute("href", "/@bob")
    expect(article.get_by_role("link", name="@alice", exact=True)).to_have_attribute("href", "/@alice")
    expect(article.get_by_role("link", name="#Chirp", exact=True)).to_have_attribute("href", "/tags/chirp")
    tweet = Tweet.objects.get(content__startswith="hello @alice")
    expect(article.get_by_role("link", name="now", exact=True)).to_have_attribute("href", f"/@bob/{tweet.pk}")
    for name in ("Reply", "Repost", "Like 0", "Report"):
        expect(article.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(article.get_by_role("button", name="Delete")).to_have_count(0)
    # The footer keeps the links for developers.
    footer = page.get_by_role("contentinfo")
    for name in ("API", "API docs", "Admin"):
        expect(footer.get_by_role("link", name=name, exact=True)).to_be_visible()


def test_unread_notifications_are_in_the_links_name(site, people):
    page = site.signed_in("bob")  # alice follows bob: one unread
    expect(page.get_by_role("link", name="Notifications 1 unread")).to_be_visible()
    page.get_by_role("link", name="Notifications 1 unread").click()
    expect(page.get_by_text("followed you")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Notifications", exact=True)).to_be_visible()  # all read now


# --- every action, without JavaScript, then with it -------------------------------------------


@pytest.mark.parametrize("js", [False, True], ids=["without-js", "with-js"])
def test_sign_up_post_like_repost_reply_delete(site, people, js):
    page = site.page(js=js)
    page.goto(site.url + "/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_role("textbox", name="Username", exact=True).fill("dora")
    page.get_by_role("textbox", name="Email", exact=True).fill("dora@example.com")
    page.get_by_label("Password", exact=True).fill("123")
    page.get_by_role("button", name="Sign up", exact=True).click()
    expect(page.get_by_text("This password is too short.")).to_be_visible()  # as text, beside the form
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign up", exact=True).click()
    page.wait_for_url(site.url + "/")
    if js:
        page.evaluate("window.stayed = true")  # gone if the page reloads

    page.get_by_role("textbox", name="What's happening?").fill("my very first post")
    page.get_by_role("button", name="Post", exact=True).click()
    mine = post(page, "my very first post")
    expect(mine).to_be_visible()
    expect(mine.get_by_role("button", name="Delete", exact=True)).to_be_visible()
    if js:
        expect(page.get_by_role("textbox", name="What's happening?")).to_have_value("")

    mine.get_by_role("button", name="Like 0", exact=True).click()
    expect(post(page, "my very first post").get_by_role("button", name="Unlike 1", exact=True)).to_be_visible()
    post(page, "my very first post").get_by_role("button", name="Repost", exact=True).click()
    expect(post(page, "my very first post").get_by_role("button", name="Undo repost", exact=True)).to_be_visible()

    post(page, "my very first post").get_by_role("button", name="Reply", exact=True).click()
    page.get_by_role("textbox", name="Reply", exact=True).fill("replying to myself")
    page.get_by_role("button", name="Reply", exact=True).last.click()
    expect(post(page, "replying to myself")).to_be_visible()
    reply = Tweet.objects.get(content="replying to myself")
    assert reply.in_reply_to.content == "my very first post"

    if not js:
        page.goto(site.url + "/")
    post(page, "my very first post").get_by_role("button", name="Delete", exact=True).click()
    expect(post(page, "my very first post")).to_have_count(0)
    assert not Tweet.objects.filter(content="my very first post").exists()
    if js:
        assert page.evaluate("window.stayed === true")  # all of it in place


@pytest.mark.parametrize("js", [False, True], ids=["without-js", "with-js"])
def test_follow_mute_block_report_from_a_profile(site, people, js):
    page = site.signed_in("carol", js=js)
    page.goto(site.url + "/@bob")
    expect(page.get_by_role("heading", name="Bob Builder")).to_be_visible()
    for label in ("Tweets", "Following", "Followers"):
        expect(page.get_by_text(re.compile(rf"^\d+ {label}$"))).to_be_visible()
    expect(page.get_by_text("0 Followers", exact=False)).to_have_count(0)  # alice follows bob
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("button", name="Unfollow", exact=True)).to_be_visible()
    expect(page.get_by_text("2 Followers")).to_be_visible()
    page.get_by_role("button", name="Unfollow", exact=True).click()
    expect(page.get_by_role("button", name="Follow", exact=True)).to_be_visible()

    page.get_by_role("button", name="Mute", exact=True).click()
    expect(page.get_by_role("button", name="Unmute", exact=True)).to_be_visible()
    page.get_by_role("button", name="Unmute", exact=True).click()
    page.get_by_role("button", name="Block", exact=True).click()
    expect(page.get_by_role("button", name="Unblock", exact=True)).to_be_visible()
    page.get_by_role("button", name="Unblock", exact=True).click()

    page.get_by_role("region", name="Bob Builder").get_by_role("button", name="Report", exact=True).click()
    page.get_by_role("textbox", name="Reason").fill("impersonating a builder")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Your report was sent")).to_be_visible()
    assert Report.objects.filter(user__username="bob", tweet=None, reason="impersonating a builder").exists()


@pytest.mark.parametrize("js", [False, True], ids=["without-js", "with-js"])
def test_thread_search_tag_notifications_settings(site, people, js):
    alice = people["alice"]
    tweet_services.like_create(user=people["bob"], tweet=tweet_services.tweet_create(author=alice, content="mine"))
    page = site.signed_in("alice", js=js)

    post(page, "welcome to").get_by_role("link", name="now", exact=True).click()
    expect(page.get_by_role("heading", name="Replies")).to_be_visible()
    page.get_by_role("textbox", name="Reply", exact=True).fill("thanks bob!")
    page.get_by_role("button", name="Reply", exact=True).last.click()
    expect(post(page, "thanks bob!")).to_be_visible()

    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_role("searchbox", name="Search").fill("first")
    page.get_by_role("searchbox", name="Search").press("Enter")
    expect(post(page, "first post from bob")).to_be_visible()

    page.goto(site.url + "/")
    post(page, "welcome to").get_by_role("link", name="#Chirp").click()
    expect(page.get_by_role("heading", name="#chirp")).to_be_visible()

    page.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(page.get_by_text("liked your tweet")).to_be_visible()
    expect(page.get_by_text("mentioned you")).to_be_visible()
    expect(page.get_by_text("followed you")).to_be_visible()

    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("textbox", name="Display name").fill("Alice in Chromium")
    page.get_by_role("textbox", name="Bio").fill("Down the rabbit hole")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile was saved.")).to_be_visible()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill("through-the-glass-42")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password was changed.")).to_be_visible()
    page.get_by_role("link", name="Profile", exact=True).click()
    expect(page.get_by_role("heading", name="Alice in Chromium")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()


def test_a_tweet_with_script_shows_as_text(site, people):
    tweet_services.tweet_create(author=people["bob"], content="<script>window.pwned = 1</script><b>bold</b>")
    page = site.signed_in("alice")
    expect(page.get_by_text("<script>window.pwned = 1</script><b>bold</b>")).to_be_visible()
    assert page.evaluate("window.pwned === undefined")


def test_images_get_one_description_box_each_with_javascript_and_four_without(site, people, tmp_path):
    files = []
    for name in ("cat.png", "dog.png"):
        path = tmp_path / name
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
        files.append(str(path))
    page = site.signed_in("alice")
    page.get_by_label("Add images").set_input_files(files)
    expect(page.get_by_role("textbox", name="Image description", exact=True)).to_have_count(2)
    page.get_by_role("button", name="Remove cat.png").click()
    expect(page.get_by_role("textbox", name="Image description", exact=True)).to_have_count(1)
    plain = site.signed_in("alice", js=False)
    plain.get_by_text("Describe your images").click()
    expect(plain.get_by_role("textbox", name=re.compile(r"^Image description \d$"))).to_have_count(4)


# --- keyboard only ------------------------------------------------------------------------------


def tab_to(page: Page, locator: Any, limit: int = 80) -> None:
    """Press Tab until `locator` has the focus (as a keyboard user would)."""
    handle = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
    raise AssertionError(f"Tab never reached {locator}")


def test_keyboard_only_sign_in_post_like_and_follow(site, people):
    page = site.page()
    page.goto(site.url + "/login")
    # The username box has the focus on arrival.
    page.keyboard.type("carol")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the hint, to the password (the hint is text, not a stop)
    if page.evaluate("document.activeElement.id") != "password":
        tab_to(page, page.get_by_label("Password", exact=True))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(site.url + "/")

    tab_to(page, page.get_by_role("textbox", name="What's happening?"))
    page.keyboard.type("typed without a mouse")
    tab_to(page, page.get_by_role("button", name="Post", exact=True))
    page.keyboard.press("Enter")
    expect(post(page, "typed without a mouse")).to_be_visible()
    # htmx takes new content in after its settle delay (20 ms), then drops `htmx-added`: a key
    # pressed sooner submits the button's form the plain way (a page load, the focus lost).
    expect(post(page, "typed without a mouse")).not_to_have_class(re.compile(r"\bhtmx-added\b"))

    like = post(page, "typed without a mouse").get_by_role("button", name="Like 0", exact=True)
    tab_to(page, like)
    page.keyboard.press("Enter")
    unlike = post(page, "typed without a mouse").get_by_role("button", name="Unlike 1", exact=True)
    expect(unlike).to_be_focused()  # the focus stays on the button that changed
    assert Like.objects.filter(user__username="carol").count() == 1

    tab_to(page, page.get_by_role("link", name="Search", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("searchbox", name="Search")).to_be_focused()
    page.keyboard.type("bob")
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Follow @bob"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Unfollow @bob")).to_be_focused()
    assert people["carol"].following_set.filter(followee=people["bob"]).exists()


# --- axe-core, 390 px ----------------------------------------------------------------------------


def every_page(people: dict[str, User]) -> list[tuple[str, str]]:
    """(who, path) of every page: signed out ("") and signed in as alice."""
    tweet = Tweet.objects.get(content__startswith="hello @alice")
    return [
        ("", "/"),
        ("", "/signup"),
        ("alice", "/"),
        ("alice", "/@bob"),
        ("alice", "/@alice"),
        ("alice", "/@bob/followers"),
        ("alice", "/@alice/following"),
        ("alice", f"/@bob/{tweet.pk}"),
        ("alice", "/notifications"),
        ("alice", "/search"),
        ("alice", "/search?q=hello"),
        ("alice", "/tags/chirp"),
        ("alice", "/settings"),
        ("alice", f"/tweets/{tweet.pk}/report"),
        ("alice", "/logout"),
        ("alice", "/no/such/page"),
    ]


def axe_violations(page: Page) -> list[str]:
    # Evaluated through the DevTools protocol: the page's CSP (no inline script) does not apply.
    page.evaluate(AXE.read_text())
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(" ")).slice(0, 3).join(", ")}`)"""
    )
    return list(found)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violation_on_any_page(site, people, scheme):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make node-deps`")
    liked = tweet_services.tweet_create(author=people["alice"], content="x")
    tweet_services.like_create(user=people["bob"], tweet=liked)
    pages = {"": site.page(scheme=scheme), "alice": site.signed_in("alice", scheme=scheme)}
    problems = {}
    for who, path in every_page(people):
        page = pages[who]
        page.goto(site.url + path)
        found = axe_violations(page)
        if found:
            problems[f"{who or 'signed out'} {path}"] = found
    assert not problems, json.dumps(problems, indent=2)


def test_no_horizontal_scroll_at_390_px(site, people):
    pages = {"": site.page(width=390), "alice": site.signed_in("alice", width=390)}
    account_services.block_create(user=people["alice"], target=UserFactory(username="b" * 30, display_name="W" * 50))
    tweet_services.tweet_create(author=people["bob"], content=("supercalifragilistic" * 14)[:280])
    tweet_services.tweet_create(author=people["bob"], content="https://example.com/" + "x" * 250)
    wide = {}
    for who, path in every_page(people):
        page = pages[who]
        page.goto(site.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = width
    assert not wide, wide


# --- live: the stream ------------------------------------------------------------------------------


@pytest.fixture
def stream(settings, django_db_blocker) -> Iterator[StreamServer]:  # type: ignore[no-untyped-def]
    """The real stream process (`manage.py stream`, streaming/tests/conftest.py) on the test
    database and Redis; the pages are told where it is."""
    with django_db_blocker.unblock():
        server = StreamServer(stream_env()).start()
    settings.STREAMING_URL = f"ws://127.0.0.1:{server.port}"
    try:
        yield server
    finally:
        server.stop()


def test_live_new_posts_wait_under_a_button_and_notifications_raise_the_count(site, people, stream):
    sockets: list[str] = []
    page = site.page()
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.goto(site.url + "/login")
    page.get_by_role("textbox", name="Username", exact=True).fill("alice")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(site.url + "/")
    # The page opened the user stream with the token it was given, and the process took it.
    wait_listening(channels.user(people["alice"].pk))
    for _ in range(100):  # Playwright hands its events over while the page is being waited on
        if sockets:
            break
        page.wait_for_timeout(20)
    assert sockets and "stream=user" in sockets[0] and "access_token=" in sockets[0]
    token = re.search(r"access_token=([^&]+)", sockets[0]).group(1)
    assert token == page.evaluate("document.body.dataset.streamToken")

    top = page.evaluate("window.scrollY")
    for i in range(2):  # bob, whom alice follows, posts: the fan-out publishes after commit
        tweet_services.tweet_create(author=people["bob"], content=f"live post {i}")
    button = page.get_by_role("button", name="Show 2 new posts")
    expect(button).to_be_visible()
    expect(post(page, "live post")).to_have_count(0)  # nothing moved by itself
    assert page.evaluate("window.scrollY") == top
    button.click()
    expect(post(page, "live post")).to_have_count(2)
    first = page.locator("#timeline > article.post").first
    expect(first).to_contain_text("live post 1")  # on top, newest first
    expect(page.get_by_role("button", name=re.compile("new post"))).to_have_count(0)

    expect(page.get_by_role("link", name="Notifications 2 unread")).to_be_visible()  # a mention, a follow
    mine = tweet_services.tweet_create(author=people["alice"], content="alice says hi")
    tweet_services.like_create(user=people["bob"], tweet=mine)
    expect(page.get_by_role("link", name="Notifications 3 unread")).to_be_visible()

    # The stream process goes away and comes back on its port: the page asks for a new token
    # (POST /live/token) and listens again.
    stream.stop()
    get_redis_connection("default").delete(channels.marker(channels.user(people["alice"].pk)))
    stream.start()
    for _ in range(300):
        if len(sockets) > 1 and listening(channels.user(people["alice"].pk)):
            break
        page.wait_for_timeout(50)
    assert len(sockets) > 1, sockets
    again = re.search(r"access_token=([^&]+)", sockets[-1]).group(1)
    assert again != token
    tweet_services.tweet_create(author=people["bob"], content="after the restart")
    expect(page.get_by_role("button", name="Show 1 new post")).to_be_visible()


def test_without_a_stream_the_page_stays_quiet(site, people, settings):
    settings.STREAMING_URL = "ws://127.0.0.1:9"  # nothing listens there
    page = site.signed_in("alice")
    page.wait_for_timeout(1500)
    page.get_by_role("textbox", name="What's happening?").fill("still works")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(post(page, "still works")).to_be_visible()
    # (the site fixture asserts that no script error happened)
