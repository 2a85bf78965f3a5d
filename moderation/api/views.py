"""HTTP views of the moderation app: filing a report (moderators work in /admin/)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_user
from core.openapi import ERROR_401, ERROR_403_CSRF
from moderation import services
from moderation.api.serializers import ReportCreateInput, ReportOutput
from moderation.throttles import ReportRateThrottle


class ReportCreateView(APIView):
    throttle_classes = [ReportRateThrottle]

    @extend_schema(
        request=ReportCreateInput,
        responses={
            201: ReportOutput,
            400: OpenApiResponse(
                description="Invalid input, an unknown user or tweet, a tweet not by that user, or reporting "
                "yourself; the body names the field."
            ),
            401: ERROR_401,
            403: ERROR_403_CSRF,
            429: OpenApiResponse(description="Too many reports from you; see Retry-After."),
        },
        description="Report a user, or one of their tweets, to the moderators. A blocked user may still report.",
    )
    def post(self, request: Request) -> Response:
        data = ReportCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_create(
            reporter=request_user(request),
            reason=data.validated_data["reason"],
            username=data.validated_data.get("user"),
            tweet_id=data.validated_data.get("tweet"),
        )
        return Response(ReportOutput(report).data, status=status.HTTP_201_CREATED)
