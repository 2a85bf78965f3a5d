"""HTTP views of the tweets app: thin wrappers over services and selectors."""

from collections.abc import Callable
from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import request_user
from accounts.selectors import ensure_not_blocked_by, user_get_by_username
from core.openapi import ERROR_401, ERRORS_400
from core.renderers import NoBodyInput
from tweets import selectors, services
from tweets.api.serializers import HashtagTrendOutput, TweetCreateInput, TweetOutput, TweetPostInput

ERROR_403 = OpenApiResponse(description="Not your tweet, or a block stands between you and its author.")
ERROR_403_BLOCKED = OpenApiResponse(description="A block stands between you and the author.")
ERROR_404 = OpenApiResponse(description="No such tweet (or user).")


def _tweet_response(request: Request, tweet_id: str | int, code: int = status.HTTP_200_OK) -> Response:
    tweet = selectors.tweet_get(tweet_id=tweet_id, viewer=request_user(request))
    return Response(TweetOutput(tweet).data, status=code)


# Write views are GenericAPIViews with `serializer_class` = their input serializer only so that
# the browsable API renders its HTML form; the handlers build their serializers themselves.


class TweetCreateView(generics.GenericAPIView):
    serializer_class = TweetPostInput

    @extend_schema(
        request=TweetPostInput,
        responses={201: TweetOutput, 400: ERRORS_400, 401: ERROR_401, 403: ERROR_403_BLOCKED},
        description="Post a tweet; with `in_reply_to`, a reply to that tweet (an unknown parent is a 400).",
    )
    def post(self, request: Request) -> Response:
        data = TweetPostInput(data=request.data)
        data.is_valid(raise_exception=True)
        parent = None
        if data.validated_data.get("in_reply_to") is not None:
            try:
                parent = selectors.tweet_get(tweet_id=data.validated_data["in_reply_to"], viewer=request_user(request))
            except Http404 as exc:
                raise ValidationError({"in_reply_to": ["No such tweet."]}) from exc
        tweet = services.tweet_create(
            author=request_user(request), content=data.validated_data["content"], in_reply_to=parent
        )
        return _tweet_response(request, tweet.pk, status.HTTP_201_CREATED)


