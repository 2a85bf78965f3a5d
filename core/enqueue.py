"""Enqueue a Celery task from a signal receiver without ever raising into the request.

Two policies, named for what happens when the broker cannot take the task:
- `RUN_INLINE` (`enqueue_or_run_inline`): the task runs here and now (small, idempotent
  tasks whose effect must not be lost: feed maintenance, notifications);
- `leave_to_sweeper(sweeper)` (`enqueue_or_leave_to_sweeper`): the task is dropped with a
  warning, and a job that finds the work from the database does it later (feed fan-out:
  the sweeper reads Tweet.fanned_out_at; search: `search_index --rebuild`).

An app's event table (core.events) names one of them on each line.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from celery import Task

logger = logging.getLogger(__name__)


class Policy(Protocol):
    """How to enqueue `task(**kwargs)`, and what to do when the broker refuses it. Never raises."""

    def __call__(self, task: Task[..., Any], /, **kwargs: Any) -> None: ...


def enqueue_or_run_inline(task: Task[..., Any], /, **kwargs: Any) -> None:
    """Enqueue `task(**kwargs)`; when the broker refuses it, run it inline. Never raises."""
    try:
        task.apply_async(kwargs=kwargs)
        return
    except Exception as exc:  # broker down (or, eager in tests, the task itself failed)
        logger.warning("%s: could not enqueue %s%s (%s); running it inline", _app(task), task.name, kwargs, exc)
    try:
        task.run(**kwargs)
    except Exception:
        logger.exception("%s: %s%s failed inline", _app(task), task.name, kwargs)


def enqueue_or_leave_to_sweeper(task: Task[..., Any], sweeper: str, /, **kwargs: Any) -> None:
    """Enqueue `task(**kwargs)`; when the broker refuses it, log that `sweeper` will catch up. Never raises."""
    try:
        task.apply_async(kwargs=kwargs)
    except Exception as exc:  # broker down (or, eager in tests, the task itself failed)
        logger.warning("%s: could not enqueue %s%s (%s); %s will catch up", _app(task), task.name, kwargs, exc, sweeper)


RUN_INLINE: Policy = enqueue_or_run_inline


def leave_to_sweeper(sweeper: str) -> Policy:
    """The policy of a task whose lost work `sweeper` (named in the warning) finds in the database later."""

    def policy(task: Task[..., Any], /, **kwargs: Any) -> None:
        enqueue_or_leave_to_sweeper(task, sweeper, **kwargs)

    policy.__qualname__ = policy.__name__ = f"leave_to_sweeper({sweeper!r})"
    return policy


def _app(task: Task[..., Any]) -> str:
    return str(task.name).split(".", 1)[0]
