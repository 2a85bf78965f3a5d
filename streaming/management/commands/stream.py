"""`manage.py stream`: serve the real-time streams (SSE and WebSocket) on STREAMING_PORT."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the Mastodon streaming API (SSE and WebSocket) with uvicorn on STREAMING_PORT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (0.0.0.0 in a container)")
        parser.add_argument("--port", type=int, default=None, help="default: STREAMING_PORT (PORT + 1)")

    def handle(self, *args: Any, **options: Any) -> None:
        from streaming.server import serve

        serve(host=options["host"], port=options["port"] or settings.STREAMING_PORT)
