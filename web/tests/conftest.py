"""Web interface test fixtures: signed-in clients, htmx requests, on-commit execution."""

from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import User


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """`with commit(): ...` runs the on-commit signals (and so the eager tasks) at block end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def browser() -> Callable[[User | None], Client]:
    """A browser's client: signed in as `user` (a session, as /login makes), or signed out."""

    def make(user: User | None = None, **defaults: str) -> Client:
        client = Client(**defaults)
        if user is not None:
            client.force_login(user)
        return client

    return make


HTMX = {"HTTP_HX_REQUEST": "true"}


def htmx_from(page: str) -> dict[str, str]:
    """Headers of an htmx request made from the page at `page`."""
    return {**HTMX, "HTTP_HX_CURRENT_URL": f"http://testserver{page}"}


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()
