"""Real-time streams (DESIGN.md section 10): the stream process, and the publisher in the others."""

from django.apps import AppConfig


class StreamingConfig(AppConfig):
    name = "streaming"
    verbose_name = "Streaming"

    def ready(self) -> None:
        from core.events import connect
        from streaming.events import EVENTS

        connect(self.label, EVENTS)  # web and worker processes publish what the stream process serves
