"""Moderation console for accounts: search, filter, suspend and unsuspend."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts import services
from accounts.authentication import request_user
from accounts.models import RESERVED_USERNAMES, Follow, User

# The console shows what moderators use. Chirp grants no permissions through groups, and the
# token blacklist is the API's own bookkeeping (logout, refresh rotation, password change):
# rows added or removed by hand would only break sign-in.
for _model in (Group, OutstandingToken, BlacklistedToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


def short_time(value: Any) -> str:
    """A changelist date in 16 characters (`2026-01-05 14:03`), not Django's long format."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


def wrapping(text: str, limit: int | None = None) -> str:
    """A changelist cell that may break anywhere, clipped to `limit` characters (all of it in the title).

    A 30-character username or a long word in a tweet would otherwise widen the list past
    1280 px: the table cannot shrink a column below its longest unbreakable word.
    """
    shown = text if limit is None or len(text) <= limit else f"{text[: limit - 1]}…"
    return format_html('<span style="overflow-wrap: anywhere" title="{}">{}</span>', text, shown)


class ReadOnlyChangeMixin:
    """Change pages that only show a record: every field read-only and no Save buttons.

    Moderators act through the changelist's actions and the delete page (both go through
    the services); a Save here would write the row past them, or do nothing at all.
    Change permission stays: the actions ask for it.
    """

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        own = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        fields = [f.name for f in self.model._meta.fields if not f.primary_key]  # type: ignore[attr-defined]
        return own + [name for name in fields if name not in own]

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if object_id is not None and request.method == "POST":
            raise PermissionDenied("This record is read-only in the console.")
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]


class _NotReservedMixin:
    """`me` names the viewer in URLs: no account may take it (registration refuses it too)."""

    cleaned_data: dict[str, Any]  # mixed into a ModelForm

    def clean_username(self) -> str:
        parent = getattr(super(), "clean_username", None)  # the creation form's case check
        username: str = parent() if parent else self.cleaned_data.get("username", "")
        if username and username.lower() in RESERVED_USERNAMES:
            raise forms.ValidationError("This username is reserved.")
        return username


class UserAddForm(_NotReservedMixin, AdminUserCreationForm):
    pass


class UserEditForm(_NotReservedMixin, UserChangeForm):
    pass


class ModerationActionForm(ActionForm):
    reason = forms.CharField(required=False, max_length=500, help_text="Reason (for suspend and unsuspend; logged)")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    action_form = ModerationActionForm
    add_form = UserAddForm
    # Six short columns that may wrap: the list fits 1280 px beside the filter panel
    # (tests/system/test_browser.py measures it).
    list_display = ("names", "short_email", "status", "tweets", "followers", "joined")
    list_filter = ("is_active", "is_staff", "is_superuser", "created_at")
    search_fields = ("username", "email", "display_name")
    ordering = ("-created_at",)
    readonly_fields = ("created_at", "last_login", "num_tweets", "num_followers", "num_following", "is_active")
    actions = ["suspend", "unsuspend"]
    fieldsets = (
        (None, {"fields": ("username", "email", "password")}),
        ("Profile", {"fields": ("display_name", "bio")}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser", "user_permissions")}),
        ("Stats", {"fields": ("created_at", "last_login", "num_tweets", "num_followers", "num_following")}),
    )
    filter_horizontal = ("user_permissions",)  # no groups: permissions are given per moderator
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),)

    @admin.display(description="username / display name", ordering="username")
    def names(self, user: User) -> str:
        if not user.display_name:
            return wrapping(user.username)
        return format_html("{}<br><small>{}</small>", wrapping(user.username), wrapping(user.display_name, 30))

    @admin.display(description="email", ordering="email")
    def short_email(self, user: User) -> str:
        return wrapping(user.email, 40)

    @admin.display(description="tweets", ordering="num_tweets")
    def tweets(self, user: User) -> int:
        return user.num_tweets

    @admin.display(description="followers", ordering="num_followers")
    def followers(self, user: User) -> int:
        return user.num_followers

    @admin.display(description="status", ordering="is_active")
    def status(self, user: User) -> str:
        if not user.is_active:
            return "suspended"
        return "superuser" if user.is_superuser else "staff" if user.is_staff else "active"

    @admin.display(description="joined", ordering="created_at")
    def joined(self, user: User) -> str:
        return short_time(user.created_at)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Moderation suspends. Deleting cascades past the services: other users' counters,
        # feeds and search would go stale (recount_stats and rebuild_feeds would be needed).
        return False

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool) -> None:
        services.user_admin_save(user=obj, change=change)

    @admin.action(
        description="Suspend selected users (log-in, tokens, tweets in feeds and search; reason from the box)"
    )
    def suspend(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        reason = request.POST.get("reason", "").strip()
        users = queryset.filter(is_active=True).exclude(pk=request_user(request).pk)
        count = sum(services.user_suspend(user=user, by=request_user(request), reason=reason) for user in users)
        self.message_user(request, f"Suspended {count} user(s).", messages.SUCCESS)

    @admin.action(description="Lift the suspension of selected users (reason from the box)")
    def unsuspend(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        reason = request.POST.get("reason", "").strip()
        users = queryset.filter(is_active=False)
        count = sum(services.user_unsuspend(user=user, by=request_user(request), reason=reason) for user in users)
        self.message_user(request, f"Unsuspended {count} user(s).", messages.SUCCESS)


@admin.register(Follow)
class FollowAdmin(ReadOnlyChangeMixin, admin.ModelAdmin):
    list_display = ("follower", "followee", "created_at")
    search_fields = ("follower__username", "followee__username")
    raw_id_fields = ("follower", "followee")
    list_select_related = ("follower", "followee")

    # Read and remove only, through the services so counters and feeds follow.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Follow) -> None:
        services.follow_delete(follower=obj.follower, followee=obj.followee)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Follow]) -> None:
        for follow in queryset.select_related("follower", "followee"):
            services.follow_delete(follower=follow.follower, followee=follow.followee)
