"""tweet_to_dict renders times exactly as DRF's DateTimeField would."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from rest_framework import serializers

from tweets.api.serializers import iso_utc


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 11, 28, 14, 30, 0, 123456, tzinfo=UTC),
        datetime(2026, 11, 28, 14, 30, 0, tzinfo=UTC),
        datetime(2026, 1, 1, 23, 59, 59, 1, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_iso_utc_matches_drf(value, settings):
    assert settings.USE_TZ and settings.TIME_ZONE == "UTC"
    assert iso_utc(value) == serializers.DateTimeField().to_representation(value)
    assert iso_utc(value).endswith("Z")
