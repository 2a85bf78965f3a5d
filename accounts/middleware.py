"""Session authentication with the user's facts from accounts.auth_cache."""

from functools import partial

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.auth_cache import session_user


class CachedSessionAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, whose request.user is `session_user`: a signed-in
    page reads no user row while the cached facts hold (logout, password change and
    suspension still take effect on the next request)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(partial(session_user, request))  # type: ignore[assignment]
