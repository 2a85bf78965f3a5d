"""JWTs whose `iat` is precise to the microsecond, so a password change splits them exactly.

SimpleJWT writes whole seconds: a token issued just after a password change, in the
same second, would look older than the change and be refused, and one issued just
before it could pass. RFC 7519 allows a NumericDate to be a non-integer, and PyJWT
accepts one. Wired in through SIMPLE_JWT (AUTH_TOKEN_CLASSES, TOKEN_OBTAIN_SERIALIZER)
and the refresh serializer (accounts.api.serializers.TokenRefreshInput).
"""

from datetime import datetime

from rest_framework_simplejwt import tokens


def issued_at(token: tokens.Token) -> float | None:
    """The token's `iat` as a POSIX timestamp, or None when it has none usable."""
    iat = token.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        return None
    return float(iat)


def issued_before(token: tokens.Token, moment: datetime | None) -> bool:
    """Whether the token was issued before `moment` (a token without `iat` counts as older)."""
    if moment is None:
        return False
    iat = issued_at(token)
    return iat is None or iat < moment.timestamp()


class _PreciseIssuedAt:
    """`iat` as a float timestamp with microseconds instead of whole seconds."""

    current_time: datetime
    payload: dict

    def set_iat(self, claim: str = "iat", at_time: datetime | None = None) -> None:
        self.payload[claim] = (at_time or self.current_time).timestamp()


class AccessToken(_PreciseIssuedAt, tokens.AccessToken):
    pass


class RefreshToken(_PreciseIssuedAt, tokens.RefreshToken):  # type: ignore[misc]  # simplejwt's own bases disagree on for_user
    # The access token minted from a refresh token (log-in, refresh) gets its own precise iat.
    access_token_class = AccessToken
