"""Rebuild the search side from the database, whichever backend is in use. Safe to re-run.

Elasticsearch: `search_index --rebuild -f` (recreate and repopulate both indexes).
PostgreSQL: the searched data is the table itself (a generated column), so nothing needs
backfilling; this rebuilds the search indexes without locking writes (REINDEX
CONCURRENTLY) and refreshes the planner's statistics: the PostgreSQL equivalent.
"""

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from search.backends import get_backend

SEARCH_INDEXES = (
    "ix_tweet_search_vector",
    "ix_user_username_prefix",
    "ix_user_username_trgm",
    "ix_user_display_name_trgm",
)


class Command(BaseCommand):
    help = "Rebuild search from the database (Elasticsearch indexes, or PostgreSQL's search indexes)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not get_backend().maintained_by_database:
            call_command("search_index", "--rebuild", "-f", stdout=self.stdout, stderr=self.stderr)
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s)", [list(SEARCH_INDEXES)])
            present = sorted(row[0] for row in cursor.fetchall())
            for position, name in enumerate(present, start=1):
                started = time.monotonic()
                cursor.execute(f'REINDEX INDEX CONCURRENTLY "{name}"')
                self.stdout.write(f"[{position}/{len(present)}] {name} rebuilt in {time.monotonic() - started:.1f} s")
            cursor.execute("ANALYZE tweets_tweet")
            cursor.execute("ANALYZE accounts_user")
        self.stdout.write(self.style.SUCCESS("PostgreSQL search indexes rebuilt and statistics refreshed."))
