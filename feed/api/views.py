"""GET /api/feed/: the viewer's home timeline, newest first, limit/offset paginated."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import request_user
from core.openapi import ERROR_401, ERRORS_400_PAGE
from core.pagination import paginated_response, parse_page_params
from feed.api.serializers import FeedItemOutput, feed_item_to_dict
from feed.timeline import feed_page
from tweets.models import Tweet


class FeedView(generics.ListAPIView):
    serializer_class = FeedItemOutput
    queryset = Tweet.objects.none()  # for schema introspection only: the page comes from feed_page

    @extend_schema(
        responses={
            200: FeedItemOutput(many=True),
            400: ERRORS_400_PAGE,
            401: ERROR_401,
        },
        description=(
            "Home timeline: your tweets, those of the accounts you follow and their reposts "
            "(marked `reposted_by`), newest first; at most FEED_MAX_LENGTH (800) entries."
        ),
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        limit, offset = parse_page_params(request)
        count, items = feed_page(viewer=request_user(request), limit=limit, offset=offset)
        results = [feed_item_to_dict(item) for item in items]
        return paginated_response(request, limit=limit, offset=offset, count=count, results=results)
