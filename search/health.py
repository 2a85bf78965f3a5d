"""/healthz "search": the active backend can answer (see SearchBackend.check)."""

from search.backends import get_backend


def check_search() -> None:
    get_backend().check()
