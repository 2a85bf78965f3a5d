from django.urls import path

from search.api.views import SearchTweetsView, SearchUsersView

urlpatterns = [
    path("search/tweets/", SearchTweetsView.as_view(), name="search-tweets"),
    path("search/users/", SearchUsersView.as_view(), name="search-users"),
]
