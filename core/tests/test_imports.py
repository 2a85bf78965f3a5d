"""Each core module can be the first a process imports (a worker's task may import one before
any view): no import cycle through DRF's settings, which load core.parsers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("module", ["core.exceptions", "core.parsers", "search.backends.elasticsearch"])
def test_importable_first(module: str) -> None:
    code = f"import django; django.setup(); import {module}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
