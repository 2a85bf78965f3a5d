"""Project-level checks: migrations are committed, `check --deploy` passes in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
    "ALLOWED_HOSTS": "chirp.example.com",
}


@pytest.mark.django_db
def test_no_missing_migrations():
    # Exits non-zero (SystemExit) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_check_deploy_passes_with_production_settings():
    env = {**os.environ, **PRODUCTION_ENV, "SECRET_KEY": get_random_secret_key() + get_random_secret_key()}
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_with_development_defaults():
    """The same command does catch an unsafe configuration (so the test above means something)."""
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": get_random_secret_key(), "SECURE_SSL_REDIRECT": "0"}
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout


def test_settings_come_from_the_environment():
    code = (
        "from django.conf import settings as s; "
        "print(s.SIMPLE_JWT['ACCESS_TOKEN_LIFETIME'].total_seconds(), "
        "s.SIMPLE_JWT['REFRESH_TOKEN_LIFETIME'].total_seconds(), s.SIMPLE_JWT['ALGORITHM'], "
        "s.AUTH_THROTTLE_RATE, s.ALLOWED_HOSTS, s.DEBUG)"
    )
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": get_random_secret_key(),
        "ACCESS_TOKEN_MINUTES": "5",
        "REFRESH_TOKEN_HOURS": "2",
        "AUTH_THROTTLE_RATE": "7/minute",
        "ALLOWED_HOSTS": "a.example,b.example",
    }
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "300.0 7200.0 HS256 7/minute ['a.example', 'b.example'] False"
