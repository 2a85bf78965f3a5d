"""HTTP views of the accounts app: thin wrappers over services and selectors."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth import update_session_auth_hash
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts import selectors, services
from accounts.api.serializers import (
    LogoutInput,
    PasswordChangeInput,
    TokenPairOutput,
    TokenRefreshInput,
    UserMeOutput,
    UserOutput,
    UserProfileInput,
    UserProfileOutput,
    UserRegisterInput,
    profile_data,
)
from accounts.authentication import request_user, token_error_reason
from accounts.models import User
from accounts.throttles import AuthRateThrottle, UserAuthRateThrottle
from core.openapi import ERROR_401, ERROR_403_CSRF, ERROR_429, ERRORS_400
from core.renderers import NoBodyInput

ERROR_403 = OpenApiResponse(description="This user has blocked you (or you block them).")
ERROR_404 = OpenApiResponse(description="No such user.")


# Views are GenericAPIViews with `serializer_class` = their input serializer only so that the
# browsable API renders its HTML form; the handlers build their serializers themselves.


class RegisterView(generics.GenericAPIView):
    serializer_class = UserRegisterInput
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
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)


class TokenRefresh(TokenRefreshView):
    serializer_class = TokenRefreshInput
    throttle_classes = [AuthRateThrottle]
    throttle_scope = "auth_refresh"

    @extend_schema(responses={200: TokenPairOutput, 400: ERRORS_400, 401: ERROR_401, 429: ERROR_429})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as exc:
            # Say why: expired, blacklisted, bad signature, wrong algorithm...
            raise InvalidToken(token_error_reason(exc)) from exc
        return Response(serializer.validated_data, status=status.HTTP_200_OK)


class LogoutView(generics.GenericAPIView):
    serializer_class = LogoutInput
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
        user = request_user(request)
        services.refresh_token_blacklist(user=user, refresh=data.validated_data["refresh"])
        access = request.auth if hasattr(request.auth, "get") else None
        if access is not None:  # a JWT (the browsable API's session has none)
            exp = access.get("exp")
            services.access_token_logout(
                user=user, jti=access.get("jti"), expires_at=float(exp) if isinstance(exp, int | float) else None
            )
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeView(generics.GenericAPIView):
    serializer_class = UserProfileInput
    permission_classes = [IsAuthenticated]

    def get_serializer(self, *args: Any, **kwargs: Any) -> BaseSerializer:
        """The browsable API's PATCH form: today's texts filled in, email blank (blank keeps it)."""
        if kwargs.get("instance") is not None:
            user = request_user(self.request)
            kwargs["instance"] = {"display_name": user.display_name, "bio": user.bio}
        return super().get_serializer(*args, **kwargs)

    @extend_schema(responses={200: UserMeOutput, 401: ERROR_401})
    def get(self, request: Request) -> Response:
        return Response(UserMeOutput(request_user(request)).data)

    @extend_schema(request=UserProfileInput, responses={200: UserMeOutput, 400: ERRORS_400, 401: ERROR_401})
    def patch(self, request: Request) -> Response:
        data = UserProfileInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "email" in fields:
            services.user_change_email(
                user=request_user(request), email=fields.pop("email"), current_password=fields.pop("current_password")
            )
        fields.pop("current_password", None)
        user = services.user_update_profile(user=request_user(request), **fields)
        return Response(UserMeOutput(user).data)


def _profile_response(request: Request, user: User, created: bool) -> Response:
    """The user acted on (fresh counters) with the viewer's relationship: 201 if created, else 200."""
    user.refresh_from_db()
    relationship = selectors.relationship(viewer=request_user(request), user=user)
    return Response(profile_data(user, relationship), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class UserDetailView(APIView):
    @extend_schema(responses={200: UserProfileOutput, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404})
    def get(self, request: Request, username: str) -> Response:
        user, relationship = selectors.user_profile(username=username, viewer=request_user(request))
        return Response(profile_data(user, relationship))


class FollowView(generics.GenericAPIView):
    serializer_class = NoBodyInput

    @extend_schema(
        request=None,
        responses={
            201: UserProfileOutput,
            200: UserProfileOutput,
            400: OpenApiResponse(description="You cannot follow yourself."),
            401: ERROR_401,
            403: ERROR_403,
            404: ERROR_404,
        },
        description="Follow the user (201), or 200 when already following. Returns the followed user.",
    )
    def post(self, request: Request, username: str) -> Response:
        followee = selectors.user_get_by_username(username=username, viewer=request_user(request))
        _follow, created = services.follow_create(follower=request_user(request), followee=followee)
        return _profile_response(request, followee, created)

    @extend_schema(
        request=None,
        responses={204: None, 401: ERROR_401, 404: ERROR_404},
        description="Unfollow the user; 204 also when not following.",
    )
    def delete(self, request: Request, username: str) -> Response:
        followee = selectors.user_get_by_username(username=username, viewer=request_user(request))
        services.follow_delete(follower=request_user(request), followee=followee)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _RelationView(generics.GenericAPIView):
    """POST creates the viewer's block or mute of the user (201, or 200 if there), DELETE undoes it (204)."""

    serializer_class = NoBodyInput

    create: Callable[..., bool]
    delete_relation: Callable[..., bool]

    def post(self, request: Request, username: str) -> Response:
        target = selectors.user_get_by_username(username=username, viewer=request_user(request))
        created = self.create(user=request_user(request), target=target)
        return _profile_response(request, target, created)

    def delete(self, request: Request, username: str) -> Response:
        target = selectors.user_get_by_username(username=username, viewer=request_user(request))
        self.delete_relation(user=request_user(request), target=target)
        return Response(status=status.HTTP_204_NO_CONTENT)


_RELATION_RESPONSES = {
    201: UserProfileOutput,
    200: UserProfileOutput,
    400: OpenApiResponse(description="You cannot do this to yourself."),
    401: ERROR_401,
    404: ERROR_404,
}


@extend_schema_view(
    post=extend_schema(
        request=None,
        responses=_RELATION_RESPONSES,
        description="Block the user (201, or 200 if already): follows both ways end; they can no longer "
        "follow you, see your profile or tweets, or reply to, like or repost them. Returns the user.",
    ),
    delete=extend_schema(request=None, responses={204: None, 401: ERROR_401, 404: ERROR_404}),
)
class BlockView(_RelationView):
    create = staticmethod(services.block_create)
    delete_relation = staticmethod(services.block_delete)


@extend_schema_view(
    post=extend_schema(
        request=None,
        responses=_RELATION_RESPONSES,
        description="Mute the user (201, or 200 if already): their tweets and reposts leave your feed and "
        "they cause you no notifications; follows stay. Returns the user.",
    ),
    delete=extend_schema(request=None, responses={204: None, 401: ERROR_401, 404: ERROR_404}),
)
class MuteView(_RelationView):
    create = staticmethod(services.mute_create)
    delete_relation = staticmethod(services.mute_delete)


class _UserList(generics.ListAPIView):
    serializer_class = UserOutput

    @extend_schema(
        responses={200: UserOutput(many=True), 400: ERRORS_400, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def listed_user(self) -> User:
        """The user named in the path; PermissionDenied when they block the viewer."""
        user = selectors.user_get_by_username(username=self.kwargs["username"], viewer=request_user(self.request))
        selectors.ensure_not_blocked_by(user=user, viewer=request_user(self.request))
        return user


class FollowersView(_UserList):
    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.user_followers(user=self.listed_user(), viewer=request_user(self.request))


class FollowingView(_UserList):
    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.user_following(user=self.listed_user(), viewer=request_user(self.request))


class MyBlocksView(_UserList):
    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.user_blocks(user=request_user(self.request))


class MyMutesView(_UserList):
    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.user_mutes(user=request_user(self.request))


class PasswordChangeView(generics.GenericAPIView):
    """Change one's password: every refresh token and every older access token stop working."""

    serializer_class = PasswordChangeInput

    permission_classes = [IsAuthenticated]
    # Against password guessing with a stolen token: per address and per user.
    throttle_classes = [AuthRateThrottle, UserAuthRateThrottle]
    throttle_scope = "auth_password"

    @extend_schema(
        request=PasswordChangeInput,
        responses={
            204: OpenApiResponse(
                description="Changed. Refresh tokens are blacklisted and access tokens issued before now are "
                "refused: log in again."
            ),
            400: ERRORS_400,
            401: ERROR_401,
            403: ERROR_403_CSRF,
            429: OpenApiResponse(description="Too many attempts from this address or for this user; see Retry-After."),
        },
    )
    def post(self, request: Request) -> Response:
        data = PasswordChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_change(user=request_user(request), **data.validated_data)
        if request.auth is None:
            # Session (browsable API): stay signed in here; other sessions end with the old hash.
            update_session_auth_hash(request._request, request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
