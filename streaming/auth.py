"""Who a stream belongs to: a Mastodon OAuth token (django-oauth-toolkit) or a native JWT
access token, checked with one indexed query or a cache hit. Synchronous (Django's ORM):
the stream process runs these in its database threads.
"""

import hashlib
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils import timezone
from oauth2_provider.models import get_access_token_model
from rest_framework_simplejwt.exceptions import TokenError

from accounts import auth_cache
from accounts.models import User
from accounts.tokens import AccessToken, issued_at, issued_before
from mastodon_api.oauth import expand_scopes

# What each stream needs of an OAuth token (a native JWT may read everything its user may).
STREAM_SCOPES = {
    "user": "read:statuses",
    "user:notification": "read:notifications",
    "public": "read:statuses",
    "public:local": "read:statuses",
    "hashtag": "read:statuses",
    "hashtag:local": "read:statuses",
}


class Refused(Exception):
    """No stream for this token: `status` (401, 403) and a message for the client."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated stream owner: the user and the token that opened the stream."""

    user_id: int
    oauth_token_id: int | None  # an OAuth access token's row, or None for a JWT
    jti: str  # a JWT's id ("" for OAuth)
    issued_at: float  # a JWT's `iat` (0 for OAuth): a later password change refuses it
    scopes: frozenset[str] | None  # None: a native JWT, every scope

    def allows(self, stream: str) -> bool:
        return self.scopes is None or STREAM_SCOPES.get(stream, "read") in self.scopes


def authenticate(raw: str) -> Principal:
    """The principal of a raw token, or Refused."""
    if not raw or len(raw) > 4096 or "\x00" in raw:
        raise Refused("Missing access token")
    if raw.count(".") == 2:
        return _jwt(raw)
    return _oauth(raw)


def _jwt(raw: str) -> Principal:
    try:
        token = AccessToken(raw)  # type: ignore[arg-type]  # the stubs want a Token; it takes the encoded one
    except TokenError as exc:
        raise Refused("Invalid access token") from exc
    raw_id, jti = token.get("user_id"), str(token.get("jti") or "")
    if isinstance(raw_id, str) and raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 19:
        raw_id = int(raw_id)  # SimpleJWT writes the id as a string
    if not isinstance(raw_id, int) or isinstance(raw_id, bool):
        raise Refused("Invalid access token")
    user_id = raw_id
    state = auth_cache.cached_state(user_id)
    if state is None:
        row = User.objects.filter(pk=user_id).values_list("is_active", "password_changed_at").first()
        if row is None:
            raise Refused("Invalid access token")
        state = auth_cache.AuthState(*row)
    if not state.is_active:
        raise Refused("Your login is currently disabled")
    if issued_before(token, state.password_changed_at) or (jti and auth_cache.logged_out(jti)):
        raise Refused("Invalid access token")
    return Principal(user_id=user_id, oauth_token_id=None, jti=jti, issued_at=issued_at(token) or 0.0, scopes=None)


def _oauth(raw: str) -> Principal:
    checksum = hashlib.sha256(raw.encode()).hexdigest()
    row = (
        get_access_token_model()
        .objects.filter(token_checksum=checksum)
        .values_list("pk", "user_id", "expires", "scope", "created", "user__is_active", "user__password_changed_at")
        .first()
    )
    if row is None:
        raise Refused("Invalid access token")
    pk, user_id, expires, scope, created, is_active, changed = row
    if user_id is None:
        raise Refused("This method requires an authenticated user", status=422)
    if expires <= timezone.now() or (changed is not None and created < changed):
        raise Refused("Invalid access token")
    if not is_active:
        raise Refused("Your login is currently disabled")
    scopes = frozenset(expand_scopes(scope.split()))
    return Principal(user_id=user_id, oauth_token_id=pk, jti="", issued_at=0.0, scopes=scopes)


def still_valid(principals: list[Principal]) -> set[Principal]:
    """Those of these principals whose tokens still stand (not revoked, not refused by a
    password change, not logged out, the user not suspended); from the rows, not the cache.
    Two queries at most, whatever their number."""
    valid: set[Principal] = set()
    oauth = {p.oauth_token_id: p for p in principals if p.oauth_token_id is not None}
    if oauth:
        now = timezone.now()
        rows = (
            get_access_token_model()
            .objects.filter(pk__in=list(oauth), expires__gt=now, user__is_active=True)
            .filter(Q(user__password_changed_at__isnull=True) | Q(created__gte=F("user__password_changed_at")))
            .values_list("pk", flat=True)
        )
        valid.update(oauth[pk] for pk in rows)
    jwts = [p for p in principals if p.oauth_token_id is None]
    if jwts:
        users = dict(
            (pk, (active, changed))
            for pk, active, changed in User.objects.filter(pk__in={p.user_id for p in jwts}).values_list(
                "pk", "is_active", "password_changed_at"
            )
        )
        for principal in jwts:
            active, changed = users.get(principal.user_id, (False, None))
            logged_out = bool(principal.jti) and auth_cache.logged_out(principal.jti)
            if active and not logged_out and (changed is None or principal.issued_at >= changed.timestamp()):
                valid.add(principal)
    return valid
