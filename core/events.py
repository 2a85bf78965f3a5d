"""Domain events: signals sent once the current transaction commits, and the tables that react.

Sending. A service announces what happened with `send_on_commit(signal, sender=..., **facts)`:
receivers (feed, search, notifications) enqueue tasks that re-read rows, so they must never
hear of a write that could still roll back; `robust=True` keeps a failing callback from
raising into the request.

Reacting. Each app that reacts declares one table, `EVENTS` in its `events.py`, one line a
reaction, and connects it from its AppConfig.ready() with `connect(self.label, EVENTS)`:

    EVENTS = [
        enqueue(tweet_signals.tweet_created, tasks.fan_out, ("tweet_id",), policy=leave_to_sweeper("the sweeper")),
        enqueue(account_signals.user_suspended, tasks.invalidate_around_user, ("user_id",), policy=RUN_INLINE),
        call(tweet_signals.tweet_removed, forget_cached_tweet),  # work done here, not in a task
    ]

So a new event is its signal, one line of each reacting app's table and the task it enqueues.
The enqueue policies (core.enqueue) say what happens when the broker refuses a task. Lines
run in table order; a reaction never raises, so one app's failure cannot silence the
receivers after it (Django's `Signal.send` stops at the first exception).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from celery import Task
from django.db import transaction
from django.dispatch import Signal

from core.enqueue import Policy

logger = logging.getLogger(__name__)

# What a target receives: the names of the signal's keyword arguments passed on as they are,
# or a function of the signal's keyword arguments that returns the target's.
Args = tuple[str, ...] | Callable[..., Mapping[str, Any]]


def send_on_commit(signal: Signal, *, sender: type, **kwargs: object) -> None:
    """Announce an event once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs), robust=True)


@dataclass(frozen=True)
class Reaction:
    """One line of an app's event table: on `signal`, enqueue a task under `policy`, or
    (no policy) call a function here. `when`, if given, is asked each time first."""

    signal: Signal
    target: Callable[..., Any]
    args: Args
    policy: Policy | None = None
    when: Callable[[], bool] | None = None

    def __call__(self, sender: object = None, signal: Signal | None = None, **kwargs: Any) -> None:
        """The receiver Django calls with the signal's keyword arguments; never raises."""
        try:
            if self.when is not None and not self.when():
                return
            target_kwargs = self.target_kwargs(kwargs)
            if self.policy is None:
                self.target(**target_kwargs)
            else:
                self.policy(self.target, **target_kwargs)  # type: ignore[arg-type]  # enqueue() stored a Task
        except Exception:
            logger.exception("events: %s failed on %s", self.name, sorted(kwargs))

    def target_kwargs(self, signal_kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """The keyword arguments the target gets for a signal sent with `signal_kwargs`."""
        if callable(self.args):
            return dict(self.args(**signal_kwargs))
        return {name: signal_kwargs[name] for name in self.args}

    @property
    def name(self) -> str:
        """The task's name, or the function's (for logs); read late, as tasks resolve lazily."""
        if self.policy is not None:
            return str(getattr(self.target, "name", self.target))
        return f"{self.target.__module__}.{self.target.__qualname__}"


def enqueue(
    signal: Signal, task: Task[..., Any], args: Args, *, policy: Policy, when: Callable[[], bool] | None = None
) -> Reaction:
    """On `signal`, enqueue `task` with `args` under `policy` (core.enqueue): the usual reaction.

    `task` is only stored here: Celery binds a shared task to the app on first use, later.
    """
    return Reaction(signal, task, args, policy, when)


def call(signal: Signal, function: Callable[..., Any], args: Args | None = None) -> Reaction:
    """On `signal`, call `function` here, in the request: for quick work a task would only
    delay (caching a tweet's body). Without `args` it gets all the signal's keyword arguments."""
    return Reaction(signal, function, args if args is not None else _all, None)


def connect(label: str, table: Iterable[Reaction]) -> None:
    """Connect an app's event table (call from its AppConfig.ready()); connecting again is a no-op.

    Strong references (the reactions live in the table only), one dispatch_uid per line.
    """
    for index, reaction in enumerate(table):
        reaction.signal.connect(reaction, weak=False, dispatch_uid=f"{label}.events.{index}")


def _all(**kwargs: Any) -> Mapping[str, Any]:
    return kwargs
