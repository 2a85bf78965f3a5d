#!/usr/bin/env python
"""Django's command-line utility."""

import os
import sys


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
        from config.dev import database_unreachable_message

        message = database_unreachable_message(exc)
        if message is None:
            raise
        sys.stderr.write(message + "\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
