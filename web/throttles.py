"""The API's throttles applied to the web forms: sign-in, sign-up and password change per
client address (AUTH_THROTTLE_RATE, as the token endpoint), reports per user
(REPORT_THROTTLE_RATE, the API's very bucket).

DRF's throttle classes are used as they are; they key their bucket on the view's
`throttle_scope`, so each web form has its own bucket, as each API view does.
"""

from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from accounts.throttles import AuthRateThrottle, UserAuthRateThrottle
from media.throttles import MediaUploadThrottle
from moderation.throttles import ReportRateThrottle


class _Form(APIView):
    """Stands for the view a DRF throttle keys its bucket on (never dispatched)."""

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.throttle_scope = scope


def _wait(request: HttpRequest, throttles: list[BaseThrottle], scope: str) -> int | None:
    """Seconds to wait if any throttle refuses this attempt (each counts it), else None."""
    drf_request = Request(request, authenticators=[])
    drf_request.user = request.user  # the session's, already known: no DRF authentication
    waits = [throttle.wait() or 1 for throttle in throttles if not throttle.allow_request(drf_request, _Form(scope))]
    return max(1, int(max(waits))) if waits else None


def auth_wait(request: HttpRequest, scope: str, *, per_user: bool = False) -> int | None:
    """AUTH_THROTTLE_RATE per client address (and per signed-in user with `per_user`)."""
    throttles: list[BaseThrottle] = [AuthRateThrottle()]
    if per_user:
        throttles.append(UserAuthRateThrottle())
    return _wait(request, throttles, scope)


def report_wait(request: HttpRequest) -> int | None:
    """REPORT_THROTTLE_RATE per user, counted with the API's reports."""
    return _wait(request, [ReportRateThrottle()], "reports")


def media_wait(request: HttpRequest) -> int | None:
    """MEDIA_THROTTLE_RATE per user, one upload counted in the API's bucket."""
    return _wait(request, [MediaUploadThrottle()], "media")
