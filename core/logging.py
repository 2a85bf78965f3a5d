"""Structured JSON logs with the request id (or Celery task id) of the work in progress.

Web: RequestIdMiddleware sets `request_id` for the request. Worker: Celery signals set
`task_id` and `task` for the task being run, and carry the request id of the request
that enqueued the task (a message header), so one id follows a tweet from the POST to
its fan-out.
"""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
task_var: ContextVar[tuple[str, str] | None] = ContextVar("task", default=None)

REQUEST_ID_HEADER = "chirp_request_id"

# Attributes every LogRecord has; anything else passed with `extra=` is emitted as a field.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id", "task_id", "task"}


class RequestIdFilter(logging.Filter):
    """Attach the current request id, and the Celery task id and name, to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            # django.request logs a response after the middleware has returned: its
            # record carries the request itself.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or request_id_var.get()
        task = task_var.get()
        if task is not None:
            record.task_id, record.task = task
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, task and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if getattr(record, "task_id", None):
            data["task_id"] = record.task_id  # type: ignore[attr-defined]
            data["task"] = getattr(record, "task", None)
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)


# --- Celery -------------------------------------------------------------------


def _before_task_publish(headers: dict | None = None, **_: Any) -> None:
    """Stamp the enqueuing request's id on the message."""
    request_id = request_id_var.get()
    if headers is not None and request_id and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = request_id


def _task_prerun(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    name = getattr(task, "name", None) or "?"
    task_var.set((task_id or "?", name))
    request_id = getattr(getattr(task, "request", None), REQUEST_ID_HEADER, None)
    # A task without an enqueuing request (beat, sweeper) is its own correlation id.
    request_id_var.set(request_id or task_id)


def _task_postrun(**_: Any) -> None:
    task_var.set(None)
    request_id_var.set(None)


def connect_celery_signals() -> None:
    """Hook the log context into Celery (called once by config/celery.py)."""
    from celery import signals

    signals.before_task_publish.connect(_before_task_publish, weak=False, dispatch_uid="chirp_log_publish")
    signals.task_prerun.connect(_task_prerun, weak=False, dispatch_uid="chirp_log_prerun")
    signals.task_postrun.connect(_task_postrun, weak=False, dispatch_uid="chirp_log_postrun")
