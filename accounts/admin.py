"""Moderation console for accounts: search, filter, suspend and unsuspend."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import services, signals
from accounts.models import RESERVED_USERNAMES, Follow, User


class _NotReservedMixin:
    """`me` names the viewer in URLs: no account may take it (registration refuses it too)."""

    def clean_username(self) -> str:
        parent = getattr(super(), "clean_username", None)  # the creation form's case check
        username = parent() if parent else self.cleaned_data.get("username")
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
    list_display = (
        "username",
        "email",
        "display_name",
        "is_active",
        "is_staff",
        "num_tweets",
        "num_followers",
        "created_at",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "created_at")
    search_fields = ("username", "email", "display_name")
    ordering = ("-created_at",)
    readonly_fields = ("created_at", "last_login", "num_tweets", "num_followers", "num_following", "is_active")
    actions = ["suspend", "unsuspend"]
    fieldsets = (
        (None, {"fields": ("username", "email", "password")}),
        ("Profile", {"fields": ("display_name", "bio")}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Stats", {"fields": ("created_at", "last_login", "num_tweets", "num_followers", "num_following")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Moderation suspends. Deleting cascades past the services: other users' counters,
        # feeds and search would go stale (recount_stats and rebuild_feeds would be needed).
        return False

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            # As user_update_profile does: search reindexes the name and profile.
            services.send_on_commit(signals.user_updated, user_id=obj.pk)

    @admin.action(
        description="Suspend selected users (log-in, tokens, tweets in feeds and search; reason from the box)"
    )
    def suspend(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        reason = request.POST.get("reason", "").strip()
        users = queryset.filter(is_active=True).exclude(pk=request.user.pk)
        count = sum(services.user_suspend(user=user, by=request.user, reason=reason) for user in users)
        self.message_user(request, f"Suspended {count} user(s).", messages.SUCCESS)

    @admin.action(description="Lift the suspension of selected users (reason from the box)")
    def unsuspend(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        reason = request.POST.get("reason", "").strip()
        users = queryset.filter(is_active=False)
        count = sum(services.user_unsuspend(user=user, by=request.user, reason=reason) for user in users)
        self.message_user(request, f"Unsuspended {count} user(s).", messages.SUCCESS)


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
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
