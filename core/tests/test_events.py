"""core.events: an app's table connected once; a line enqueues its task after commit under
its policy (nothing on rollback), with the request id on the message; a line never raises."""

from collections.abc import Iterator
from typing import Any

import pytest
from celery import shared_task
from django.db import transaction
from django.dispatch import Signal

from core.enqueue import RUN_INLINE, leave_to_sweeper
from core.events import call, connect, enqueue, send_on_commit
from core.logging import REQUEST_ID_HEADER, request_id_var
from feed.tests.conftest import DEAD_BROKER, broker_at, purge_queues, take_messages, tasks_published

QUEUE = "default"  # CELERY_TASK_DEFAULT_QUEUE: no route names this task
ran: list[dict[str, Any]] = []  # what the test task did, in order (eager or inline)


@shared_task(name="core.tests.test_events.record")
def record(**kwargs: Any) -> None:
    ran.append(kwargs)


def broken(**kwargs: Any) -> None:
    raise RuntimeError("boom")


def pair(*, user_id: int, target_id: int, **_: Any) -> dict[str, list[int]]:
    return {"ids": [user_id, target_id]}


something_happened = Signal()


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    ran.clear()
    yield
    something_happened.receivers.clear()
    something_happened.sender_receivers_cache.clear()


def test_connect_adds_each_line_once_and_again_is_a_no_op() -> None:
    table = [
        enqueue(something_happened, record, ("user_id",), policy=RUN_INLINE),
        enqueue(something_happened, record, pair, policy=RUN_INLINE),
    ]
    connect("test", table)
    connect("test", table)
    assert len(something_happened.receivers) == 2
    something_happened.send(sender=None, user_id=1, target_id=2, extra="not passed")
    assert ran == [{"user_id": 1}, {"ids": [1, 2]}]  # eager in unit tests, in table order


@pytest.mark.django_db(transaction=True)
def test_enqueued_after_commit_and_never_on_rollback() -> None:
    connect("test", [enqueue(something_happened, record, ("user_id",), policy=RUN_INLINE)])
    with transaction.atomic():
        send_on_commit(something_happened, sender=object, user_id=1)
        assert ran == []  # not before the commit
    assert ran == [{"user_id": 1}]
    with pytest.raises(RuntimeError), transaction.atomic():
        send_on_commit(something_happened, sender=object, user_id=2)
        raise RuntimeError("roll back")
    assert ran == [{"user_id": 1}]


@pytest.mark.django_db(transaction=True)
def test_published_to_the_real_broker_with_the_request_id_after_commit() -> None:
    connect("test", [enqueue(something_happened, record, ("user_id",), policy=leave_to_sweeper("the sweep"))])
    purge_queues(QUEUE)  # nothing left from an earlier test
    token = request_id_var.set("req-123")
    try:
        with tasks_published(), transaction.atomic():
            send_on_commit(something_happened, sender=object, user_id=7)
            assert take_messages(QUEUE) == []  # not before the commit
    finally:
        request_id_var.reset(token)
    messages = take_messages(QUEUE)
    assert len(messages) == 1
    headers = messages[0].headers
    assert headers["task"] == "core.tests.test_events.record"
    assert headers["kwargsrepr"] == "{'user_id': 7}"
    assert headers[REQUEST_ID_HEADER] == "req-123"
    assert ran == []  # published, not run here


@pytest.mark.django_db
def test_broker_down_each_policy_does_what_it_says(django_capture_on_commit_callbacks, caplog) -> None:
    connect(
        "test",
        [
            enqueue(something_happened, record, ("user_id",), policy=RUN_INLINE),
            enqueue(something_happened, record, ("target_id",), policy=leave_to_sweeper("the nightly sweep")),
        ],
    )
    with broker_at(DEAD_BROKER), tasks_published(), django_capture_on_commit_callbacks(execute=True):
        send_on_commit(something_happened, sender=object, user_id=1, target_id=2)
    assert ran == [{"user_id": 1}]  # run inline; the other one left to its sweeper
    assert "running it inline" in caplog.text
    assert "the nightly sweep will catch up" in caplog.text


def test_a_line_that_fails_is_logged_and_the_next_lines_still_run(caplog) -> None:
    calls: list[dict[str, Any]] = []
    connect(
        "test",
        [
            call(something_happened, broken),
            enqueue(something_happened, record, ("missing",), policy=RUN_INLINE),  # no such argument
            call(something_happened, lambda **kwargs: calls.append(kwargs)),
        ],
    )
    something_happened.send(sender=None, user_id=1)
    assert calls == [{"user_id": 1}]  # call() without args: every argument of the signal
    assert ran == []
    assert "test_events.broken failed" in caplog.text
    assert "core.tests.test_events.record failed" in caplog.text


def test_when_decides_at_each_send() -> None:
    enabled = [False]
    connect("test", [enqueue(something_happened, record, ("user_id",), policy=RUN_INLINE, when=lambda: enabled[0])])
    something_happened.send(sender=None, user_id=1)
    enabled[0] = True
    something_happened.send(sender=None, user_id=2)
    assert ran == [{"user_id": 2}]
