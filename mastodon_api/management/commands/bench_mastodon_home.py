"""p50 of GET /api/v1/timelines/home against GET /api/feed/, side by side in one run.

In-process (Django's test client: no HTTP server, no network), interleaved request by
request for the same viewer and the same feed, so both see the same load. Meant for a
seeded benchmark database (`manage.py seed_bench`); `--user` picks the viewer (default: the
user who follows the most accounts). Creates a temporary OAuth token and JWT, deletes the
token at the end. `make bench` runs the same measurement (bench/run.py, `mastodon_home`).
"""

import statistics
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count
from django.test import Client, override_settings
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application, set_token_value
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User


def measure(viewer: User, *, requests: int = 300, limit: int = 20) -> dict[str, float]:
    """p50 (ms) of each endpoint for `viewer`, interleaved request by request; also used by `make bench`."""
    app = Application.objects.create(
        name="bench_mastodon_home",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="urn:ietf:wg:oauth:2.0:oob",
    )
    raw_token = generate_client_secret()
    token = AccessToken(user=viewer, application=app, scope="read", expires=timezone.now() + timedelta(hours=1))
    set_token_value(token, raw_token)
    token.save()
    native = Client(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(viewer).access_token}")
    mastodon = Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}")
    native_path, mastodon_path = f"/api/feed/?limit={limit}", f"/api/v1/timelines/home?limit={limit}"
    times: dict[str, list[float]] = {"native": [], "mastodon": []}
    try:
        with override_settings(MASTODON_RATE_LIMIT=10**9, ALLOWED_HOSTS=["*"]):
            for _ in range(max(requests // 10, 5)):  # warm up: feeds in Redis, connections open
                native.get(native_path)
                mastodon.get(mastodon_path)
            for _ in range(requests):
                for name, client, path in (("native", native, native_path), ("mastodon", mastodon, mastodon_path)):
                    started = time.perf_counter()
                    response = client.get(path)
                    times[name].append(time.perf_counter() - started)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path}: {response.status_code} {response.content[:200]!r}")
    finally:
        app.delete()  # its tokens go with it
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


class Command(BaseCommand):
    help = "Measure the p50 of the Mastodon home timeline against the native feed, side by side."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", default="", help="viewer's username (default: the one following the most)")
        parser.add_argument("--requests", type=int, default=300, help="requests to each endpoint")
        parser.add_argument("--limit", type=int, default=20, help="page size of both")

    def handle(self, *args: object, user: str, requests: int, limit: int, **options: object) -> None:
        viewer = (
            User.objects.get(username=user)
            if user
            else User.objects.annotate(n=Count("following_set")).order_by("-n").first()
        )
        if viewer is None:
            self.stderr.write("No users: seed a database first (manage.py seed_bench).")
            return
        p50 = measure(viewer, requests=requests, limit=limit)
        self.stdout.write(
            f"viewer {viewer.username}, {requests} requests each, limit {limit}: "
            f"GET /api/feed/ p50 {p50['native']:.2f} ms, GET /api/v1/timelines/home p50 {p50['mastodon']:.2f} ms, "
            f"ratio {p50['mastodon'] / p50['native']:.2f}"
        )
