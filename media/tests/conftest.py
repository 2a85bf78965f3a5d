"""Media test fixtures: a storage folder of the test's own."""

from pathlib import Path

import pytest

from media.tests.helpers import use_folder


@pytest.fixture(autouse=True)
def media_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Every media test starts with an empty storage folder of its own (listed by stored_files)."""
    return use_folder(settings, tmp_path / "media")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """`with commit(): ...` runs the on-commit callbacks (signals, eager tasks) at block end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
