"""Reports of abuse, queued for moderators in /admin/."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.utils import timezone

REPORT_REASON_MAX_LENGTH = 1000

models.TextField.register_lookup(Length, "length")


class Report(models.Model):
    """`reporter` reports `user` (and, optionally, one of their tweets) for `reason`."""

    class Status(models.TextChoices):
        OPEN = "open"
        RESOLVED = "resolved"

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_filed", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_received", db_index=False
    )
    # SET_NULL: a report outlives the tweet its author deleted (the moderator still sees the reason).
    tweet = models.ForeignKey("tweets.Tweet", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~models.Q(reporter=models.F("user")), name="moderation_report_no_self"),
            models.CheckConstraint(
                condition=models.Q(reason__length__gte=1, reason__length__lte=REPORT_REASON_MAX_LENGTH),
                name="moderation_report_reason_length",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "resolved"]), name="moderation_report_status_valid"
            ),
        ]
        indexes = [
            # The moderators' queue: open (or resolved) reports, oldest or newest first.
            models.Index(fields=["status", "-created_at"], name="ix_report_status_created"),
            models.Index(fields=["user", "-created_at"], name="ix_report_user_created"),
        ]

    def __str__(self) -> str:
        return f"report {self.pk} on {self.user_id} ({self.status})"
