"""Cross-cutting HTTP behaviour: 401s, bad bodies, the browsable API with session login."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, UserFactory
from tweets import services

pytestmark = pytest.mark.django_db

# Every protected endpoint of DESIGN.md section 4 (method, path).
PROTECTED = [
    ("post", "/api/auth/logout/"),
    ("get", "/api/users/me/"),
    ("patch", "/api/users/me/"),
    ("get", "/api/users/alice/"),
    ("post", "/api/users/alice/follow/"),
    ("delete", "/api/users/alice/follow/"),
    ("get", "/api/users/alice/followers/"),
    ("get", "/api/users/alice/following/"),
    ("get", "/api/users/alice/tweets/"),
    ("post", "/api/tweets/"),
    ("get", "/api/tweets/{id}/"),
    ("delete", "/api/tweets/{id}/"),
    ("post", "/api/tweets/{id}/like/"),
    ("delete", "/api/tweets/{id}/like/"),
    ("post", "/api/tweets/{id}/repost/"),
    ("delete", "/api/tweets/{id}/repost/"),
    ("post", "/api/tweets/{id}/bookmark/"),
    ("delete", "/api/tweets/{id}/bookmark/"),
    ("get", "/api/tweets/{id}/replies/"),
    ("post", "/api/tweets/{id}/replies/"),
    ("get", "/api/users/me/likes/"),
    ("get", "/api/users/me/reposts/"),
    ("get", "/api/users/me/bookmarks/"),
    ("get", "/api/feed/"),
    ("get", "/api/search/tweets/?q=hello"),
    ("get", "/api/search/users/?q=alice"),
]


@pytest.fixture
def tweet():
    return services.tweet_create(author=UserFactory(username="alice"), content="hello world")


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_missing_credentials_are_401_with_www_authenticate(tweet, method, path):
    response = getattr(APIClient(), method)(path.format(id=tweet.pk), {}, format="json")
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "detail" in response.json()


def test_forwarded_for_does_not_escape_the_auth_throttle(settings):
    settings.AUTH_THROTTLE_RATE = "2/minute"
    client = APIClient(REMOTE_ADDR="203.0.113.50")
    codes = [
        client.post(
            "/api/auth/token/", {"username": "x", "password": "y"}, format="json", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        ).status_code
        for n in range(3)
    ]
    assert codes == [401, 401, 429]


@pytest.mark.parametrize(("method", "path"), PROTECTED[:6])
def test_wrong_scheme_is_401(tweet, method, path):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic YWxpY2U6cGFzc3dvcmQ=")
    assert getattr(client, method)(path.format(id=tweet.pk)).status_code == 401


def test_public_endpoints_need_no_credentials():
    client = APIClient()
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
    assert client.post("/api/auth/token/", {"username": "x", "password": "y"}, format="json").status_code == 401


@pytest.mark.parametrize(
    "path", ["/api/auth/register/", "/api/auth/token/", "/api/auth/token/refresh/", "/api/tweets/"]
)
@pytest.mark.parametrize("body", ['{"content": "x"', "[1, 2", "\x00", '{"a": NaN}', "nul\\u0000"])
def test_malformed_json_is_400(make_client, path, body):
    client = make_client(UserFactory())
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 400, (path, body, response.content)
    assert "detail" in response.json()


@pytest.mark.parametrize("body", ["[]", '"text"', "42", "null"])
def test_json_that_is_not_an_object_is_400(make_client, body):
    client = make_client(UserFactory())
    for path in ("/api/tweets/", "/api/auth/register/"):
        response = client.post(path, data=body, content_type="application/json")
        assert response.status_code == 400, (path, body, response.content)


def test_oversized_json_body_is_4xx_not_500(make_client, settings):
    client = make_client(UserFactory())
    big = json.dumps({"content": "hi", "padding": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    response = client.post("/api/tweets/", data=big, content_type="application/json")
    assert response.status_code == 413, response.status_code
    assert "detail" in response.json()
    from tweets.models import Tweet

    assert not Tweet.objects.exists()
    response = APIClient().post("/api/auth/register/", data=big, content_type="application/json")
    assert response.status_code == 413


def test_oversized_form_body_is_4xx_not_500(make_client, settings):
    client = make_client(UserFactory())
    response = client.post("/api/tweets/", {"content": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    assert 400 <= response.status_code < 500


def test_oversized_multipart_upload_is_413(make_client, settings):
    """The API takes no files: an upload cannot slip a big body past the limit."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tweets.models import Tweet

    client = make_client(UserFactory())
    upload = SimpleUploadedFile("big.bin", b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE * 4))
    response = client.post("/api/tweets/", {"content": "hi", "attachment": upload})
    assert response.status_code == 413
    assert not Tweet.objects.exists()
    # A small multipart form (the browsable API's HTML form) still works.
    assert client.post("/api/tweets/", {"content": "hi"}, format="multipart").status_code == 201


