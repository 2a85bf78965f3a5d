"""Attach, delete and expire: rows and files stay in step, every job may run twice."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from media import services, tasks
from media.models import Media, OrphanFile
from media.tests.helpers import stored_files, upload
from tweets import services as tweet_services
from tweets.models import Tweet, TweetMedia

pytestmark = pytest.mark.django_db


def test_attach_takes_own_unattached_media_in_order(alice):
    first, second = upload(alice), upload(alice)
    taken = services.media_attach(owner=alice, media_ids=[second.pk, first.pk])
    assert [m.pk for m in taken] == [second.pk, first.pk]
    assert all(m.attached_at is not None for m in Media.objects.all())


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("other", "No such media"),
        ("unknown", "No such media"),
        ("attached", "already attached"),
        ("twice", "given twice"),
        ("five", "no more than 4"),
    ],
)
def test_attach_refuses_on_media_ids_and_takes_nothing(alice, bob, case, message):
    mine = upload(alice)
    ids = {
        "other": [mine.pk, upload(bob).pk],
        "unknown": [mine.pk, 10**15],
        "attached": [mine.pk],
        "twice": [mine.pk, mine.pk],
        "five": [mine.pk] + [upload(alice).pk for _ in range(4)],
    }[case]
    if case == "attached":
        tweet_services.tweet_create(author=alice, content="first", media_ids=[mine.pk])
    before = set(Media.objects.filter(attached_at__isnull=False).values_list("pk", flat=True))
    with pytest.raises(ValidationError) as caught:
        tweet_services.tweet_create(author=alice, content="second", media_ids=ids)
    assert message in " ".join(caught.value.message_dict["media_ids"])
    assert set(Media.objects.filter(attached_at__isnull=False).values_list("pk", flat=True)) == before
    assert not Tweet.objects.filter(content="second").exists()


def test_deleting_a_tweet_deletes_its_media_and_files_after_commit(commit, alice, media_dir):
    keep = upload(alice)  # not attached: stays
    gone = [upload(alice), upload(alice)]
    with commit():
        tweet = tweet_services.tweet_create(author=alice, content="", media_ids=[m.pk for m in gone])
    assert len(stored_files(media_dir)) == 6
    with commit() as callbacks:
        tweet_services.tweet_delete(tweet=tweet, by=alice)
        # Rows go with the transaction; the files are still there until it commits.
        assert not Media.objects.filter(pk__in=[m.pk for m in gone]).exists()
        assert len(stored_files(media_dir)) == 6
        assert OrphanFile.objects.count() == 4
    assert callbacks
    assert stored_files(media_dir) == sorted([keep.file, keep.preview])
    assert not OrphanFile.objects.exists()
    assert not TweetMedia.objects.exists()


def test_a_rolled_back_delete_keeps_media_and_files(alice, media_dir):
    media = upload(alice)
    tweet = tweet_services.tweet_create(author=alice, content="x", media_ids=[media.pk])
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        tweet_services.tweet_delete(tweet=tweet, by=alice)
        raise RuntimeError("rolled back")
    assert Media.objects.filter(pk=media.pk).exists()
    assert stored_files(media_dir) == sorted([media.file, media.preview])
    assert not OrphanFile.objects.exists()


def test_sweep_expires_unattached_uploads_after_24_hours_and_is_idempotent(commit, alice, media_dir):
    old, recent, posted = upload(alice), upload(alice), upload(alice)
    with commit():
        tweet_services.tweet_create(author=alice, content="with an old upload", media_ids=[posted.pk])
    day_ago = timezone.now() - timedelta(hours=24, minutes=1)
    Media.objects.filter(pk__in=[old.pk, posted.pk]).update(created_at=day_ago)
    assert tasks.sweep.delay().get() == {"expired": 1, "files_deleted": 2}
    assert set(Media.objects.values_list("pk", flat=True)) == {recent.pk, posted.pk}
    assert stored_files(media_dir) == sorted([recent.file, recent.preview, posted.file, posted.preview])
    assert tasks.sweep.delay().get() == {"expired": 0, "files_deleted": 0}  # again: nothing to do
    assert len(stored_files(media_dir)) == 4


def test_sweep_deletes_files_a_lost_task_left_behind(alice, media_dir):
    """A deleted row's files recorded, the purge after the commit lost (broker and worker gone):
    the sweep deletes them; a recorded file already gone is fine too."""
    from media import storage

    name = "ab/" + "a" * 32 + ".jpg"
    storage.save(name, b"orphan bytes")
    OrphanFile.objects.create(name=name, delete_after=timezone.now() + timedelta(minutes=5))
    assert services.purge_files() == 0  # not due yet
    assert stored_files(media_dir) == [name]
    OrphanFile.objects.update(delete_after=timezone.now())
    assert tasks.sweep.delay().get() == {"expired": 0, "files_deleted": 1}
    assert stored_files(media_dir) == [] and not OrphanFile.objects.exists()
    OrphanFile.objects.create(name="cd/" + "c" * 32 + ".jpg", delete_after=timezone.now())
    assert services.purge_files() == 1 and not OrphanFile.objects.exists()


def test_what_a_crash_left_of_an_upload_is_swept_with_its_row(alice, media_dir):
    """The row is committed before the files are written: a process that died in between left an
    unattached row (and maybe one file), which the sweep deletes with its files after 24 hours."""
    from media import storage

    media = upload(alice)
    storage.delete([media.preview])  # died after writing the image only
    Media.objects.filter(pk=media.pk).update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    assert tasks.sweep.delay().get() == {"expired": 1, "files_deleted": 2}
    assert stored_files(media_dir) == [] and not Media.objects.exists()


@pytest.mark.django_db(transaction=True)  # the sweep runs on another connection: committed rows
def test_an_upload_being_attached_is_not_expired_under_it(alice):
    """The sweep skips rows media_attach holds locked (SKIP LOCKED), and once attached they are kept."""
    import threading

    from django.db import connection, transaction

    media = upload(alice)
    Media.objects.filter(pk=media.pk).update(created_at=timezone.now() - timedelta(days=2))
    result: dict[str, int] = {}

    def sweep_elsewhere() -> None:
        try:
            result["expired"] = services.expire_unattached()
        finally:
            connection.close()

    with transaction.atomic():
        services.media_attach(owner=alice, media_ids=[media.pk])
        thread = threading.Thread(target=sweep_elsewhere)
        thread.start()
        thread.join(10)
    assert result == {"expired": 0}
    assert Media.objects.filter(pk=media.pk, attached_at__isnull=False).exists()
