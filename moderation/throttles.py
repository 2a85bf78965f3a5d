"""Per-user throttling of report filing."""

from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class ReportRateThrottle(UserRateThrottle):
    """REPORT_THROTTLE_RATE reports per user: one account cannot flood the moderators' queue."""

    scope = "reports"

    def get_rate(self) -> str:
        # Read at request time (not import time), so settings overrides apply.
        return settings.REPORT_THROTTLE_RATE
