"""Per-client-address throttling of the unauthenticated auth endpoints."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class AuthRateThrottle(SimpleRateThrottle):
    """AUTH_THROTTLE_RATE per client address, one bucket per view (`throttle_scope`)."""

    scope = "auth"

    def get_rate(self) -> str:
        return settings.AUTH_THROTTLE_RATE

    def get_cache_key(self, request, view) -> str:  # type: ignore[no-untyped-def]
        scope = getattr(view, "throttle_scope", self.scope)
        return self.cache_format % {"scope": scope, "ident": self.get_ident(request)}


class UserAuthRateThrottle(AuthRateThrottle):
    """AUTH_THROTTLE_RATE per signed-in user: guesses spread over many addresses still add up."""

    def get_cache_key(self, request, view) -> str:  # type: ignore[no-untyped-def]
        if not request.user.is_authenticated:
            return super().get_cache_key(request, view)
        scope = getattr(view, "throttle_scope", self.scope)
        return self.cache_format % {"scope": f"{scope}_user", "ident": request.user.pk}
