"""GET /api/feed/: the viewer's home timeline, newest first, limit/offset paginated."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from config.pagination import parse_page_params
from feed.api.serializers import FeedItemOutput, feed_item_to_dict
from feed.timeline import feed_page
from tweets.models import Tweet


class FeedView(generics.ListAPIView):
    serializer_class = FeedItemOutput
    queryset = Tweet.objects.none()  # for schema introspection only: the page comes from feed_page

    @extend_schema(
        responses={
            200: FeedItemOutput(many=True),
            400: OpenApiResponse(description="Bad limit or offset; the body names the parameter."),
            401: OpenApiResponse(description="Missing, invalid or expired credentials."),
        },
        description=(
            "Home timeline: your tweets, those of the accounts you follow and their reposts "
            "(marked `reposted_by`), newest first; at most FEED_MAX_LENGTH (800) entries."
        ),
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        limit, offset = parse_page_params(request)
        count, items = feed_page(viewer=request.user, limit=limit, offset=offset)
        paginator = self.paginator
        paginator.limit, paginator.offset, paginator.count, paginator.request = limit, offset, count, request
        return paginator.get_paginated_response([feed_item_to_dict(item) for item in items])
