"""HTTP views of notifications: thin wrappers over the selectors and services."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_user
from core.openapi import ERROR_401, ERRORS_400
from core.pagination import paginated_response, parse_page_params
from notifications import selectors, services
from notifications.api.serializers import (
    NotificationOutput,
    NotificationReadInput,
    UnreadCountOutput,
    notification_to_dict,
)
from notifications.models import Notification


class NotificationListView(generics.ListAPIView):
    serializer_class = NotificationOutput
    queryset = Notification.objects.none()  # for schema introspection only: the page comes from the selector

    @extend_schema(
        operation_id="notifications_list",
        responses={200: NotificationOutput(many=True), 400: ERRORS_400, 401: ERROR_401},
        description=(
            "My notifications, newest first. Types: follow (tweet null), like and repost (my tweet), "
            "reply (the reply to my tweet), mention (the tweet naming me). They arrive a moment after "
            "their cause and leave when it is undone; blocked, muted and suspended actors are not shown."
        ),
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        limit, offset = parse_page_params(request)
        count, rows = selectors.notification_page(viewer=request_user(request), limit=limit, offset=offset)
        results = [notification_to_dict(row) for row in rows]
        return paginated_response(request, limit=limit, offset=offset, count=count, results=results)


class UnreadCountView(APIView):
    @extend_schema(
        operation_id="notifications_unread_count",
        responses={200: UnreadCountOutput, 401: ERROR_401},
        description="How many of my notifications (those the list shows) are unread.",
    )
    def get(self, request: Request) -> Response:
        return Response(UnreadCountOutput({"count": selectors.unread_count(viewer=request_user(request))}).data)


class MarkReadView(APIView):
    @extend_schema(
        operation_id="notifications_mark_read",
        request=NotificationReadInput,
        responses={204: None, 400: ERRORS_400, 401: ERROR_401},
        description="Mark my notifications read up to `up_to` (that id and older), or all of them.",
    )
    def post(self, request: Request) -> Response:
        data = NotificationReadInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.mark_read(user=request_user(request), up_to=data.validated_data.get("up_to"))
        return Response(status=status.HTTP_204_NO_CONTENT)
