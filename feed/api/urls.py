from django.urls import path

from feed.api import views

urlpatterns = [
    path("feed/", views.FeedView.as_view(), name="feed"),
]
