"""Serializer fields shared by the apps' APIs."""

from typing import Any

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of turning them into text.

    DRF's CharField accepts `{"content": 123}` as "123"; a JSON client sending a
    number where text belongs has a bug we should report, not hide.
    """

    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
