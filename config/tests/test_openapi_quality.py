"""Schema quality for generated clients (issue 12 points 9-11): JSON bodies only, typed
errors on every operation, and limits that match what the server accepts."""

import re

import pytest

from core.pagination import MAX_OFFSET


def operations(schema: dict):  # type: ignore[no-untyped-def]
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def component(schema: dict, ref: dict) -> dict:
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


# The image upload (DESIGN.md section 9) is the one body that is a file: multipart only.
MULTIPART = {("/api/media/", "post")}


def test_request_bodies_are_json_only(schema):
    bodies = [(path, method, op["requestBody"]) for path, method, op in operations(schema) if "requestBody" in op]
    assert bodies
    for path, method, body in bodies:
        expected = ["multipart/form-data"] if (path, method) in MULTIPART else ["application/json"]
        assert list(body["content"]) == expected, (path, method)


def test_every_error_response_references_a_shared_error_component(schema):
    seen = 0
    for path, method, operation in operations(schema):
        for code, response in operation["responses"].items():
            if code[0] not in "45":
                continue
            seen += 1
            ref = response["content"]["application/json"]["schema"]["$ref"]
            expected = "ValidationError" if code == "400" else "Error"
            if code[0] == "4" and path.startswith("/api/v1/"):
                expected = "MastodonError"  # Mastodon's `{"error": ...}` on its paths
            assert ref == f"#/components/schemas/{expected}", (path, method, code)
    assert seen > 60
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"] and set(error["properties"]) == {"detail", "code"}
    validation = schema["components"]["schemas"]["ValidationError"]
    assert validation["additionalProperties"] == {"type": "array", "items": {"type": "string"}}


def test_tweet_content_limits_match_the_server(schema):
    body = schema["paths"]["/api/tweets/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    content = component(schema, body)["properties"]["content"]
    # 1..280 after trimming, 0..280 with media_ids (section 9): the schema bounds what always holds.
    assert content["maxLength"] == 280 and "minLength" not in content
    assert "with `media_ids`, 0..280" in content["description"]


def test_q_offset_and_username_limits(schema):
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/search/tweets/"]["get"]["parameters"]}
    assert params["q"]["maxLength"] == 100
    assert params["offset"]["maximum"] == MAX_OFFSET
    body = schema["paths"]["/api/auth/register/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    pattern = re.compile(component(schema, body)["properties"]["username"]["pattern"])
    assert pattern.match("ada_1") and not pattern.match("me") and not pattern.match("ME")
    assert pattern.match("meg") and not pattern.match("a-b")


def test_envelope_next_and_previous_are_required_and_nullable(schema):
    ok = schema["paths"]["/api/feed/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    envelope = component(schema, ok)
    assert set(envelope["required"]) == {"count", "next", "previous", "results"}
    assert envelope["properties"]["next"]["nullable"] and envelope["properties"]["previous"]["nullable"]


@pytest.mark.django_db
def test_offset_past_the_maximum_is_400_naming_it(make_client, alice):
    response = make_client(alice).get("/api/feed/", {"offset": MAX_OFFSET + 1})
    assert response.status_code == 400
    assert response.json()["offset"] == [f"Must be an integer from 0 to {MAX_OFFSET}."]
    assert make_client(alice).get("/api/users/me/likes/", {"offset": MAX_OFFSET}).json()["results"] == []
