"""Input rules of both search endpoints: q is required and 1..100 characters; nothing gives a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ENDPOINTS = [reverse("search-tweets"), reverse("search-users")]

NASTY = [
    '"',
    '"""',
    "'",
    "'; DROP TABLE tweets_tweet; --",
    "1' OR '1'='1",
    "\\",
    "\\\\'",
    "%",
    "_",
    "%_%",
    "*",
    "?",
    "title:foo AND (bar OR baz~2) +qux -quux^3 /regex/ [a TO b] {c TO d} !x &&y ||z",
    "foo:(bar",
    '{"query": {"match_all": {}}}',
    "a & b | !c <-> d:*",
    "<-> & | ! ()",
    "-",
    "--",
    "- - -",
    "-foo",
    "or",
    "OR OR OR",
    "\"unterminated phrase -'",
    "🎉",
    "🐍 python 🐍",
    "👨‍👩‍👧‍👦",
    "مرحبا",
    "日本語の検索",
    "Ünïcödé",
    "\u200b",
    "\ufeffbom",
    "a" * 100,
    "x " * 50,
    "$(reboot)",
    "<script>alert(1)</script>",
    "%00",
    "\r\n",
    "\t tab \t",
    "\u02bbokina",
    "null",
    "undefined",
    "1e308",
    "-1",
    "0x00",
]


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("q", NASTY)
def test_any_characters_give_200_or_400_never_500(client, url, q):
    response = client.get(url, {"q": q})
    assert response.status_code in (200, 400), (q, response.status_code, response.content)
    body = response.json()
    if response.status_code == 200:
        assert set(body) == {"count", "next", "previous", "results"}
    else:
        assert "q" in body


@pytest.mark.parametrize("url", ENDPOINTS)
def test_nul_byte_is_a_400(client, url):
    response = client.get(url + "?q=foo%00bar")
    assert response.status_code == 400
    assert "q" in response.json()


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("query", ["", "?q=", "?q=%20%20%20", "?q=%09%0A", "?limit=5"])
def test_missing_or_blank_q_is_a_400(client, url, query):
    response = client.get(url + query)
    assert response.status_code == 400
    assert list(response.json()) == ["q"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_length_counts_characters_after_trimming(client, url):
    assert client.get(url, {"q": "a" * 100}).status_code == 200
    assert client.get(url, {"q": "  " + "a" * 100 + "  "}).status_code == 200
    assert client.get(url, {"q": "🎉" * 100}).status_code == 200
    response = client.get(url, {"q": "a" * 101})
    assert response.status_code == 400
    assert list(response.json()) == ["q"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_bad_q_and_bad_page_are_reported_together(client, url):
    response = client.get(url, {"limit": "0", "offset": "-1"})
    assert response.status_code == 400
    assert set(response.json()) == {"q", "limit", "offset"}


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("params", [{"limit": "101"}, {"limit": "abc"}, {"offset": "1.5"}])
def test_bad_page_params_are_a_400(client, url, params):
    response = client.get(url, {"q": "x", **params})
    assert response.status_code == 400
    assert set(response.json()) == set(params)


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("q", ["hello", ""])
def test_browsable_api_renders(client, url, q):
    response = client.get(url, {"q": q, "format": "api"}, HTTP_ACCEPT="text/html")
    assert response.status_code == (200 if q else 400)
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("url", ENDPOINTS)
def test_requires_authentication(api_client, url):
    assert api_client.get(url, {"q": "x"}).status_code == 401


@pytest.mark.parametrize("url", ENDPOINTS)
def test_huge_offset_is_an_empty_page(client, url):
    response = client.get(url, {"q": "x", "offset": "999999999999"})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_schema_documents_q_as_required(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/search/tweets/", "/api/search/users/"):
        operation = schema["paths"][path]["get"]
        (q,) = [p for p in operation["parameters"] if p["name"] == "q"]
        assert q["required"] is True and q["in"] == "query"
        assert {"limit", "offset"} <= {p["name"] for p in operation["parameters"]}
        assert "400" in operation["responses"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].startswith(
            "#/components/schemas/Paginated"
        )


def test_healthz_reports_search(api_client):
    response = api_client.get("/healthz")
    assert response.json()["search"] == "ok"
