"""The feed's one table: which authors are merged into their followers' feeds at read time."""

from django.db import models

from accounts.models import User


class MergedAuthor(models.Model):
    """An author whose new tweets and reposts are not fanned out (more than
    FANOUT_FOLLOWER_LIMIT followers): followers read them from the author's source list.

    A row is made when the first entry is merged (the upward crossing, which adds the author
    to every follower's source set) and removed when an entry is fanned out again. In
    PostgreSQL, not Redis, so a rebuilt feed knows its sources whatever Redis lost.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="merged_feed")
    # Entries older than this (feed score, microseconds) may have been fanned out: removing
    # one walks the followers' feeds; newer ones live in the source list only.
    since = models.BigIntegerField()

    def __str__(self) -> str:
        return f"merged {self.user_id} since {self.since}"
