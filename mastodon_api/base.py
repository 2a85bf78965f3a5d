"""The base of every Mastodon endpoint: token authentication, scopes, errors, rate-limit headers."""

import time
from datetime import UTC, datetime

from django.conf import settings
from django_redis import get_redis_connection
from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.parsers import LimitedMultiPartParser
from core.renderers import ORJSONRenderer
from mastodon_api.auth import MastodonTokenAuthentication, token_allows
from mastodon_api.entities import Renderer
from mastodon_api.errors import Unprocessable, mastodon_exception_handler
from mastodon_api.pagination import Cursor, link_header, parse_cursor

RATE_WINDOW_SECONDS = 300  # Mastodon's: 300 requests per 5 minutes per token (or address)


class TooManyRequests(exceptions.APIException):
    """429 with Mastodon's message; `wait` becomes Retry-After (DRF's handler reads it)."""

    status_code = 429
    default_detail = "Too many requests"
    default_code = "throttled"

    def __init__(self, wait: int) -> None:
        super().__init__()
        self.wait = wait


def _reset_iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class MastodonView(APIView):
    """Thin: validate, call one selector or service, render entities.

    `scopes` maps an HTTP method to the scope it needs; methods in `public_methods` need no
    token; `user_required` refuses app-only (client_credentials) tokens with a 422.
    """

    # Mastodon's own documentation is this API's contract; Chirp's OpenAPI schema covers /api/ only.
    schema = None
    authentication_classes = [MastodonTokenAuthentication]
    permission_classes: list = []
    throttle_classes: list = []
    renderer_classes = [ORJSONRenderer]
    parser_classes = [JSONParser, FormParser, LimitedMultiPartParser]
    scopes: dict[str, str] = {}
    public_methods: tuple[str, ...] = ()
    user_required = True

    def get_exception_handler(self):  # type: ignore[no-untyped-def]
        return mastodon_exception_handler

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        super().initial(request, *args, **kwargs)
        self._rate_limit(request)
        if request.method in self.public_methods or request.method == "OPTIONS":
            return
        if request.auth is None:
            raise exceptions.NotAuthenticated("The access token is invalid")
        scope = self.scopes.get(request.method or "")
        if scope and not token_allows(request.auth, scope):
            raise exceptions.PermissionDenied("This action is outside the authorized scopes")
        if self.user_required and not request.user.is_authenticated:
            raise Unprocessable("This method requires an authenticated user")

    def _rate_limit(self, request: Request) -> None:
        """A fixed window per token (or client address), counted in Redis; fails open without it."""
        limit = settings.MASTODON_RATE_LIMIT
        now = time.time()
        window_start = int(now // RATE_WINDOW_SECONDS) * RATE_WINDOW_SECONDS
        who = f"t{request.auth.pk}" if request.auth is not None else f"a{request.META.get('REMOTE_ADDR', '')}"
        key = f"chirp:mastodon:rl:{who}:{window_start}"
        try:
            with get_redis_connection("default").pipeline(transaction=False) as pipe:
                pipe.incr(key)
                pipe.expire(key, RATE_WINDOW_SECONDS + 5)
                used = int(pipe.execute()[0])
        except RedisError:
            used = 0
        reset = window_start + RATE_WINDOW_SECONDS
        request.rate_limit_headers = {  # type: ignore[attr-defined]
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(limit - used, 0)),
            "X-RateLimit-Reset": _reset_iso(reset),
        }
        if used > limit:
            raise TooManyRequests(max(int(reset - now), 1))

    def finalize_response(self, request: Request, response: Response, *args: object, **kwargs: object) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in getattr(request, "rate_limit_headers", {}).items():
            response[name] = value
        return response

    # --- helpers for the endpoints ------------------------------------------------

    @property
    def me(self) -> User:
        """The signed-in user (initial() already refused app-only tokens where one is needed)."""
        user = self.request.user
        if not isinstance(user, User):
            raise Unprocessable("This method requires an authenticated user")
        return user

    @property
    def viewer(self) -> User | None:
        """The signed-in user, or None for an anonymous or app-only request."""
        user = self.request.user
        return user if isinstance(user, User) else None

    @property
    def renderer(self) -> Renderer:
        if not hasattr(self, "_renderer"):
            self._renderer = Renderer(self.request)
        return self._renderer

    def cursor(self) -> Cursor:
        return parse_cursor(self.request)

    def paged(
        self, items: list[dict], *, first_id: str | int | None = None, last_id: str | int | None = None
    ) -> Response:
        """A list with its Link header; cursors default to the first and last entity ids."""
        response = Response(items)
        if items:
            header = link_header(
                self.request,
                first_id if first_id is not None else items[0]["id"],
                last_id if last_id is not None else items[-1]["id"],
            )
            if header:
                response["Link"] = header
        return response

    def param(self, name: str, default: str = "") -> str:
        """A body or query parameter as a string (form, JSON or query string)."""
        data = self.request.data if self.request.method in ("POST", "PUT", "PATCH") else {}
        value = data.get(name) if hasattr(data, "get") else None
        if value is None:
            value = self.request.query_params.get(name, default)
        if isinstance(value, bool):
            return "true" if value else "false"
        if not isinstance(value, str | int | float):
            raise Unprocessable(f"{name} must be a string")
        return str(value)

    def optional_text(self, name: str) -> str | None:
        """A body parameter that may be absent (None: leave it as it is), else a string."""
        data = self.request.data
        if not hasattr(data, "get") or data.get(name) is None:
            return None
        return self.param(name)

    def param_list(self, name: str) -> list[str]:
        """`id[]=1&id[]=2`, `id=1`, or a JSON list."""
        query = self.request.query_params
        values = query.getlist(f"{name}[]") or query.getlist(name)
        if not values and self.request.method == "POST":
            data = self.request.data
            raw = data.get(name) if hasattr(data, "get") else None
            if isinstance(raw, list):
                values = [str(v) for v in raw]
            elif hasattr(data, "getlist"):
                values = data.getlist(f"{name}[]") or data.getlist(name)
        return values
