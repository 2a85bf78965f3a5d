"""django-elasticsearch-dsl's CelerySignalProcessor, made safe for Chirp.

Selected by ELASTICSEARCH_DSL_SIGNAL_PROCESSOR only when ELASTICSEARCH_URL is set. Like
the upstream class it turns model saves and deletes into Celery tasks, so indexing
happens in the worker, never in the request. It differs where upstream hurts:

- only models with a Document (Tweet, User) are handled: upstream enqueues a task for
  every save of every model (sessions, tokens, likes);
- tasks are enqueued after commit: upstream enqueues inside the transaction, so the
  worker can look for a row that is not committed yet (or never will be);
- a delete enqueues the same sync task, which removes the document: upstream's delete
  path only re-indexes related documents and never removes the deleted one;
- a save whose update_fields touch nothing indexed (last_login) enqueues nothing.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django_elasticsearch_dsl.signals import CelerySignalProcessor as UpstreamCelerySignalProcessor

from accounts.models import User
from search import tasks
from search.documents import TweetDocument, UserDocument
from tweets.models import Tweet


def task_for(sender: type, pk: Any, update_fields: frozenset[str] | None) -> tuple[Any, dict[str, Any]] | None:
    """The sync task (and its kwargs) a save or delete of `sender` needs, or None."""
    if sender is Tweet:
        task, kwargs, fields = tasks.sync_tweet, {"tweet_id": pk}, TweetDocument.sync_fields
    elif sender is User:
        task, kwargs, fields = tasks.sync_user, {"user_id": pk}, UserDocument.sync_fields
    else:
        return None
    if update_fields is not None and not (set(update_fields) & fields):
        return None
    return task, kwargs


class CelerySignalProcessor(UpstreamCelerySignalProcessor):
    def _enqueue_on_commit(self, sender: type, instance: Any, update_fields: frozenset[str] | None) -> None:
        job = task_for(sender, instance.pk, update_fields)
        if job is not None:
            task, kwargs = job
            transaction.on_commit(partial(task.delay, **kwargs), robust=True)

    def handle_save(self, sender: type, instance: Any, **kwargs: Any) -> None:
        self._enqueue_on_commit(sender, instance, kwargs.get("update_fields"))

    def handle_delete(self, sender: type, instance: Any, **kwargs: Any) -> None:
        self._enqueue_on_commit(sender, instance, None)

    def handle_pre_delete(self, sender: type, instance: Any, **kwargs: Any) -> None:
        pass  # no Document has related models: nothing to collect before a delete

    def handle_m2m_changed(self, sender: type, instance: Any, action: str, **kwargs: Any) -> None:
        pass  # no indexed field is a many-to-many
