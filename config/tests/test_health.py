"""/healthz: every dependency "ok" with 200, 503 naming the one that is down."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

DEAD_PORT = "redis://127.0.0.1:1/0"


def test_healthz_is_200_with_every_dependency_ok():
    response = APIClient().get("/healthz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert {"database", "redis", "broker"} <= set(body)
    assert set(body.values()) == {"ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_is_503_naming_redis_when_redis_is_down(settings):
    caches = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": DEAD_PORT}}
    settings.CACHES = caches
    response = APIClient().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["redis"].startswith("error")
    assert body["database"] == "ok"


def test_healthz_is_503_naming_the_broker_when_it_is_down():
    from config.celery import app

    # broker_write_url wins over the CELERY_BROKER_URL environment variable (set in CI);
    # broker_url would not.
    original = app.conf.broker_write_url
    app.conf.broker_write_url = "amqp://guest:guest@127.0.0.1:1//"
    try:
        response = APIClient().get("/healthz")
    finally:
        app.conf.broker_write_url = original
    assert response.status_code == 503
    body = response.json()
    assert body["broker"].startswith("error")
    assert body["database"] == "ok"
    assert body["redis"] == "ok"


def test_healthz_answers_get_only():
    assert APIClient().post("/healthz").status_code == 405
