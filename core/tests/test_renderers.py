"""core.renderers.ORJSONRenderer: the same JSON as DRF's JSONRenderer, parsed, for every
type DRF renders; DRF's fallbacks where orjson differs (indentation, huge integers)."""

import datetime
import decimal
import ipaddress
import json
import uuid
from collections import OrderedDict
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from accounts.models import User
from core.renderers import ORJSONRenderer

SAMPLE = {
    "utc": datetime.datetime(2026, 12, 2, 11, 30, 5, 123456, tzinfo=datetime.UTC),
    "utc_no_micro": datetime.datetime(2026, 12, 2, 11, 30, 5, tzinfo=datetime.UTC),
    "paris": datetime.datetime(2026, 7, 1, 8, 0, tzinfo=ZoneInfo("Europe/Paris")),
    "naive": datetime.datetime(2026, 1, 2, 3, 4, 5),
    "date": datetime.date(2026, 12, 2),
    "time": datetime.time(13, 45, 1, 500),
    "delta": datetime.timedelta(days=1, seconds=3, microseconds=5),
    "decimal": decimal.Decimal("12.50"),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "ip": ipaddress.ip_address("192.0.2.1"),
    "lazy": gettext_lazy("This field may not be blank."),
    "bytes": b"blob",
    "generator": (i * i for i in range(3)),
    "set_like": frozenset({7}),
    "ordered": OrderedDict([("b", 1), ("a", 2)]),
    "int_keys": {1: "one", 2: "two"},
    "nested": [{"x": None, "y": True, "z": 1.5, "w": -(2**63)}],
    "text": 'héllo 🐦 \u2028 \u2029 "quoted" \\ </script>',
    "return_dict": ReturnDict({"k": "v"}, serializer=None),
    "return_list": ReturnList([1, 2], serializer=None),
}


def both(data: object, media: str = "application/json") -> tuple[bytes, bytes]:
    # Generators are consumed by rendering: each renderer gets its own copy.
    fresh = dict(data, generator=(i * i for i in range(3))) if isinstance(data, dict) and "generator" in data else data
    return ORJSONRenderer().render(data, media, {}), JSONRenderer().render(fresh, media, {})


def test_same_meaning_for_every_type_drf_renders():
    ours, drf = both(SAMPLE)
    assert json.loads(ours) == json.loads(drf)
    parsed = json.loads(ours)
    assert parsed["utc"] == "2026-12-02T11:30:05.123456Z"  # DRF's Z, not orjson's +00:00
    assert parsed["paris"] == "2026-07-01T08:00:00+02:00"
    assert parsed["decimal"] == 12.5 and parsed["uuid"] == "12345678-1234-5678-1234-567812345678"
    assert parsed["int_keys"] == {"1": "one", "2": "two"}


def test_compact_utf8_and_line_separators_escaped_like_drf():
    ours, drf = both({"text": SAMPLE["text"], "n": [1, 2]})
    assert ours == drf  # byte for byte on plain data
    assert b"\\u2028" in ours and "🐦".encode() in ours


def test_each_line_separator_escaped_among_other_characters_of_its_lead_byte():
    # "—", "…" and "€" start with the same UTF-8 byte as U+2028/U+2029 (0xE2), which is
    # what the renderer looks for first: each separator alone, beside them, and neither.
    for text in ("a — b … € \u2029", "\u2028 — c", "— … € only", "plain ascii"):
        ours, drf = both({"text": text})
        assert ours == drf, text
        assert ("\u2028" in text) == (b"\\u2028" in ours) and ("\u2029" in text) == (b"\\u2029" in ours)


def test_indent_asked_for_falls_back_to_drf():
    ours, drf = both({"a": [1, 2]}, "application/json; indent=4")
    assert ours == drf and b"\n    " in ours


def test_integers_orjson_refuses_go_through_drf():
    ours, drf = both({"big": 2**70})
    assert ours == drf == b'{"big":1180591620717411303424}'


def test_none_renders_nothing():
    assert ORJSONRenderer().render(None) == b""


def test_unknown_objects_fail_as_drf_does():
    with pytest.raises(TypeError):
        ORJSONRenderer().render({"x": object()})


@pytest.mark.django_db
def test_api_responses_parse_the_same(make_client, alice):
    """A real response (the user object: datetimes, ids) renders the same both ways."""
    response = make_client(alice).get("/api/users/me/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == json.loads(JSONRenderer().render(response.data))
    assert User.objects.filter(pk=alice.pk).exists()
