"""Recompute every denormalised counter (tweets, followers, likes, ...) from the rows."""

from typing import Any

from django.core.management.base import BaseCommand

from tweets.services import recount_stats


class Command(BaseCommand):
    help = "Repair num_* counters of users and tweets from the database rows. Safe to re-run."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = recount_stats()
        for name, rows in changed.items():
            self.stdout.write(f"{name}: {rows} row(s) corrected")
        self.stdout.write(self.style.SUCCESS("Counters are consistent."))
