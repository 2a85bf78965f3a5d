"""Moderation console for tweets: search, filter, hide with a reason, unhide."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from accounts.admin import ReadOnlyChangeMixin, short_time, wrapping
from accounts.authentication import request_user
from media.selectors import media_object, media_row
from tweets import services
from tweets.models import Like, Repost, Tweet, TweetMedia


class HideActionForm(ActionForm):
    reason = forms.CharField(required=False, max_length=500, help_text="Reason (required to hide; logged)")


class HiddenFilter(admin.SimpleListFilter):
    title = "hidden"
    parameter_name = "hidden"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return (("yes", "Hidden"), ("no", "Visible"))

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        if self.value() == "yes":
            return queryset.filter(hidden_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(hidden_at__isnull=True)
        return queryset


@admin.register(Tweet)
class TweetAdmin(ReadOnlyChangeMixin, admin.ModelAdmin):
    # Short columns so the list fits 1280 px beside the filter panel (test_admin_layout);
    # replies and the hiding reason are on the tweet's page.
    list_display = ("id", "author_name", "short_content", "posted", "likes", "reposts", "hidden")
    list_filter = (HiddenFilter, "created_at")
    date_hierarchy = "created_at"
    search_fields = ("content", "author__username")
    list_select_related = ("author",)
    raw_id_fields = ("author", "in_reply_to")
    # Moderators hide, they do not rewrite: an edit here would bypass the services
    # (search reindexing, feeds), so every field is read-only.
    readonly_fields = (
        "author",
        "content",
        "in_reply_to",
        "created_at",
        "num_likes",
        "num_replies",
        "num_reposts",
        "hidden_at",
        "hidden_reason",
        "fanned_out_at",
        "images",
    )
    action_form = HideActionForm
    actions = ["hide", "unhide"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Tweets are posted through the API (counters, fan-out, search); the console moderates.
        return False

    def delete_model(self, request: HttpRequest, obj: Tweet) -> None:
        # Through the service, so counters, feeds and search follow as for the author's delete.
        services.tweet_delete(tweet=obj, by=obj.author)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Tweet]) -> None:
        for tweet in queryset.select_related("author"):
            services.tweet_delete(tweet=tweet, by=tweet.author)

    @admin.display(description="author", ordering="author__username")
    def author_name(self, tweet: Tweet) -> str:
        return wrapping(tweet.author.username)

    @admin.display(description="content")
    def short_content(self, tweet: Tweet) -> str:
        return wrapping(tweet.content, 60)

    @admin.display(description="images")
    def images(self, tweet: Tweet) -> SafeString | str:
        """The tweet's images as their previews (alt text: the description), each linking to the
        full image: moderators judge what the tweet shows, not only what it says."""
        rows = TweetMedia.objects.filter(tweet=tweet).select_related("media").order_by("position")
        shown = [media_object(media_row(row.media)) for row in rows]
        if not shown:
            return "-"
        return format_html(
            '<div class="tweet-images">{}</div>',
            format_html_join(
                " ",
                '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" title="{}" '
                'style="max-width:320px;max-height:320px;margin:0 8px 8px 0"></a>',
                ((m["url"], m["preview_url"], m["description"], m["description"]) for m in shown),
            ),
        )

    @admin.display(description="likes", ordering="num_likes")
    def likes(self, tweet: Tweet) -> int:
        return tweet.num_likes

    @admin.display(description="reposts", ordering="num_reposts")
    def reposts(self, tweet: Tweet) -> int:
        return tweet.num_reposts

    @admin.display(description="posted", ordering="created_at")
    def posted(self, tweet: Tweet) -> str:
        return short_time(tweet.created_at)

    @admin.display(description="hidden", boolean=True, ordering="hidden_at")
    def hidden(self, tweet: Tweet) -> bool:
        return tweet.hidden_at is not None

    @admin.action(description="Hide selected tweets (reason from the box, required)")
    def hide(self, request: HttpRequest, queryset: QuerySet[Tweet]) -> None:
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, "Hiding a tweet needs a reason: type it in the Reason box.", messages.ERROR)
            return
        count = sum(services.tweet_hide(tweet=tweet, reason=reason, by=request_user(request)) for tweet in queryset)
        self.message_user(request, f"Hid {count} tweet(s).", messages.SUCCESS)

    @admin.action(description="Unhide selected tweets (reason from the box, optional)")
    def unhide(self, request: HttpRequest, queryset: QuerySet[Tweet]) -> None:
        reason = request.POST.get("reason", "").strip()
        count = sum(services.tweet_unhide(tweet=tweet, by=request_user(request), reason=reason) for tweet in queryset)
        self.message_user(request, f"Unhid {count} tweet(s).", messages.SUCCESS)


class _InteractionAdmin(ReadOnlyChangeMixin, admin.ModelAdmin):
    """Likes and reposts: read and remove only, through the services so counters follow."""

    list_display = ("user", "tweet", "created_at")
    raw_id_fields = ("user", "tweet")
    search_fields = ("user__username",)
    list_select_related = ("user", "tweet")
    remove: Callable[..., bool]  # the service that undoes one row

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Like | Repost) -> None:
        self.remove(user=obj.user, tweet=obj.tweet)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset.select_related("user", "tweet"):
            self.remove(user=obj.user, tweet=obj.tweet)


@admin.register(Like)
class LikeAdmin(_InteractionAdmin):
    remove = staticmethod(services.like_delete)


@admin.register(Repost)
class RepostAdmin(_InteractionAdmin):
    remove = staticmethod(services.repost_delete)
