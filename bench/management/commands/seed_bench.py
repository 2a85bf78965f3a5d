"""`manage.py seed_bench [--quick] [--no-feeds]`: the benchmark data set (see bench/seed.py)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_redis import get_redis_connection

from bench.feeds import build_feeds
from bench.seed import FULL, QUICK, check_database_name, generate, seed_database


class Command(BaseCommand):
    help = "Replace users, follows and tweets with the benchmark data set, then write every feed to Redis."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quick", action="store_true", help="1,000 users, 50,000 tweets, 10,000 fans")
        parser.add_argument("--no-feeds", action="store_true", help="only the database part")
        parser.add_argument("--force", action="store_true", help="allow a database without 'bench' in its name")

    def handle(self, *args: Any, quick: bool, no_feeds: bool, force: bool, **options: Any) -> None:
        check_database_name(force)
        t0 = time.perf_counter()
        data = generate(QUICK if quick else FULL)
        self.stdout.write(f"seed: generated in {time.perf_counter() - t0:.1f}s")
        seed_database(data, log=self.stdout.write)
        self.stdout.write(f"seed: database in {data.timings['database_s']:.1f}s {data.timings}")
        if not no_feeds:
            build_feeds(data, get_redis_connection("default"), log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"seed_bench: done in {time.perf_counter() - t0:.1f}s"))
