"""HTTP views of the accounts app: thin wrappers over services and selectors."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts import selectors, services
from accounts.api.serializers import (
    LogoutInput,
    TokenPairOutput,
    TokenRefreshInput,
    UserMeOutput,
    UserOutput,
    UserProfileInput,
    UserRegisterInput,
)
from accounts.authentication import token_error_reason
from accounts.throttles import AuthRateThrottle

ERRORS_400 = OpenApiResponse(description="Invalid input; the body names each bad field.")
ERROR_401 = OpenApiResponse(description="Missing, invalid or expired credentials.")
ERROR_404 = OpenApiResponse(description="No such user.")
ERROR_429 = OpenApiResponse(description="Too many requests from this address; see Retry-After.")


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AuthRateThrottle]
    throttle_scope = "auth_register"

    @extend_schema(
        request=UserRegisterInput,
        responses={201: UserMeOutput, 400: ERRORS_400, 429: ERROR_429},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = UserRegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        return Response(UserMeOutput(user).data, status=status.HTTP_201_CREATED)


class TokenView(TokenObtainPairView):
    throttle_classes = [AuthRateThrottle]
    throttle_scope = "auth_token"

    @extend_schema(responses={200: TokenPairOutput, 400: ERRORS_400, 401: ERROR_401, 429: ERROR_429})
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)


class TokenRefresh(TokenRefreshView):
    serializer_class = TokenRefreshInput
    throttle_classes = [AuthRateThrottle]
    throttle_scope = "auth_refresh"

    @extend_schema(responses={200: TokenPairOutput, 400: ERRORS_400, 401: ERROR_401, 429: ERROR_429})
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as exc:
            # Say why: expired, blacklisted, bad signature, wrong algorithm...
            raise InvalidToken(token_error_reason(exc)) from exc
        return Response(serializer.validated_data, status=status.HTTP_200_OK)


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=LogoutInput,
        responses={
            205: OpenApiResponse(description="The refresh token is blacklisted."),
            400: ERRORS_400,
            401: ERROR_401,
        },
    )
    def post(self, request: Request) -> Response:
        data = LogoutInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token = RefreshToken(data.validated_data["refresh"])
        except TokenError as exc:
            raise ValidationError({"refresh": [token_error_reason(exc)]}) from exc
        if str(token.get("user_id")) != str(request.user.pk):
            raise ValidationError({"refresh": [_("Token belongs to another user.")]})
        token.blacklist()
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserMeOutput, 401: ERROR_401})
    def get(self, request: Request) -> Response:
        return Response(UserMeOutput(request.user).data)

    @extend_schema(request=UserProfileInput, responses={200: UserMeOutput, 400: ERRORS_400, 401: ERROR_401})
    def patch(self, request: Request) -> Response:
        data = UserProfileInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.user_update_profile(user=request.user, **data.validated_data)
        return Response(UserMeOutput(user).data)


class UserDetailView(APIView):
    @extend_schema(responses={200: UserOutput, 401: ERROR_401, 404: ERROR_404})
    def get(self, request: Request, username: str) -> Response:
        user = selectors.user_get_by_username(username=username, viewer=request.user)
        return Response(UserOutput(user).data)


class FollowView(APIView):
    @extend_schema(
        request=None,
        responses={
            201: UserOutput,
            200: UserOutput,
            400: OpenApiResponse(description="You cannot follow yourself."),
            401: ERROR_401,
            404: ERROR_404,
        },
        description="Follow the user (201), or 200 when already following. Returns the followed user.",
    )
    def post(self, request: Request, username: str) -> Response:
        followee = selectors.user_get_by_username(username=username, viewer=request.user)
        _follow, created = services.follow_create(follower=request.user, followee=followee)
        followee.refresh_from_db()
        return Response(UserOutput(followee).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=None,
        responses={204: None, 401: ERROR_401, 404: ERROR_404},
        description="Unfollow the user; 204 also when not following.",
    )
    def delete(self, request: Request, username: str) -> Response:
        followee = selectors.user_get_by_username(username=username, viewer=request.user)
        services.follow_delete(follower=request.user, followee=followee)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _UserRelationList(generics.ListAPIView):
    serializer_class = UserOutput

    @extend_schema(responses={200: UserOutput(many=True), 400: ERRORS_400, 401: ERROR_401, 404: ERROR_404})
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class FollowersView(_UserRelationList):
    def get_queryset(self):  # type: ignore[no-untyped-def]
        user = selectors.user_get_by_username(username=self.kwargs["username"], viewer=self.request.user)
        return selectors.user_followers(user=user, viewer=self.request.user)


class FollowingView(_UserRelationList):
    def get_queryset(self):  # type: ignore[no-untyped-def]
        user = selectors.user_get_by_username(username=self.kwargs["username"], viewer=self.request.user)
        return selectors.user_following(user=user, viewer=self.request.user)
