"""The browsable API (issue 12, point 14): every write endpoint has DRF's HTML form for its input
serializer, forms post as a browser does, and `/` is a landing page. The same in a real
browser: test_browser.py."""

import re

import pytest
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from accounts.tests.factories import PASSWORD
from tweets import services as tweet_services
from tweets.models import Tweet

pytestmark = pytest.mark.django_db

HTML = {"HTTP_ACCEPT": "text/html"}


@pytest.fixture
def browser(alice) -> Client:
    """A browser signed in as alice through the session (as /api/session/login/ does)."""
    client = Client()
    assert client.login(username="alice", password=PASSWORD)
    return client


def html_form(page: str, method: str) -> str:
    """The HTML-form tab of the page's form for `method` (not the raw-data tab)."""
    found = re.search(rf'<div class="tab-pane" id="{method.lower()}-object-form">(.*?)</form>', page, re.S)
    assert found, f"no HTML {method} form"
    return found.group(1)


def inputs(form: str) -> list[str]:
    """Names of the form's fields, in order (without the CSRF token)."""
    names = re.findall(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"', form)
    return [name for name in names if name != "csrfmiddlewaretoken"]


def page(client: Client, url: str) -> str:
    response = client.get(url, **HTML)
    assert response["Content-Type"].startswith("text/html"), url
    return response.content.decode()


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/api/auth/register/", ["username", "email", "password", "display_name", "bio"]),
        ("/api/auth/token/", ["username", "password"]),
        ("/api/auth/token/refresh/", ["refresh"]),
    ],
)
def test_anonymous_write_pages_have_html_forms(url, fields):
    form = html_form(page(Client(), url), "POST")
    assert inputs(form) == fields
    assert ">POST</button>" in form


def test_signed_in_write_pages_have_html_forms(browser, alice, bob):
    tweet = tweet_services.tweet_create(author=bob, content="hello")
    with_body = {
        "/api/tweets/": ["content", "in_reply_to"],
        f"/api/tweets/{tweet.pk}/replies/": ["content"],
        "/api/auth/logout/": ["refresh"],
        "/api/auth/password/": ["old_password", "new_password"],
    }
    for url, fields in with_body.items():
        assert inputs(html_form(page(browser, url), "POST")) == fields, url
    # Bodiless POSTs: the form is the button.
    for url in (
        "/api/users/bob/follow/",
        "/api/users/bob/block/",
        "/api/users/bob/mute/",
        f"/api/tweets/{tweet.pk}/like/",
        f"/api/tweets/{tweet.pk}/repost/",
    ):
        form = html_form(page(browser, url), "POST")
        assert inputs(form) == [] and ">POST</button>" in form, url


def test_profile_page_has_a_patch_form_with_todays_texts(browser, alice):
    alice.display_name, alice.bio = "Alice A.", "likes <b>tea</b>"
    alice.save()
    html = page(browser, "/api/users/me/")
    form = html_form(html, "PATCH")
    assert inputs(form) == ["display_name", "bio", "email", "current_password"]
    assert 'data-method="PATCH"' in html
    assert 'value="Alice A."' in form
    assert "likes &lt;b&gt;tea&lt;/b&gt;" in form  # escaped
    assert re.search(r'name="email"[^>]*value=""', form) or 'name="email" value' not in form
    assert "put-object-form" not in html  # no PUT form: the endpoint has none


def test_profile_form_as_the_browser_sends_it_changes_only_the_texts(browser, alice):
    email = alice.email
    # Blank email and password, as the form sends them when left alone.
    body = {"display_name": "New name", "bio": "new bio", "email": "", "current_password": ""}
    response = browser.patch("/api/users/me/", encode_multipart(BOUNDARY, body), content_type=MULTIPART_CONTENT)
    assert response.status_code == 200, response.content
    alice.refresh_from_db()
    assert (alice.display_name, alice.bio, alice.email) == ("New name", "new bio", email)


def test_posting_the_tweet_form_creates_the_tweet_and_shows_the_form_again(browser, alice):
    response = browser.post("/api/tweets/", {"content": "from the form", "in_reply_to": ""}, **HTML)
    assert response.status_code == 201
    assert Tweet.objects.get().content == "from the form"
    html = response.content.decode()
    # The form after the post is the input form again, not the tweet object's fields.
    assert inputs(html_form(html, "POST")) == ["content", "in_reply_to"]


def test_posting_the_reply_form_creates_a_reply(browser, bob):
    parent = tweet_services.tweet_create(author=bob, content="parent")
    response = browser.post(f"/api/tweets/{parent.pk}/replies/", {"content": "a reply"}, **HTML)
    assert response.status_code == 201
    assert Tweet.objects.get(content="a reply").in_reply_to_id == parent.pk


def test_json_answers_are_unchanged(browser, bob):
    # The forms are for HTML only: JSON clients see the same answers as before.
    assert browser.get("/api/tweets/", HTTP_ACCEPT="application/json").status_code == 405
    tweet = tweet_services.tweet_create(author=bob, content="x")
    response = browser.post(f"/api/tweets/{tweet.pk}/like/", HTTP_ACCEPT="application/json")
    assert response.status_code == 201 and response.json()["liked"] is True
    assert browser.post(f"/api/tweets/{tweet.pk}/like/", HTTP_ACCEPT="application/json").status_code == 200


def test_root_is_the_web_interface_with_the_developer_links_in_its_footer(client):
    response = client.get("/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<title>Sign in · Chirp</title>" in html  # signed out: the sign-in page (web/)
    footer = html[html.index('<footer class="site">') :]
    for link in ("/api/", "/api/docs/", "/admin/", "/healthz"):
        assert f'href="{link}"' in footer, link


def test_api_pages_are_branded_and_link_home(browser):
    html = page(browser, "/api/")
    assert "Chirp API" in html and "Django REST framework" not in html
    assert 'href="/"' in html
