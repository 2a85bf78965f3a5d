"""Mastodon's paths, each with and without a trailing slash (clients differ)."""

from django.urls import re_path

from mastodon_api import oauth_views
from mastodon_api.views import (
    accounts,
    favourites,
    instance,
    media,
    notifications,
    search,
    statuses,
    timelines,
    trends,
)

ID = r"(?P<{}>[^/]+)"


def route(pattern: str, view, name: str):  # type: ignore[no-untyped-def]
    """`pattern` (a regex without anchors) with an optional trailing slash."""
    return re_path(rf"^{pattern}/?$", view, name=name)


urlpatterns = [
    # OAuth 2
    route(r"oauth/authorize", oauth_views.authorize, "mastodon-oauth-authorize"),
    route(r"oauth/token", oauth_views.token, "mastodon-oauth-token"),
    route(r"oauth/revoke", oauth_views.revoke, "mastodon-oauth-revoke"),
    route(r"api/v1/apps", oauth_views.AppsView.as_view(), "mastodon-apps"),
    route(r"api/v1/apps/verify_credentials", oauth_views.AppVerifyView.as_view(), "mastodon-apps-verify"),
    # instance and stubs
    route(r"api/v1/instance", instance.InstanceV1View.as_view(), "mastodon-instance-v1"),
    route(r"api/v2/instance", instance.InstanceV2View.as_view(), "mastodon-instance-v2"),
    route(r"api/v1/custom_emojis", instance.EmptyListView.as_view(), "mastodon-custom-emojis"),
    route(r"api/v1/filters", instance.EmptyListView.as_view(), "mastodon-filters-v1"),
    route(r"api/v2/filters", instance.EmptyListView.as_view(), "mastodon-filters-v2"),
    route(r"api/v1/lists", instance.EmptyListView.as_view(), "mastodon-lists"),
    route(r"api/v1/markers", instance.MarkersView.as_view(), "mastodon-markers"),
    route(r"api/v1/preferences", instance.PreferencesView.as_view(), "mastodon-preferences"),
    # accounts
    route(r"api/v1/accounts/verify_credentials", accounts.VerifyCredentialsView.as_view(), "mastodon-verify"),
    route(
        r"api/v1/accounts/update_credentials", accounts.UpdateCredentialsView.as_view(), "mastodon-update-credentials"
    ),
    route(r"api/v1/accounts/lookup", accounts.LookupView.as_view(), "mastodon-account-lookup"),
    route(r"api/v1/accounts/relationships", accounts.RelationshipsView.as_view(), "mastodon-relationships"),
    route(r"api/v1/blocks", accounts.BlocksView.as_view(), "mastodon-blocks"),
    route(r"api/v1/mutes", accounts.MutesView.as_view(), "mastodon-mutes"),
    route(r"api/v1/follow_requests", accounts.FollowRequestsView.as_view(), "mastodon-follow-requests"),
    route(rf"api/v1/accounts/{ID.format('account_id')}", accounts.AccountView.as_view(), "mastodon-account"),
    route(
        rf"api/v1/accounts/{ID.format('account_id')}/statuses",
        accounts.AccountStatusesView.as_view(),
        "mastodon-account-statuses",
    ),
    route(
        rf"api/v1/accounts/{ID.format('account_id')}/followers", accounts.FollowersView.as_view(), "mastodon-followers"
    ),
    route(
        rf"api/v1/accounts/{ID.format('account_id')}/following", accounts.FollowingView.as_view(), "mastodon-following"
    ),
    *[
        route(
            rf"api/v1/accounts/{ID.format('account_id')}/{action}",
            accounts.relation_view(action, scope).as_view(),
            f"mastodon-account-{action}",
        )
        for action, scope in (
            ("follow", "write:follows"),
            ("unfollow", "write:follows"),
            ("block", "write:blocks"),
            ("unblock", "write:blocks"),
            ("mute", "write:mutes"),
            ("unmute", "write:mutes"),
        )
    ],
    # media
    route(r"api/v2/media", media.MediaCreateView.as_view(), "mastodon-media-v2"),
    route(r"api/v1/media", media.MediaCreateView.as_view(), "mastodon-media-v1"),
    route(rf"api/v1/media/{ID.format('media_id')}", media.MediaView.as_view(), "mastodon-media"),
    # statuses
    route(r"api/v1/statuses", statuses.StatusCreateView.as_view(), "mastodon-statuses"),
    route(rf"api/v1/statuses/{ID.format('status_id')}", statuses.StatusView.as_view(), "mastodon-status"),
    route(rf"api/v1/statuses/{ID.format('status_id')}/context", statuses.ContextView.as_view(), "mastodon-context"),
    *[
        route(
            rf"api/v1/statuses/{ID.format('status_id')}/{action}",
            statuses.action_view(action, scope).as_view(),
            f"mastodon-status-{action}",
        )
        for action, scope in (
            ("favourite", "write:favourites"),
            ("unfavourite", "write:favourites"),
            ("reblog", "write:statuses"),
            ("unreblog", "write:statuses"),
            ("bookmark", "write:bookmarks"),
            ("unbookmark", "write:bookmarks"),
        )
    ],
    route(
        rf"api/v1/statuses/{ID.format('status_id')}/favourited_by",
        statuses.FavouritedByView.as_view(),
        "mastodon-favourited-by",
    ),
    route(
        rf"api/v1/statuses/{ID.format('status_id')}/reblogged_by",
        statuses.RebloggedByView.as_view(),
        "mastodon-reblogged-by",
    ),
    route(r"api/v1/favourites", favourites.FavouritesView.as_view(), "mastodon-favourites"),
    route(r"api/v1/bookmarks", favourites.BookmarksView.as_view(), "mastodon-bookmarks"),
    # timelines
    route(r"api/v1/timelines/home", timelines.HomeTimelineView.as_view(), "mastodon-home"),
    route(r"api/v1/timelines/public", timelines.PublicTimelineView.as_view(), "mastodon-public"),
    route(rf"api/v1/timelines/tag/{ID.format('tag')}", timelines.TagTimelineView.as_view(), "mastodon-tag"),
    # notifications
    route(r"api/v1/notifications", notifications.NotificationListView.as_view(), "mastodon-notifications"),
    route(r"api/v1/notifications/clear", notifications.NotificationClearView.as_view(), "mastodon-notifications-clear"),
    route(
        r"api/v1/notifications/dismiss",
        notifications.NotificationDismissView.as_view(),
        "mastodon-notifications-dismiss",
    ),
    route(
        rf"api/v1/notifications/{ID.format('notification_id')}",
        notifications.NotificationView.as_view(),
        "mastodon-notification",
    ),
    route(
        rf"api/v1/notifications/{ID.format('notification_id')}/dismiss",
        notifications.NotificationDismissView.as_view(),
        "mastodon-notification-dismiss",
    ),
    # trends
    route(r"api/v1/trends/tags", trends.TrendingTagsView.as_view(), "mastodon-trends-tags"),
    # search
    route(r"api/v2/search", search.SearchView.as_view(), "mastodon-search"),
]
