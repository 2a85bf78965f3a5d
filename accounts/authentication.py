"""JWT authentication whose 401s say why a token was refused."""

from datetime import datetime
from typing import cast

import jwt
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication as BaseJWTAuthentication
from rest_framework_simplejwt.exceptions import ExpiredTokenError, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from accounts import auth_cache
from accounts.models import User
from accounts.tokens import issued_before
from core.replicas import primary_reads

# PyJWT's verdicts, most specific first: InvalidSignatureError is a DecodeError.
_JWT_REASONS: tuple[tuple[type[Exception], str | Promise], ...] = (
    (jwt.ExpiredSignatureError, _("Token is expired.")),
    (jwt.InvalidAlgorithmError, _("Token algorithm is not allowed: only HS256 tokens are accepted.")),
    (jwt.InvalidSignatureError, _("Token signature is invalid: it was altered or signed with another key.")),
    (jwt.ImmatureSignatureError, _("Token is not valid yet.")),
    (jwt.DecodeError, _("Token is malformed.")),
)


def token_error_reason(exc: TokenError) -> str:
    """A user-facing sentence saying why SimpleJWT refused a token."""
    if isinstance(exc, ExpiredTokenError):
        return str(_("Token is expired."))
    cause: BaseException | None = exc.__cause__
    while cause is not None:
        for kind, reason in _JWT_REASONS:
            if isinstance(cause, kind):
                return str(reason)
        cause = cause.__cause__
    # SimpleJWT's own checks: blacklisted, wrong type, no id...
    return str(exc.args[0]) if exc.args else str(_("Token is invalid."))


class JWTAuthentication(BaseJWTAuthentication):
    """SimpleJWT's authentication, with the refusal reason as the 401's `detail`.

    Also refuses access tokens issued before the user's last password change.
    """

    def get_validated_token(self, raw_token: bytes) -> Token:
        reasons: list[str] = []
        for token_class in api_settings.AUTH_TOKEN_CLASSES:
            try:
                return token_class(raw_token)
            except TokenError as exc:
                reasons.append(token_error_reason(exc))
        raise InvalidToken({"detail": reasons[0], "code": "token_not_valid"})

    # simplejwt types the return as an unbound TypeVar; ours is the user model's row.
    def get_user(self, validated_token: Token) -> AbstractBaseUser:  # type: ignore[override]
        """The token's user. From the cached facts (accounts.auth_cache) when there are
        some: no query, the row is read only if the view uses more than the id."""
        user_id = _user_id(validated_token)
        state = auth_cache.cached_state(user_id) if user_id is not None else None
        if state is not None and user_id is not None:
            if not state.is_active:
                raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
            self._check_password_change(validated_token, state.password_changed_at)
            return cast(AbstractBaseUser, auth_cache.LazyUser(user_id))
        # From the primary (one look-up per user per AUTH_USER_CACHE_SECONDS): a lagging
        # replica could cache a suspended user as active, or miss a user registered a moment ago.
        with primary_reads():
            user = super().get_user(validated_token)
        if isinstance(user, User):
            auth_cache.remember(user)
        self._check_password_change(validated_token, getattr(user, "password_changed_at", None))
        return user

    @staticmethod
    def _check_password_change(validated_token: Token, password_changed_at: datetime | None) -> None:
        if issued_before(validated_token, password_changed_at):
            raise AuthenticationFailed(
                _("Token was issued before the last password change; log in again."), code="password_changed"
            )


def _user_id(validated_token: Token) -> int | None:
    """The token's user id as an int, or None (then the row lookup decides, as SimpleJWT does)."""
    raw = validated_token.get(api_settings.USER_ID_CLAIM)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 19:
        return int(raw)
    return None


class JWTAuthenticationScheme(SimpleJWTScheme):
    """Document the subclass in OpenAPI as the Bearer JWT scheme, like SimpleJWT's own."""

    target_class = "accounts.authentication.JWTAuthentication"


def request_user(request: HttpRequest | Request) -> User:
    """The signed-in user of a request, typed as our User (request.user is typed User | AnonymousUser).

    Every API view but registration requires authentication (DEFAULT_PERMISSION_CLASSES) and
    the admin requires staff, so this is the user; an anonymous one is refused as DRF does (401).
    """
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user
