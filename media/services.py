"""Writes of the media app: upload, describe, attach, delete, expire.

Files and rows are kept in step: an upload's row is committed before its files are written
(one statement; a crash after it leaves an unattached row, which the sweep deletes with
whatever files it has), and a deleted row's names are recorded as OrphanFile in its own
transaction, their files deleted after commit. The sweep (media.tasks.sweep) deletes
whatever a crash or a lost task left, so the storage never keeps a file no row owns; and a
refused upload writes nothing at all (it is refused before).
"""

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import IO

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.events import send_on_commit
from media import signals, storage
from media.models import DESCRIPTION_MAX_LENGTH, MAX_ATTACHMENTS, Media, OrphanFile
from media.processing import ImageRejected, Limits, Processed, process_image

logger = logging.getLogger(__name__)


def limits() -> Limits:
    return Limits(
        max_pixels=settings.MEDIA_MAX_PIXELS,
        max_side=settings.MEDIA_MAX_SIDE,
        preview_side=settings.MEDIA_PREVIEW_SIDE,
        jpeg_quality=settings.MEDIA_JPEG_QUALITY,
    )


def clean_description(description: str) -> str:
    """0..1500 characters, kept as written (alt text may need its line breaks); no NUL."""
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ValidationError(
            {"description": [f"Ensure this field has no more than {DESCRIPTION_MAX_LENGTH} characters."]}
        )
    if "\x00" in description:
        raise ValidationError({"description": ["Null characters are not allowed."]})
    return description


def media_upload(*, owner: AbstractBaseUser, file: IO[bytes], description: str = "") -> Media:
    """Judge, re-encode and store an image; ValidationError on `file` (or `description`) when refused.

    The work is done before anything is written: a refused upload leaves no row and no file.
    """
    description = clean_description(description)
    try:
        processed = process_image(file, limits())
    except ImageRejected as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    return _store(owner=owner, processed=processed, description=description)


def _store(*, owner: AbstractBaseUser, processed: Processed, description: str) -> Media:
    """The row first (committed: from then on the sweep owns whatever is left of this upload
    if the process dies), then the two files; a failed write takes the row back."""
    media = Media.objects.create(
        owner_id=owner.pk,
        file=storage.new_name(processed.image.extension),
        preview=storage.new_name(processed.preview.extension),
        width=processed.image.width,
        height=processed.image.height,
        preview_width=processed.preview.width,
        preview_height=processed.preview.height,
        blurhash=processed.blurhash,
        description=description,
    )
    try:
        storage.save(media.file, processed.image.data)
        storage.save(media.preview, processed.preview.data)
    except Exception:
        _discard(media)
        raise
    return media


def _discard(media: Media) -> None:
    """Best effort after a failed write: the files and the row (else, unattached, the sweep
    deletes both after MEDIA_UNATTACHED_HOURS)."""
    try:
        storage.delete([media.file, media.preview])
        Media.objects.filter(pk=media.pk).delete()
    except Exception as exc:
        logger.warning("media: could not discard upload %s now (%s); the sweep will", media.pk, exc)


@transaction.atomic
def media_update(*, media: Media, description: str) -> Media:
    """Change the description (alt text). Tweets showing it see it from their next read."""
    media.description = clean_description(description)
    # Locked: attached_at read here cannot change before the commit (media_attach locks too).
    attached_at = Media.objects.select_for_update().filter(pk=media.pk).values_list("attached_at", flat=True).first()
    Media.objects.filter(pk=media.pk).update(description=media.description)
    if attached_at is not None:
        send_on_commit(signals.media_changed, sender=Media, media_id=media.pk)
    return media


def media_attach(*, owner: AbstractBaseUser, media_ids: Sequence[int]) -> list[Media]:
    """Take `owner`'s unattached media for a tweet being written (call inside its transaction).

    The rows are locked, so two tweets cannot take one upload and the sweep cannot expire
    one being taken. ValidationError on `media_ids` for more than 4, a repeated id, another
    user's or an unknown id, or one attached already. Returns them in the order given.
    """
    if not media_ids:
        return []
    if len(media_ids) > MAX_ATTACHMENTS:
        raise ValidationError({"media_ids": [f"Ensure this field has no more than {MAX_ATTACHMENTS} elements."]})
    if len(set(media_ids)) != len(media_ids):
        raise ValidationError({"media_ids": ["The same media id is given twice."]})
    found = {m.pk: m for m in Media.objects.select_for_update().filter(pk__in=media_ids, owner_id=owner.pk)}
    for media_id in media_ids:
        media = found.get(media_id)
        if media is None:
            raise ValidationError({"media_ids": [f"No such media: {media_id}."]})
        if media.attached_at is not None:
            raise ValidationError({"media_ids": [f"Media {media_id} is already attached to a tweet."]})
    now = timezone.now()
    Media.objects.filter(pk__in=media_ids).update(attached_at=now)
    for media in found.values():
        media.attached_at = now
    return [found[media_id] for media_id in media_ids]


@transaction.atomic
def media_delete(*, media_ids: Sequence[int]) -> int:
    """Delete media rows now and their files after commit (a tweet deleted, uploads expired).

    Returns how many rows were deleted; ids already gone are skipped.
    """
    if not media_ids:
        return 0
    rows = list(Media.objects.select_for_update().filter(pk__in=media_ids).values_list("pk", "file", "preview"))
    if not rows:
        return 0
    now = timezone.now()
    OrphanFile.objects.bulk_create(
        [OrphanFile(name=name, delete_after=now) for _, *names in rows for name in names], ignore_conflicts=True
    )
    Media.objects.filter(pk__in=[pk for pk, *_ in rows]).delete()
    transaction.on_commit(_purge_soon, robust=True)
    return len(rows)


def _purge_soon() -> None:
    from core.enqueue import RUN_INLINE
    from media import tasks  # late: tasks import this module

    RUN_INLINE(tasks.purge_files)


def expire_unattached(*, older_than: timedelta | None = None, batch: int = 500) -> int:
    """Delete uploads no tweet took within MEDIA_UNATTACHED_HOURS (partial index ix_media_unattached).

    Rows being attached right now are locked by media_attach: skipped, not waited for.
    """
    cutoff = timezone.now() - (older_than or timedelta(hours=settings.MEDIA_UNATTACHED_HOURS))
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                Media.objects.select_for_update(skip_locked=True)
                .filter(attached_at__isnull=True, created_at__lt=cutoff)
                .order_by("created_at")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return deleted
            deleted += media_delete(media_ids=ids)


def purge_files(*, batch: int = 500) -> int:
    """Delete the files of OrphanFile rows that are due, then the rows; returns files deleted.

    Idempotent: a file already gone is fine, and a row is deleted only after its file.
    """
    purged = 0
    while True:
        with transaction.atomic():
            due = list(
                OrphanFile.objects.select_for_update(skip_locked=True)
                .filter(delete_after__lte=timezone.now())
                .order_by("delete_after")
                .values_list("pk", "name")[:batch]
            )
            if not due:
                return purged
            storage.delete(name for _, name in due)
            OrphanFile.objects.filter(pk__in=[pk for pk, _ in due]).delete()
            purged += len(due)
