"""The moderators' report queue: filter open or resolved, then resolve, hide the tweet or suspend the user."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from accounts.admin import ReadOnlyChangeMixin, short_time, wrapping
from moderation import services
from moderation.models import Report


class ReportActionForm(ActionForm):
    reason = forms.CharField(
        required=False,
        max_length=500,
        help_text="Reason (required to hide; logged with every action)",
    )


@admin.register(Report)
class ReportAdmin(ReadOnlyChangeMixin, admin.ModelAdmin):
    list_display = ("id", "status", "reporter_link", "user_link", "tweet_link", "short_reason", "filed")
    list_filter = ("status", "created_at")
    search_fields = ("reason", "user__username", "reporter__username")
    list_select_related = ("reporter", "user", "tweet", "resolved_by")
    ordering = ("-created_at",)
    readonly_fields = (
        "reporter",
        "user",
        "tweet",
        "tweet_content",
        "reason",
        "status",
        "created_at",
        "resolved_at",
        "resolved_by",
    )
    fields = readonly_fields
    action_form = ReportActionForm
    actions = ["resolve", "hide_tweet_and_resolve", "suspend_user_and_resolve"]
    show_full_result_count = False

    # Reports are filed through the API and kept as the moderation record.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Report | None = None) -> bool:
        return False

    @admin.display(description="reporter", ordering="reporter__username")
    def reporter_link(self, report: Report) -> str:
        url = reverse("admin:accounts_user_change", args=[report.reporter_id])
        return format_html('<a href="{}">{}</a>', url, report.reporter)

    @admin.display(description="user", ordering="user__username")
    def user_link(self, report: Report) -> str:
        url = reverse("admin:accounts_user_change", args=[report.user_id])
        state = "" if report.user.is_active else " (suspended)"
        return format_html('<a href="{}">{}</a>{}', url, report.user, state)

    @admin.display(description="tweet")
    def tweet_link(self, report: Report) -> str:
        if report.tweet is None:
            return "-"
        url = reverse("admin:tweets_tweet_change", args=[report.tweet_id])
        state = " (hidden)" if report.tweet.hidden_at else ""
        return format_html('<a href="{}">{}</a>{}', url, report.tweet_id, state)

    @admin.display(description="filed", ordering="created_at")
    def filed(self, report: Report) -> str:
        return short_time(report.created_at)

    @admin.display(description="reason")
    def short_reason(self, report: Report) -> str:
        return wrapping(report.reason, 80)

    @admin.display(description="tweet content")
    def tweet_content(self, report: Report) -> str:
        return report.tweet.content if report.tweet is not None else "-"

    def _act(self, request: HttpRequest, queryset: QuerySet[Report], action: Callable[..., object], done: str) -> None:
        """Run `action` on each selected report; an error on one is reported and the others go on."""
        reason = request.POST.get("reason", "").strip()
        count = 0
        for report in queryset.select_related("user", "tweet"):
            try:
                action(report=report, by=request.user, reason=reason)
            except ValidationError as exc:
                self.message_user(request, f"Report {report.pk}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, f"{done} for {count} report(s).", messages.SUCCESS)

    @admin.action(description="Resolve selected reports (no action on the user or tweet)", permissions=["change"])
    def resolve(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._act(request, queryset.filter(status=Report.Status.OPEN), services.report_resolve, "Resolved")

    @admin.action(
        description="Hide the reported tweet and resolve (reason from the box, required)", permissions=["change"]
    )
    def hide_tweet_and_resolve(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        if not request.POST.get("reason", "").strip():
            self.message_user(request, "Hiding a tweet needs a reason: type it in the Reason box.", messages.ERROR)
            return
        self._act(request, queryset, services.report_hide_tweet_and_resolve, "Hid the tweet and resolved")

    @admin.action(description="Suspend the reported user and resolve (reason from the box)", permissions=["change"])
    def suspend_user_and_resolve(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._act(request, queryset, services.report_suspend_user_and_resolve, "Suspended the user and resolved")
