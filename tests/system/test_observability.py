"""Observability: every JSON log line of a request or task carries its correlation ids."""

from __future__ import annotations

import io
import json
import logging

import pytest

from config.celery import app
from core.logging import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    """Lines the root logger emits, through the project's own filter and formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


@app.task(name="tests.system.log_something")
def log_something(word: str) -> None:
    logging.getLogger("chirp.test").info("task says %s", word)


def test_request_id_is_echoed_and_on_the_frameworks_own_log_line(api_client, json_log):
    response = api_client.get("/api/users/nobody_here/", HTTP_X_REQUEST_ID="incident-42")
    assert response.status_code == 401
    assert response["X-Request-ID"] == "incident-42"
    # django.request logs the 4xx after the middleware has returned: still carries the id.
    lines = [line for line in json_log() if line["logger"] == "django.request"]
    assert lines, "django.request logged nothing"
    assert {line["request_id"] for line in lines} == {"incident-42"}


def test_a_malformed_request_id_is_replaced(api_client):
    response = api_client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces\n")
    assert response["X-Request-ID"] != "bad id with spaces\n"
    assert len(response["X-Request-ID"]) == 32


def test_task_log_lines_carry_task_id_and_name(json_log):
    result = log_something.apply(args=["hello"], task_id="task-123")
    assert result.successful()
    [line] = [line for line in json_log() if line["logger"] == "chirp.test"]
    assert line["message"] == "task says hello"
    assert line["task_id"] == "task-123"
    assert line["task"] == "tests.system.log_something"
    # Without an enqueuing request, the task id is the correlation id.
    assert line["request_id"] == "task-123"
    # And the context does not leak into what is logged after the task.
    logging.getLogger("chirp.test").info("after")
    assert "task_id" not in json_log()[-1]


def test_every_line_is_one_json_object_with_the_standard_keys(json_log):
    logging.getLogger("chirp.test").warning("with extra", extra={"tweet_id": 7})
    [line] = json_log()
    assert {"time", "level", "logger", "message", "request_id"} <= set(line)
    assert line["tweet_id"] == 7


def test_healthz_covers_every_dependency_an_operator_needs(api_client):
    response = api_client.get("/healthz")
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"database", "redis", "broker", "search"}


def test_healthz_reports_a_check_that_cannot_even_load_instead_of_crashing(api_client, settings):
    settings.HEALTH_CHECKS = {**settings.HEALTH_CHECKS, "ghost": "nowhere.health.check_nothing"}
    response = api_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["ghost"] == "error: ModuleNotFoundError"
    assert response.json()["database"] == "ok"
