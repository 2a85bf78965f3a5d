"""Refuse an unsafe SECRET_KEY at start-up: it signs sessions and every JWT."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

MIN_SECRET_KEY_LENGTH = 50
# Keys seen in tutorials and leaked configs; refused whatever their length.
WEAK_SECRET_KEYS = frozenset(
    {
        "test",
        "secret",
        "changeme",
        "change-me",
        "password",
        "django-insecure",
        "secret_key",
        "your-secret-key",
        "dev",
        "development",
    }
)


def secret_key_problem(key: str) -> str | None:
    """Say what is wrong with `key`, or None when it is acceptable."""
    if not key:
        return "SECRET_KEY is not set"
    lowered = key.strip().lower()
    if lowered in WEAK_SECRET_KEYS or lowered.startswith("django-insecure"):
        return "SECRET_KEY is a known weak value"
    if len(set(key)) < 5:
        return "SECRET_KEY has too few distinct characters"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    return None


def validate_secret_key(key: str, *, debug: bool) -> str:
    """Return the key to use; with DEBUG off refuse a missing, short or weak one.

    With DEBUG on and no key, a random per-process key is used so local
    development works without configuration (tokens do not survive a restart).
    """
    problem = secret_key_problem(key)
    if problem is None:
        return key
    if debug:
        return key if key else get_random_secret_key()
    raise ImproperlyConfigured(
        f"{problem}. Set a random SECRET_KEY of at least {MIN_SECRET_KEY_LENGTH} characters "
        "in the environment or .env (`make run` writes one), e.g. "
        "python -c 'from django.core.management.utils import get_random_secret_key as g; print(g())'"
    )
