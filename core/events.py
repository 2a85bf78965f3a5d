"""Domain events: signals sent once the current transaction commits.

Receivers (feed, search, notifications) enqueue tasks that re-read rows, so they must never
hear of a write that could still roll back; `robust=True` keeps one failing receiver from
silencing the others or raising into the request.
"""

from django.db import transaction
from django.dispatch import Signal


def send_on_commit(signal: Signal, *, sender: type, **kwargs: object) -> None:
    """Announce an event once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs), robust=True)
