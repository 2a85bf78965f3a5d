from django.urls import path

from tweets.api import views

urlpatterns = [
    path("tweets/", views.TweetCreateView.as_view(), name="tweets-create"),
    path("tweets/<str:tweet_id>/", views.TweetDetailView.as_view(), name="tweets-detail"),
    path("tweets/<str:tweet_id>/like/", views.LikeView.as_view(), name="tweets-like"),
    path("tweets/<str:tweet_id>/repost/", views.RepostView.as_view(), name="tweets-repost"),
    path("tweets/<str:tweet_id>/bookmark/", views.BookmarkView.as_view(), name="tweets-bookmark"),
    path("tweets/<str:tweet_id>/replies/", views.RepliesView.as_view(), name="tweets-replies"),
    path("users/me/likes/", views.MyLikesView.as_view(), name="users-me-likes"),
    path("users/me/reposts/", views.MyRepostsView.as_view(), name="users-me-reposts"),
    path("users/me/bookmarks/", views.MyBookmarksView.as_view(), name="users-me-bookmarks"),
    path("users/<str:username>/tweets/", views.UserTweetsView.as_view(), name="users-tweets"),
    path("hashtags/trending/", views.TrendingHashtagsView.as_view(), name="hashtags-trending"),
    path("hashtags/<str:tag>/tweets/", views.HashtagTweetsView.as_view(), name="hashtags-tweets"),
]
