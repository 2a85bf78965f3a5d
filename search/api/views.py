"""GET /api/search/tweets/?q= and /api/search/users/?q=: validate, search, hydrate, paginate."""

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.serializers import UserOutput
from accounts.authentication import request_user
from accounts.models import User
from core.openapi import ERROR_401
from core.pagination import LimitOffsetPagination, paginated_response, parse_page_params
from search import selectors
from search.api.serializers import Q_MAX_LENGTH, SearchQueryInput
from tweets.api.serializers import TweetOutput
from tweets.models import Tweet

Q_PARAMETER = OpenApiParameter(
    "q",
    # The limit applies after trimming (a longer padded value is accepted too).
    {"type": "string", "minLength": 1, "maxLength": Q_MAX_LENGTH},
    OpenApiParameter.QUERY,
    required=True,
    description=f"1 to {Q_MAX_LENGTH} characters after trimming.",
)
ERRORS_400 = OpenApiResponse(description="`q` missing, blank or too long, or a bad `limit`/`offset`; names each one.")


def parse_search_params(request: Request) -> tuple[str, int, int]:
    """(q, limit, offset), or one 400 naming every bad parameter."""
    errors: dict[str, Any] = {}
    data = SearchQueryInput(data={"q": request.query_params["q"]} if "q" in request.query_params else {})
    if not data.is_valid():
        errors.update(data.errors)
    try:
        limit, offset = parse_page_params(request)
    except ValidationError as exc:
        errors.update(exc.detail)  # type: ignore[arg-type]
    if errors:
        raise ValidationError(errors)
    return data.validated_data["q"], limit, offset


class _SearchView(generics.GenericAPIView):
    pagination_class = LimitOffsetPagination
    search: Callable[..., tuple[int, list[Any]]]

    def get(self, request: Request) -> Response:
        q, limit, offset = parse_search_params(request)
        count, results = self.search(q=q, viewer=request_user(request), limit=limit, offset=offset)
        data = self.get_serializer(results, many=True).data
        return paginated_response(request, limit=limit, offset=offset, count=count, results=data)


class SearchTweetsView(_SearchView):
    serializer_class = TweetOutput
    queryset = Tweet.objects.none()  # for the browsable API and schema only: results come from the backend
    search = staticmethod(selectors.search_tweets)

    @extend_schema(
        operation_id="search_tweets",
        parameters=[Q_PARAMETER],
        responses={200: TweetOutput(many=True), 400: ERRORS_400, 401: ERROR_401},
        description=(
            "Tweets matching `q`, most relevant first, then newest. Web-search syntax: words must all "
            'match (stemmed: "running" finds "run"), "quoted phrase", `or` between alternatives, '
            "`-word` to exclude. A query of exclusions only matches nothing."
        ),
    )
    def get(self, request: Request) -> Response:
        return super().get(request)


class SearchUsersView(_SearchView):
    serializer_class = UserOutput
    queryset = User.objects.none()  # for the browsable API and schema only
    search = staticmethod(selectors.search_users)

    @extend_schema(
        operation_id="search_users",
        parameters=[Q_PARAMETER],
        responses={200: UserOutput(many=True), 400: ERRORS_400, 401: ERROR_401},
        description=(
            "Users whose username starts with `q` or whose display name contains it (any case), "
            "and close spellings; exact username first, then prefix, then similarity."
        ),
    )
    def get(self, request: Request) -> Response:
        return super().get(request)
