"""The Celery app: configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

from config.logging import connect_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("chirp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task logs carry task_id, task name and the enqueuing request's id (JSON, see config/logging.py).
connect_celery_signals()
