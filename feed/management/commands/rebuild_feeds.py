"""manage.py rebuild_feeds [--user NAME ...]: rebuild home feeds from PostgreSQL."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from feed import services


class Command(BaseCommand):
    help = (
        "Rebuild home feeds in Redis from PostgreSQL, for every active user or the named ones. "
        "Each feed is replaced atomically, so this is safe to run while the site is live."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--user", dest="usernames", action="extend", nargs="+", default=[], metavar="NAME", help="only these users"
        )
        parser.add_argument("--progress-every", type=float, default=2.0, help="seconds between progress lines")

    def handle(self, *args: object, usernames: list[str], progress_every: float, **options: object) -> None:
        if usernames:
            found = dict(
                User.objects.filter(username__lower__in=[n.lower() for n in usernames]).values_list(
                    "username__lower", "pk"
                )
            )
            missing = [name for name in usernames if name.lower() not in found]
            if missing:
                raise CommandError(f"No such user: {', '.join(missing)}")
            user_ids = list(dict.fromkeys(found[name.lower()] for name in usernames))
        else:
            user_ids = list(User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
        total = len(user_ids)
        self.stdout.write(f"Rebuilding {total} feed(s)")
        started = last = time.monotonic()
        entries = 0
        for done, user_id in enumerate(user_ids, start=1):
            entries += services.rebuild_feed(user_id)
            now = time.monotonic()
            if now - last >= progress_every and done < total:
                last = now
                rate = done / (now - started)
                self.stdout.write(f"  {done}/{total} feeds ({rate:.0f}/s, about {(total - done) / rate:.0f}s left)")
        elapsed = time.monotonic() - started
        rate = total / elapsed if elapsed else float(total)
        self.stdout.write(
            self.style.SUCCESS(f"Rebuilt {total} feed(s), {entries} entries, in {elapsed:.1f}s ({rate:.0f} feeds/s)")
        )
