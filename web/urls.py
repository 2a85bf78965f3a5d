"""The web interface's pages, at the site root (DESIGN.md section 11)."""

from django.urls import path

from web.views import auth, notifications, people, search, settings, timeline, tweets

urlpatterns = [
    path("", timeline.home, name="web-home"),
    path("signup", auth.sign_up, name="web-signup"),
    path("login", auth.sign_in, name="web-login"),
    path("logout", auth.sign_out, name="web-logout"),
    path("live/token", auth.stream_token, name="web-live-token"),
    path("compose", timeline.compose, name="web-compose"),
    path("timeline/new", timeline.new_posts, name="web-new-posts"),
    path("notifications", notifications.notifications, name="web-notifications"),
    path("search", search.search, name="web-search"),
    path("tags/<str:tag>", search.tag, name="web-tag"),
    path("settings", settings.settings_page, name="web-settings"),
    path("settings/profile", settings.save_profile, name="web-settings-profile"),
    path("settings/password", settings.change_password, name="web-settings-password"),
    path("tweets/<str:tweet_id>/reply", tweets.reply, name="web-reply"),
    path("tweets/<str:tweet_id>/like", tweets.like, name="web-like"),
    path("tweets/<str:tweet_id>/unlike", tweets.unlike, name="web-unlike"),
    path("tweets/<str:tweet_id>/repost", tweets.repost, name="web-repost"),
    path("tweets/<str:tweet_id>/unrepost", tweets.unrepost, name="web-unrepost"),
    path("tweets/<str:tweet_id>/delete", tweets.delete, name="web-delete"),
    path("tweets/<str:tweet_id>/report", tweets.report, name="web-report-tweet"),
    path("@<str:username>", people.profile, name="web-profile"),
    path("@<str:username>/following", people.following, name="web-following"),
    path("@<str:username>/followers", people.followers, name="web-followers"),
    path("@<str:username>/follow", people.follow, name="web-follow"),
    path("@<str:username>/unfollow", people.unfollow, name="web-unfollow"),
    path("@<str:username>/mute", people.mute, name="web-mute"),
    path("@<str:username>/unmute", people.unmute, name="web-unmute"),
    path("@<str:username>/block", people.block, name="web-block"),
    path("@<str:username>/unblock", people.unblock, name="web-unblock"),
    path("@<str:username>/report", people.report, name="web-report-user"),
    path("@<str:username>/<str:tweet_id>", tweets.thread, name="web-tweet"),
]
