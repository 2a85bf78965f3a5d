"""The SECRET_KEY start-up check: refuse a missing, short or known-weak key with DEBUG off."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from core.secrets import MIN_SECRET_KEY_LENGTH, secret_key_problem, validate_secret_key

BASE_DIR = Path(__file__).resolve().parents[2]
GOOD_KEY = "kR7#vX2!qL9@mN4$pT6%wZ8^bH3&jD5*fG1(sA0)cE-yU+iO=uY_eW~rQ`tP|oI{nM}"[:64]


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("", "not set"),
        ("test", "weak"),
        ("TEST", "weak"),
        ("changeme", "weak"),
        ("secret", "weak"),
        (" password ", "weak"),
        ("django-insecure-" + "k" * 60 + "abcdefg", "weak"),
        ("a" * 80, "distinct"),
        ("abcdefghij0123456789", "shorter than 50"),
        (get_random_secret_key()[:49], "shorter than 50"),
    ],
)
def test_bad_keys_are_named(key, fragment):
    problem = secret_key_problem(key)
    assert problem is not None
    assert fragment in problem


@pytest.mark.parametrize("key", [GOOD_KEY, get_random_secret_key(), "x" * 10 + get_random_secret_key()])
def test_good_keys_pass(key):
    assert len(key) >= MIN_SECRET_KEY_LENGTH
    assert secret_key_problem(key) is None
    assert validate_secret_key(key, debug=False) == key


@pytest.mark.parametrize("key", ["", "short", "test", "changeme", "secret"])
def test_with_debug_off_a_bad_key_is_refused(key):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY") as info:
        validate_secret_key(key, debug=False)
    assert "at least 50 characters" in str(info.value)


@pytest.mark.parametrize("key", ["short", "test", "changeme"])
def test_with_debug_on_a_weak_key_is_tolerated(key):
    assert validate_secret_key(key, debug=True) == key


def test_with_debug_on_a_missing_key_becomes_a_random_one():
    first = validate_secret_key("", debug=True)
    assert secret_key_problem(first) is None
    assert validate_secret_key("", debug=True) != first


def test_the_running_settings_use_a_strong_key(settings):
    assert secret_key_problem(settings.SECRET_KEY) is None
    assert settings.SIMPLE_JWT["SIGNING_KEY"] == settings.SECRET_KEY


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(("key", "fragment"), [("changeme", "known weak value"), ("", "SECRET_KEY is not set")])
def test_manage_py_refuses_to_start_with_a_weak_key(key, fragment):
    # An explicit (even empty) variable wins over .env, which never overwrites the environment.
    result = run_manage("check", DEBUG="0", SECRET_KEY=key)
    assert result.returncode == 1
    assert "Configuration error:" in result.stderr
    assert "Traceback" not in result.stderr
    assert fragment in result.stderr
    assert "at least 50 characters" in result.stderr


def test_manage_py_starts_with_a_weak_key_in_debug():
    result = run_manage("check", DEBUG="1", SECRET_KEY="changeme")
    assert result.returncode == 0, result.stderr


def test_a_key_starting_with_a_dollar_is_taken_as_it_is():
    """django-environ reads "$NAME" as a reference to another variable; 1 in 50 keys of
    Django's get_random_secret_key() (what the start-up error suggests) start with "$"."""
    key = "$" + get_random_secret_key()[1:]
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    result = run_manage("shell", "-c", code, DEBUG="0", SECRET_KEY=key)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == key
