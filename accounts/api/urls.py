from django.urls import path

from accounts.api import views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("auth/token/refresh/", views.TokenRefresh.as_view(), name="auth-token-refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/password/", views.PasswordChangeView.as_view(), name="auth-password"),
    path("users/me/", views.MeView.as_view(), name="users-me"),
    path("users/me/blocks/", views.MyBlocksView.as_view(), name="users-me-blocks"),
    path("users/me/mutes/", views.MyMutesView.as_view(), name="users-me-mutes"),
    path("users/<str:username>/", views.UserDetailView.as_view(), name="users-detail"),
    path("users/<str:username>/follow/", views.FollowView.as_view(), name="users-follow"),
    path("users/<str:username>/block/", views.BlockView.as_view(), name="users-block"),
    path("users/<str:username>/mute/", views.MuteView.as_view(), name="users-mute"),
    path("users/<str:username>/followers/", views.FollowersView.as_view(), name="users-followers"),
    path("users/<str:username>/following/", views.FollowingView.as_view(), name="users-following"),
]
