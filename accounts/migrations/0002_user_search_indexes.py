"""Indexes for search on accounts_user: username prefix and suspended users everywhere, trigram where available.

pg_trgm ships with every packaged PostgreSQL (CI, docker compose) but not with the
embedded server `make run` uses (pgserver has only plpgsql and vector), so the extension
and its indexes are created only when the server offers it. User search checks for the
extension at run time and falls back to prefix and ILIKE matching without it.

The indexes are invisible to the model state on purpose: they depend on the server,
and no model field or Meta option can express "only if the extension exists".
"""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

INDEXES = [
    # `lower(username) LIKE 'abc%'` whatever the database collation.
    "CREATE INDEX IF NOT EXISTS ix_user_username_prefix ON accounts_user (lower(username) text_pattern_ops)",
    # The few suspended users: tweet search excludes their tweets with an anti-join on this.
    "CREATE INDEX IF NOT EXISTS ix_user_suspended ON accounts_user (id) WHERE NOT is_active",
]
TRIGRAM_INDEXES = [
    # `username % q`, `display_name % q` and `display_name ILIKE '%q%'`.
    "CREATE INDEX IF NOT EXISTS ix_user_username_trgm ON accounts_user USING gin (username gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_user_display_name_trgm ON accounts_user USING gin (display_name gin_trgm_ops)",
]


def create_indexes(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        for statement in INDEXES:
            cursor.execute(statement)
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
        try:
            # A savepoint: a role that may not create extensions leaves the migration usable.
            with transaction.atomic(using=schema_editor.connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                for statement in TRIGRAM_INDEXES:
                    cursor.execute(statement)
        except DatabaseError as exc:
            logger.warning("pg_trgm not enabled (%s): user search falls back to prefix and ILIKE", exc)


def drop_indexes(apps, schema_editor) -> None:
    # The extension stays: other objects may use it.
    with schema_editor.connection.cursor() as cursor:
        for name in (
            "ix_user_display_name_trgm",
            "ix_user_username_trgm",
            "ix_user_suspended",
            "ix_user_username_prefix",
        ):
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
