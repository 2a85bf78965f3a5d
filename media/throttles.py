"""Upload throttling: MEDIA_THROTTLE_RATE per user, one bucket for the native and the Mastodon API."""

from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class MediaUploadThrottle(UserRateThrottle):
    """Processing an image costs ~0.3 s of CPU: one account cannot keep a web worker busy."""

    scope = "media"

    def get_rate(self) -> str:
        # Read at request time (not import time), so settings overrides apply.
        return settings.MEDIA_THROTTLE_RATE
