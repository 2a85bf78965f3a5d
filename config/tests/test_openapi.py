"""/api/schema/ documents every endpoint of the contract; /api/docs/ works offline."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tweets.tests.contract import TWEET_KEYS

BASE_DIR = Path(__file__).resolve().parents[2]

# DESIGN.md section 4, path -> methods.
CONTRACT = {
    "/api/auth/register/": {"post"},
    "/api/auth/token/": {"post"},
    "/api/auth/token/refresh/": {"post"},
    "/api/auth/logout/": {"post"},
    "/api/users/me/": {"get", "patch"},
    "/api/users/{username}/": {"get"},
    "/api/users/{username}/follow/": {"post", "delete"},
    "/api/users/{username}/followers/": {"get"},
    "/api/users/{username}/following/": {"get"},
    "/api/users/{username}/tweets/": {"get"},
    "/api/tweets/": {"post"},
    "/api/tweets/{tweet_id}/": {"get", "delete"},
    "/api/tweets/{tweet_id}/like/": {"post", "delete"},
    "/api/tweets/{tweet_id}/repost/": {"post", "delete"},
    "/api/tweets/{tweet_id}/replies/": {"get", "post"},
    "/api/users/me/likes/": {"get"},
    "/api/users/me/reposts/": {"get"},
    "/api/feed/": {"get"},
    "/api/search/tweets/": {"get"},
    "/api/search/users/": {"get"},
    # Section 6: the social layer.
    "/api/notifications/": {"get"},
    "/api/notifications/unread_count/": {"get"},
    "/api/notifications/read/": {"post"},
    "/api/hashtags/{tag}/tweets/": {"get"},
    "/api/hashtags/trending/": {"get"},
    "/api/users/{username}/block/": {"post", "delete"},
    "/api/users/{username}/mute/": {"post", "delete"},
    "/api/users/me/blocks/": {"get"},
    "/api/users/me/mutes/": {"get"},
    "/api/reports/": {"post"},
    "/api/auth/password/": {"post"},
    # Section 7: bookmarks, natively too.
    "/api/tweets/{tweet_id}/bookmark/": {"post", "delete"},
    "/api/users/me/bookmarks/": {"get"},
}
PUBLIC = {"/api/auth/register/", "/api/auth/token/", "/api/auth/token/refresh/"}


def test_schema_is_openapi_3_without_authentication(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Chirp API"


def test_every_contract_path_and_method_is_documented(schema):
    for path, methods in CONTRACT.items():
        assert path in schema["paths"], path
        documented = set(schema["paths"][path]) & {"get", "post", "put", "patch", "delete"}
        assert methods <= documented, (path, methods, documented)


def test_no_undocumented_extra_methods(schema):
    for path, methods in CONTRACT.items():
        documented = set(schema["paths"][path]) & {"get", "post", "put", "patch", "delete"}
        assert documented == methods, (path, documented)


def test_operations_document_request_bodies_responses_and_errors(schema):
    for path, methods in CONTRACT.items():
        for method in methods:
            operation = schema["paths"][path][method]
            codes = set(operation["responses"])
            success = {code for code in codes if code.startswith("2")}
            assert success, (path, method)
            if path not in PUBLIC:
                assert "401" in codes, (path, method)
                assert {"jwtAuth": []} in operation["security"], (path, method)
            if method in {"post", "patch"} and "requestBody" in operation:
                assert "400" in codes, (path, method)
            if "{" in path:
                assert "404" in codes, (path, method)
            if method == "get" and any(p["name"] == "limit" for p in operation.get("parameters", [])):
                assert "400" in codes, (path, method)


def test_auth_endpoints_document_429(schema):
    for path in PUBLIC:
        assert "429" in schema["paths"][path]["post"]["responses"], path


def test_tweet_and_user_objects_have_the_contract_keys(schema):
    components = schema["components"]["schemas"]
    tweet = schema["paths"]["/api/tweets/{tweet_id}/"]["get"]["responses"]["200"]["content"]["application/json"]
    tweet_schema = components[tweet["schema"]["$ref"].rsplit("/", 1)[1]]
    assert set(tweet_schema["properties"]) == TWEET_KEYS | {"hidden"}  # `hidden`: staff only
    assert "hidden" not in tweet_schema["required"]
    me = schema["paths"]["/api/users/me/"]["get"]["responses"]["200"]["content"]["application/json"]
    me_schema = components[me["schema"]["$ref"].rsplit("/", 1)[1]]
    assert "email" in me_schema["properties"]
    user = schema["paths"]["/api/users/{username}/"]["get"]["responses"]["200"]["content"]["application/json"]
    user_schema = components[user["schema"]["$ref"].rsplit("/", 1)[1]]
    assert "email" not in user_schema["properties"]
    create = schema["paths"]["/api/tweets/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "content" in components[create["$ref"].rsplit("/", 1)[1]]["properties"]


def test_list_endpoints_document_limit_and_offset(schema):
    for path in (
        "/api/users/{username}/tweets/",
        "/api/users/me/likes/",
        "/api/users/me/bookmarks/",
        "/api/tweets/{tweet_id}/replies/",
    ):
        params = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert params["limit"]["schema"]["maximum"] == 100
        assert params["limit"]["schema"]["minimum"] == 1
        assert params["offset"]["schema"]["minimum"] == 0


def test_spectacular_validates_without_warnings(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(BASE_DIR / "manage.py"),
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(tmp_path / "schema.yaml"),
        ],
        cwd=BASE_DIR,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr and "Error" not in result.stderr, result.stderr
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


@pytest.mark.django_db
def test_swagger_ui_is_served_without_a_cdn():
    client = APIClient()
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html.lower()
    for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "googleapis"):
        assert cdn not in html, cdn
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        assert not asset.startswith(("http://", "https://", "//")), asset
    static = [asset for asset in assets if asset.startswith("/static/")]
    assert any("swagger-ui-bundle" in asset for asset in static), static
    for asset in static:
        served = client.get(asset)
        assert served.status_code == 200, asset
        if hasattr(served, "streaming_content"):
            b"".join(served.streaming_content)
            served.close()
