"""Image attachments (DESIGN.md section 9) and the files the storage still has to delete.

A Media row owns two stored files (the re-encoded image and its preview), named at random;
it is committed before they are written. Which tweet shows it is the tweets app's business
(tweets.TweetMedia, above this app); here `attached_at` only says that some tweet took it,
so that uploads never attached (and what a crash left of an upload) expire. An OrphanFile
is a stored name no row owns any more (its row was deleted): the sweep deletes the file
once `delete_after` has passed, so no crash at any point leaves a file behind for good.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.utils import timezone

DESCRIPTION_MAX_LENGTH = 1500
MAX_ATTACHMENTS = 4

models.TextField.register_lookup(Length, "length")


class Media(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Storage names (media/storage.py): random, the extension is the real format's.
    file = models.CharField(max_length=100)
    preview = models.CharField(max_length=100)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    preview_width = models.PositiveIntegerField()
    preview_height = models.PositiveIntegerField()
    blurhash = models.CharField(max_length=100)
    description = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    # Set once, when a tweet takes it (tweets.services.tweet_create); NULL rows expire.
    attached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "media"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(description__length__lte=DESCRIPTION_MAX_LENGTH),
                name="media_media_description_length",
            ),
        ]
        indexes = [
            # One's uploads, newest first; also what deleting a user cascades through.
            models.Index(fields=["owner", "-created_at"], name="ix_media_owner_created"),
            # The sweep's scan: only uploads never attached, oldest first.
            models.Index(
                fields=["created_at"], name="ix_media_unattached", condition=models.Q(attached_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.file}"


class OrphanFile(models.Model):
    """A stored file no Media row owns: delete it from the storage once `delete_after` has passed."""

    name = models.CharField(max_length=100)
    delete_after = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name"], name="media_orphanfile_name_uniq")]
        indexes = [models.Index(fields=["delete_after"], name="ix_orphanfile_delete_after")]

    def __str__(self) -> str:
        return self.name