class TweetDetailView(APIView):
    @extend_schema(responses={200: TweetOutput, 401: ERROR_401, 403: ERROR_403_BLOCKED, 404: ERROR_404})
    def get(self, request: Request, tweet_id: str) -> Response:
        return _tweet_response(request, tweet_id)

    @extend_schema(responses={204: None, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404})
    def delete(self, request: Request, tweet_id: str) -> Response:
        tweet = selectors.tweet_get(tweet_id=tweet_id, viewer=request_user(request))
        services.tweet_delete(tweet=tweet, by=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class _InteractionView(generics.GenericAPIView):
    """POST likes or reposts the tweet (201, or 200 if done already) and returns it; DELETE undoes it (204)."""

    serializer_class = NoBodyInput

    create: Callable[..., bool]
    delete_interaction: Callable[..., bool]

    def post(self, request: Request, tweet_id: str) -> Response:
        tweet = selectors.tweet_get(tweet_id=tweet_id, viewer=request_user(request))
        created = self.create(user=request_user(request), tweet=tweet)
        return _tweet_response(request, tweet.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def delete(self, request: Request, tweet_id: str) -> Response:
        tweet = selectors.tweet_get(tweet_id=tweet_id, viewer=request_user(request))
        self.delete_interaction(user=request_user(request), tweet=tweet)
        return Response(status=status.HTTP_204_NO_CONTENT)


_INTERACTION_RESPONSES = {201: TweetOutput, 200: TweetOutput, 401: ERROR_401, 403: ERROR_403_BLOCKED, 404: ERROR_404}
_UNDO_RESPONSES = {204: None, 401: ERROR_401, 403: ERROR_403_BLOCKED, 404: ERROR_404}


@extend_schema_view(
    post=extend_schema(
        request=None,
        responses=_INTERACTION_RESPONSES,
        description="Like the tweet (201), or 200 when already liked. Returns the tweet.",
    ),
    delete=extend_schema(request=None, responses=_UNDO_RESPONSES),
)
class LikeView(_InteractionView):
    create = staticmethod(services.like_create)
    delete_interaction = staticmethod(services.like_delete)


@extend_schema_view(
    post=extend_schema(
        request=None,
        responses=_INTERACTION_RESPONSES,
        description="Repost the tweet (201), or 200 when already reposted. Returns the tweet.",
    ),
    delete=extend_schema(request=None, responses=_UNDO_RESPONSES),
)
class RepostView(_InteractionView):
    create = staticmethod(services.repost_create)
    delete_interaction = staticmethod(services.repost_delete)


@extend_schema_view(
    post=extend_schema(
        request=None,
        responses=_INTERACTION_RESPONSES,
        description="Bookmark the tweet (201), or 200 when already bookmarked. Returns the tweet. "
        "Bookmarks are private: no counter, no notification.",
    ),
    delete=extend_schema(
        request=None, responses=_UNDO_RESPONSES, description="Remove the bookmark (204, also when there was none)."
    ),
)
class BookmarkView(_InteractionView):
    create = staticmethod(services.bookmark_create)
    delete_interaction = staticmethod(services.bookmark_delete)


class _TweetList(generics.ListAPIView):
    serializer_class = TweetOutput

    @extend_schema(
        responses={
            200: TweetOutput(many=True),
            400: ERRORS_400,
            401: ERROR_401,
            403: ERROR_403_BLOCKED,
            404: ERROR_404,
        }
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class RepliesView(_TweetList):
    def get_serializer_class(self):  # type: ignore[no-untyped-def]
        # The browsable API's POST form asks for the reply's content, not a tweet object.
        return TweetCreateInput if self.request.method == "POST" else TweetOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        tweet = selectors.tweet_get(tweet_id=self.kwargs["tweet_id"], viewer=request_user(self.request))
        return selectors.tweet_replies(tweet=tweet, viewer=request_user(self.request))

    @extend_schema(
        request=TweetCreateInput,
        responses={201: TweetOutput, 400: ERRORS_400, 401: ERROR_401, 403: ERROR_403_BLOCKED, 404: ERROR_404},
    )
    def post(self, request: Request, tweet_id: str) -> Response:
        parent = selectors.tweet_get(tweet_id=tweet_id, viewer=request_user(request))
        data = TweetCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        reply = services.tweet_create(
            author=request_user(request), content=data.validated_data["content"], in_reply_to=parent
        )
        return _tweet_response(request, reply.pk, status.HTTP_201_CREATED)


class UserTweetsView(_TweetList):
    def get_queryset(self):  # type: ignore[no-untyped-def]
        user = user_get_by_username(username=self.kwargs["username"], viewer=request_user(self.request))
        ensure_not_blocked_by(user=user, viewer=request_user(self.request))
        return selectors.user_tweets(user=user, viewer=request_user(self.request))


class MyLikesView(_TweetList):
    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.liked_tweets(user=request_user(self.request))


class MyRepostsView(_TweetList):
    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.reposted_tweets(user=request_user(self.request))


class MyBookmarksView(_TweetList):
    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.bookmarked_tweets(user=request_user(self.request))

    @extend_schema(
        responses={200: TweetOutput(many=True), 400: ERRORS_400, 401: ERROR_401},
        description="Tweets I bookmarked, newest bookmark first.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class HashtagTweetsView(_TweetList):
    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.hashtag_tweets(tag=self.kwargs["tag"], viewer=request_user(self.request))

    @extend_schema(
        responses={200: TweetOutput(many=True), 400: ERRORS_400, 401: ERROR_401, 404: ERROR_404},
        description="Tweets carrying #tag (any case), newest first. An unknown tag is an empty list; "
        "a tag that breaks the hashtag rule (1-100 letters, digits or _, at least one letter) is a 404.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class TrendingHashtagsView(APIView):
    @extend_schema(
        responses={200: HashtagTrendOutput(many=True), 401: ERROR_401},
        description="Up to 10 tags with the most distinct visible tweets in the last 24 hours, most first "
        "(ties by name). Not paginated.",
    )
    def get(self, request: Request) -> Response:
        return Response(HashtagTrendOutput(selectors.trending_hashtags(), many=True).data)
