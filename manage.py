#!/usr/bin/env python
"""Django's command-line utility."""

import os
import sys


def database_unreachable_message(exc: Exception) -> str | None:
    """One line for manage.py when it could not connect to PostgreSQL at all, else None."""
    from django.conf import settings
    from django.db import connection

    text = str(exc).strip()
    if connection.connection is not None or "connect" not in text.lower():
        return None  # connected: some other operational error, keep its traceback
    db = settings.DATABASES["default"]
    where = db.get("HOST") or "localhost"
    if not str(where).startswith("/"):
        where = f"{where}:{db.get('PORT') or 5432}"
    reason = text.splitlines()[0] if text else type(exc).__name__
    source = getattr(settings, "DATABASE_URL_SOURCE", "environment")
    if source == "environment":
        advice = "Check DATABASE_URL"
    elif source == "make run":
        advice = "The `make run` recorded in var/run.json is not answering; restart it"
    else:
        advice = (
            "DATABASE_URL is not set and no `make run` is up here: start `make run` (manage.py then uses its"
            " servers), or run `.venv/bin/python -m devtools.dev manage ...`, or set DATABASE_URL"
        )
    return f"Cannot connect to PostgreSQL at {where} (database {db.get('NAME')!r}): {reason}. {advice}."


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # An unsafe configuration (e.g. a weak SECRET_KEY) is an operator's error: say it plainly.
        sys.stderr.write(f"Configuration error: {exc}\n")
        sys.exit(1)
    except OperationalError as exc:
        # No database to talk to is a setup matter, not a bug: one line that says what to do.
        message = database_unreachable_message(exc)
        if message is None:
            raise
        sys.stderr.write(message + "\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
