"""The Celery app: configured from Django settings (CELERY_* names)."""

import os

from celery import Celery, Task
from celery.signals import task_postrun, task_prerun

from core.logging import connect_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class ChirpTask(Task):
    """Every task reads from the primary database, even run inline inside a request that
    may read a replica: a task runs right after the commit that enqueued it, and a lagging
    replica would not have those rows yet (core/replicas.py)."""

    def __call__(self, *args: object, **kwargs: object) -> object:
        from core.replicas import primary_reads

        with primary_reads():
            return super().__call__(*args, **kwargs)


app = Celery("chirp", task_cls=ChirpTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task logs carry task_id, task name and the enqueuing request's id (JSON, see core/logging.py).
connect_celery_signals()


@task_prerun.connect
@task_postrun.connect
def _recycle_database_connections(task: object = None, **_: object) -> None:
    """Reuse the worker's PostgreSQL connection across tasks, as a web request would.

    Celery's Django fix-up otherwise closes it around every task (CELERY_DB_REUSE_MAX
    unset), so each task paid a new PostgreSQL backend: most of a small fan-out's time
    (bench/README.md). close_old_connections still drops a broken or CONN_MAX_AGE-old one.
    """
    if getattr(getattr(task, "request", None), "is_eager", False):
        return  # run inline by the caller (tests, eager mode): its connection is not ours
    from django.db import close_old_connections

    close_old_connections()
