"""HTTP views of the tweets app: thin wrappers over services and selectors."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import ensure_not_blocked_by, user_get_by_username
from config.openapi import ERROR_401, ERRORS_400
from config.renderers import NoBodyInput
from tweets import selectors, services
from tweets.api.serializers import HashtagTrendOutput, TweetCreateInput, TweetOutput, TweetPostInput

ERROR_403 = OpenApiResponse(description="Not your tweet, or a block stands between you and its author.")
ERROR_403_BLOCKED = OpenApiResponse(description="A block stands between you and the author.")
ERROR_404 = OpenApiResponse(description="No such tweet (or user).")


def _tweet_response(request: Request, tweet_id: str | int, code: int = status.HTTP_200_OK) -> Response:
    tweet = selectors.tweet_get(tweet_id=tweet_id, viewer=request.user)
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
                parent = selectors.tweet_get(tweet_id=data.validated_data["in_reply_to"], viewer=request.user)
            except Http404 as exc:
                raise ValidationError({"in_reply_to": ["No such tweet."]}) from exc
        tweet = services.tweet_create(author=request.user, content=data.validated_data["content"], in_reply_to=parent)
        return _tweet_response(request, tweet.pk, status.HTTP_201_CREATED)


class TweetDetailView(APIView):
    @extend_schema(responses={200: TweetOutput, 401: ERROR_401, 403: ERROR_403_BLOCKED, 404: ERROR_404})
    def get(self, request: Request, tweet_id: str) -> Response:
        return _tweet_response(request, tweet_id)

    @extend_schema(responses={204: None, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404})
    def delete(self, request: Request, tweet_id: str) -> Response:
        tweet = selectors.tweet_get(tweet_id=tweet_id, viewer=request.user)
        services.tweet_delete(tweet=tweet, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LikeView(generics.GenericAPIView):
    serializer_class = NoBodyInput

    @extend_schema(
        request=None,
        responses={201: TweetOutput, 200: TweetOutput, 401: ERROR_401, 403: ERROR_403_BLOCKED, 404: ERROR_404},
        description="Like the tweet (201), or 200 when already liked. Returns the tweet.",
    )
    def post(self, request: Request, tweet_id: str) -> Response:
        tweet = selectors.tweet_get(tweet_id=tweet_id, viewer=request.user)
        created = services.like_create(user=request.user, tweet=tweet)
        return _tweet_response(request, tweet.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=None, responses={204: None, 401: ERROR_401, 403: ERROR_403_BLOCKED, 404: ERROR_404})
    def delete(self, request: Request, tweet_id: str) -> Response:
        tweet = selectors.tweet_get(tweet_id=tweet_id, viewer=request.user)
        services.like_delete(user=request.user, tweet=tweet)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RepostView(generics.GenericAPIView):
    serializer_class = NoBodyInput

    @extend_schema(
        request=None,
        responses={201: TweetOutput, 200: TweetOutput, 401: ERROR_401, 403: ERROR_403_BLOCKED, 404: ERROR_404},
        description="Repost the tweet (201), or 200 when already reposted. Returns the tweet.",
    )
    def post(self, request: Request, tweet_id: str) -> Response:
        tweet = selectors.tweet_get(tweet_id=tweet_id, viewer=request.user)
        created = services.repost_create(user=request.user, tweet=tweet)
        return _tweet_response(request, tweet.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=None, responses={204: None, 401: ERROR_401, 403: ERROR_403_BLOCKED, 404: ERROR_404})
    def delete(self, request: Request, tweet_id: str) -> Response:
        tweet = selectors.tweet_get(tweet_id=tweet_id, viewer=request.user)
        services.repost_delete(user=request.user, tweet=tweet)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class RepliesView(_TweetList):
    def get_serializer_class(self):  # type: ignore[no-untyped-def]
        # The browsable API's POST form asks for the reply's content, not a tweet object.
        return TweetCreateInput if self.request.method == "POST" else TweetOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        tweet = selectors.tweet_get(tweet_id=self.kwargs["tweet_id"], viewer=self.request.user)
        return selectors.tweet_replies(tweet=tweet, viewer=self.request.user)

    @extend_schema(
        request=TweetCreateInput,
        responses={201: TweetOutput, 400: ERRORS_400, 401: ERROR_401, 403: ERROR_403_BLOCKED, 404: ERROR_404},
    )
    def post(self, request: Request, tweet_id: str) -> Response:
        parent = selectors.tweet_get(tweet_id=tweet_id, viewer=request.user)
        data = TweetCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        reply = services.tweet_create(author=request.user, content=data.validated_data["content"], in_reply_to=parent)
        return _tweet_response(request, reply.pk, status.HTTP_201_CREATED)


class UserTweetsView(_TweetList):
    def get_queryset(self):  # type: ignore[no-untyped-def]
        user = user_get_by_username(username=self.kwargs["username"], viewer=self.request.user)
        ensure_not_blocked_by(user=user, viewer=self.request.user)
        return selectors.user_tweets(user=user, viewer=self.request.user)


class MyLikesView(_TweetList):
    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.liked_tweets(user=self.request.user)


class MyRepostsView(_TweetList):
    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.reposted_tweets(user=self.request.user)


class HashtagTweetsView(_TweetList):
    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.hashtag_tweets(tag=self.kwargs["tag"], viewer=self.request.user)

    @extend_schema(
        responses={200: TweetOutput(many=True), 400: ERRORS_400, 401: ERROR_401, 404: ERROR_404},
        description="Tweets carrying #tag (any case), newest first. An unknown tag is an empty list; "
        "a tag that breaks the hashtag rule (1-100 letters, digits or _, at least one letter) is a 404.",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class TrendingHashtagsView(APIView):
    @extend_schema(
        responses={200: HashtagTrendOutput(many=True), 401: ERROR_401},
        description="Up to 10 tags with the most distinct visible tweets in the last 24 hours, most first "
        "(ties by name). Not paginated.",
    )
    def get(self, request: Request) -> Response:
        return Response(HashtagTrendOutput(selectors.trending_hashtags(), many=True).data)
