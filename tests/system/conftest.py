"""Fixtures and reporting shared by the reliability tests (fault, concurrency, fuzzing)."""

from __future__ import annotations

import pytest

# The feed app's real-worker fixtures, reused by the fault tests rather than rewritten.
from feed.tests.conftest import live_celery, worker_env, worker_factory  # noqa: F401
from tests.system import stats


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many generated requests each fuzzed operation received, by status."""
    if not stats.FUZZ:
        return
    terminalreporter.section("schemathesis: generated requests per operation")
    total = 0
    for operation in sorted(stats.FUZZ):
        by_status = stats.FUZZ[operation]
        count = sum(by_status.values())
        total += count
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(by_status.items()))
        terminalreporter.write_line(f"{operation:45} {count:4}  ({statuses})")
    terminalreporter.write_line(f"{len(stats.FUZZ)} operations, {total} requests")
