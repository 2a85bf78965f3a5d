"""Create demo users, follows and tweets through the services (so feeds and search follow)."""

import os
import random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts import services as account_services
from accounts.models import User
from tweets import services as tweet_services

WORDS = [
    "coffee",
    "morning",
    "deploy",
    "django",
    "redis",
    "postgres",
    "celery",
    "feed",
    "tweet",
    "cat",
    "dog",
    "rain",
    "sun",
    "music",
    "running",
    "shipping",
    "testing",
    "reading",
    "weekend",
    "python",
    "release",
    "bug",
    "fix",
    "idea",
    "launch",
    "team",
]


class Command(BaseCommand):
    help = "Seed demo data: a `demo` user plus N users following each other and M tweets. Safe to re-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=20)
        parser.add_argument("--tweets", type=int, default=200)
        parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", ""))
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args: Any, users: int, tweets: int, password: str, seed: int, **options: Any) -> None:
        if not password:
            # A non-zero exit, so `make run` and scripts notice.
            raise CommandError("Give --password or set DEMO_PASSWORD (make run writes one into .env).")
        rng = random.Random(seed)
        hashed = make_password(password)  # hash once: Argon2 is slow by design
        accounts = []
        for i in range(users + 1):
            name = "demo" if i == 0 else f"user{i}"
            user, _ = User.objects.get_or_create(
                username=name,
                defaults={"email": f"{name}@example.com", "password": hashed, "display_name": name.title()},
            )
            accounts.append(user)
        self.stdout.write(f"users: {len(accounts)}")
        for user in accounts:
            for other in rng.sample(accounts, k=min(len(accounts) - 1, 8)):
                if other.pk != user.pk:
                    account_services.follow_create(follower=user, followee=other)
        self.stdout.write("follows: done")
        for n in range(tweets):
            author = rng.choice(accounts)
            content = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
            with transaction.atomic():
                tweet_services.tweet_create(author=author, content=content)
            if (n + 1) % 100 == 0:
                self.stdout.write(f"tweets: {n + 1}/{tweets}")
        self.stdout.write(self.style.SUCCESS(f"Seeded {len(accounts)} users and {tweets} tweets; log in as demo."))
