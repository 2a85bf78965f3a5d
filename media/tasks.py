"""Celery tasks of the media app: delete what no row owns. Idempotent; the beat runs `sweep`."""

from celery import shared_task

from media import services


@shared_task(acks_late=True)
def purge_files() -> int:
    """Delete the files whose rows are gone (after a tweet's or an upload's deletion commits)."""
    return services.purge_files()


@shared_task(acks_late=True)
def sweep() -> dict[str, int]:
    """Every 10 minutes (CELERY_BEAT_SCHEDULE): uploads never attached for MEDIA_UNATTACHED_HOURS
    are deleted, then every file due for deletion (left by a crash or a lost task) is."""
    expired = services.expire_unattached()
    return {"expired": expired, "files_deleted": services.purge_files()}