def test_too_many_form_fields_is_400(make_client, settings):
    client = make_client(UserFactory())
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 5)}
    response = client.post("/api/tweets/", {"content": "hi", **fields})
    assert response.status_code == 400
    assert "detail" in response.json()


def test_a_body_just_under_the_limit_is_fine(make_client, settings):
    client = make_client(UserFactory())
    body = json.dumps({"content": "hi", "padding": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 100)})
    assert client.post("/api/tweets/", data=body, content_type="application/json").status_code == 201


def test_unknown_api_path_is_404(make_client):
    response = make_client(UserFactory()).get("/api/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}  # not Django's HTML page (config/tests/test_http_edges.py)


def test_request_id_is_echoed_or_made():
    client = APIClient()
    response = client.get("/api/schema/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    made = client.get("/api/schema/", HTTP_X_REQUEST_ID="bad id with spaces")["X-Request-ID"]
    assert made and made != "bad id with spaces"


# --- the browsable API with session login ------------------------------------


@pytest.fixture
def browser(tweet) -> Client:
    client = Client()
    assert client.login(username="alice", password=PASSWORD)
    return client


def test_session_login_page_renders():
    response = Client().get("/api/session/login/")
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content


def test_session_login_form_logs_in():
    UserFactory(username="webby")
    client = Client()
    page = client.get("/api/session/login/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/api/session/login/", {"username": "WEBBY", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert client.get("/api/users/me/", HTTP_ACCEPT="application/json").json()["username"] == "webby"


@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api/users/me/",
        "/api/users/alice/",
        "/api/users/alice/tweets/",
        "/api/users/alice/followers/",
        "/api/users/alice/following/",
        "/api/users/me/likes/",
        "/api/users/me/reposts/",
        "/api/tweets/{id}/",
        "/api/tweets/{id}/replies/",
        "/api/tweets/{id}/like/",
        "/api/tweets/",
        "/api/auth/register/",
        "/api/auth/token/",
        "/api/feed/",
    ],
)
def test_browsable_api_renders_for_a_session_user(browser, tweet, path):
    response = browser.get(path.format(id=tweet.pk), HTTP_ACCEPT="text/html")
    post_only = path in ("/api/tweets/", "/api/auth/register/", "/api/auth/token/", "/api/tweets/{id}/like/")
    assert response.status_code == (405 if post_only else 200), (path, response.status_code)
    assert response["Content-Type"].startswith("text/html")
    if not path.startswith("/api/auth/"):  # the auth views ignore sessions on purpose
        assert b"alice" in response.content  # the logged-in user is shown


def test_api_root_lists_the_endpoints(browser):
    body = browser.get("/api/", HTTP_ACCEPT="application/json").json()
    for key in ("register", "token", "refresh", "me", "tweets", "schema", "docs"):
        assert key in body, key


def test_session_writes_need_the_csrf_token(tweet):
    client = Client(enforce_csrf_checks=True)
    client.login(username="alice", password=PASSWORD)
    response = client.post("/api/tweets/", {"content": "from the browser"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_session_writes_work_with_the_csrf_token(browser):
    response = browser.post("/api/tweets/", {"content": "from the browser"}, content_type="application/json")
    assert response.status_code == 201


def test_a_suspended_users_session_stops_working(browser):
    from accounts import services as account_services
    from accounts.models import User

    assert browser.get("/api/users/me/", HTTP_ACCEPT="application/json").status_code == 200
    account_services.user_suspend(user=User.objects.get(username="alice"))
    assert browser.get("/api/users/me/", HTTP_ACCEPT="application/json").status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/api/tweets/", '{"content": "a\\ud800b"}', "content"),
        ("patch", "/api/users/me/", '{"bio": "a\\ud800b"}', "bio"),
        (
            "post",
            "/api/auth/register/",
            '{"username": "zz", "email": "z@x.com", "password": "p\\ud800-long-1"}',
            "password",
        ),
        ("post", "/api/auth/token/", '{"username": "zz\\ud800", "password": "x"}', "username"),
        ("post", "/api/auth/token/refresh/", '{"refresh": "\\ud800"}', "refresh"),
    ],
)
def test_lone_surrogates_are_400_on_the_field(make_client, method, path, body, field):
    """Valid JSON, but not encodable text: PostgreSQL must never see it."""
    response = getattr(make_client(UserFactory()), method)(path, data=body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()
